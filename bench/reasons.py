"""Which rule a verdict reason comes from.

The gate writes its reasons in a few shapes (skillscan/policy.py):

* `<rule-id>: <message> (<path>:<line>)` — a malicious indicator or a high capability finding;
* `forbidden capability <cap>: <why> (<path>:<line>, <channel>, <conf> confidence, <rule-id>)`;
* `undeclared tier-<n> capability <cap> (<path>:<line>, <channel>, <conf> confidence, <rule-id>)`;
* `dangerous combination <name>: … (<path>:<line>, <channel>, <conf> confidence, <rule-id>)`;
* `declared <cap> is never used: …`, `new since the previous approved version: …`, analysis errors.

`reason_rule` names the gate rule and the rule whose evidence it cites ("undeclared-dangerous-capability
← py-secret-access"); when both are the same it is just the rule id.
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^([a-z0-9][a-z0-9.-]*[a-z0-9]): ")
_EVIDENCE = re.compile(r", (?:low|medium|high) confidence, ([A-Za-z0-9_.:-]+)\)\s*$")
_TIER = re.compile(r"^undeclared tier-(\d) capability ")
_COMBO = re.compile(r"^dangerous combination ([a-z0-9-]+)")
TIER_RULE = {"1": "undeclared-capability", "2": "undeclared-sensitive-capability", "3": "undeclared-dangerous-capability"}


def _gate(reason: str) -> str:
    if reason.startswith("forbidden capability "):
        return "forbidden-capability"
    m = _TIER.match(reason)
    if m:
        return TIER_RULE.get(m.group(1), "undeclared-dangerous-capability")
    m = _COMBO.match(reason)
    if m:
        return f"combination-{m.group(1)}"
    if reason.startswith("declared ") and " is never used" in reason:
        return "unused-declared-capability"
    if reason.startswith("new since the previous approved version"):
        return "drift"
    m = _PREFIX.match(reason)
    if m:
        return m.group(1)
    return "(error)"


def reason_rule(reason: str) -> str:
    """`gate ← evidence rule`, or the one rule id when the reason is a finding of its own."""
    gate = _gate(reason)
    m = _EVIDENCE.search(reason)
    evidence = m.group(1) if m else ""
    return f"{gate} ← {evidence}" if evidence and evidence != gate else gate
