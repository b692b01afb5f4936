"""Drift: capabilities inferred now and not in the previous approved verdict, at the policy's drift
tiers, force at least the policy's drift decision (the registry gate's re-review of a new version)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from skillscan.capabilities.grammar import normalize
from skillscan.model import Capability, Verdict
from skillscan.permissions.diff import strongest
from skillscan.policy import Policy, _where


def drift(verdict: Verdict, previous: dict[str, Any], policy: Policy) -> tuple[Verdict, list[Capability]]:
    """Compare with a previous verdict record (`skillscan.verdict/v1`, or a report package entry):
    capabilities inferred now and not then, at the policy's drift tiers, force at least its decision."""
    prev_caps = set()
    caps = previous.get("capabilities")
    caps = caps if isinstance(caps, dict) else {}
    for item in caps.get("inferred") or []:
        text = item.get("capability") if isinstance(item, dict) else item
        try:
            prev_caps.add(normalize(Capability.parse(str(text))))
        except ValueError:
            continue
    new = []
    for ic in verdict.inferred:
        c = ic.capability
        if c in prev_caps or c.kind == "agent.tool":
            continue
        if policy.tier(c) >= policy.drift_min_tier or c.kind in policy.drift_always_kinds:
            new.append(c)
    if not new:
        return replace(verdict, new_since_previous=()), []
    by_cap = {ic.capability: ic for ic in verdict.inferred}
    drift_reasons = [f"new since the previous approved version: {c} ({_where(strongest(by_cap[c]))})" for c in new]
    decision = verdict.decision
    if policy.drift_decision.rank > decision.rank:
        decision = policy.drift_decision
    reasons = drift_reasons + list(verdict.reasons) if policy.drift_decision.rank >= verdict.decision.rank \
        else list(verdict.reasons) + drift_reasons
    return replace(verdict, decision=decision, reasons=tuple(dict.fromkeys(reasons)),
                   new_since_previous=tuple(new)), new
