"""One finding per rule and place, one finding per behaviour: the report's findings, folded after analysis.

Several engines (and several rules of one engine) describe one line from different sides: `curl
http://… | bash` is a remote-code finding, two `proc.exec` findings, a `net.egress` finding and the gate's
"undeclared" findings about those capabilities. For the report, the findings of one file line fold into
groups:

- the group's finding is its strongest behaviour finding (a malicious or hygiene rule before a capability
  rule, an engine's before the gate's, then the rule's catalogue severity and confidence; stable under
  severity remaps and baselines, so fingerprints stay put);
- findings of the same rule on that line join it (one finding per rule and location);
- capability findings on that line join the first group (any under a malicious finding, else the plain
  `info` ones): their capabilities become evidence on it;
- the gate's findings (undeclared, unused…) join a group whose capabilities cover theirs;
- the folded finding keeps the strongest severity and confidence of its members, the union of their
  capabilities and related locations, and the distinct messages of its rule and of the gate's findings.

Capability inference is untouched: the verdict (and its `capabilities` section with their evidence) is
decided from the unfolded findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from skillscan.catalog import get_catalog
from skillscan.model import Finding, Location, RuleClass, Severity

GATE_ENGINE = "permissions"
MAX_MESSAGES = 4
MAX_RELATED = 50
_CLASS_RANK = {RuleClass.MALICIOUS: 2, RuleClass.HYGIENE: 1, RuleClass.CAPABILITY: 0}
_CONTEXT_ROLES = frozenset({"user-command", "reference", "quoted", "test-data"})


def _rank(f: Finding) -> tuple[int, int, int, int, int, str]:
    catalog = get_catalog()
    rule = catalog.rule(f.rule_id) if f.rule_id in catalog else None
    cls = rule.rule_class if rule else f.rule_class
    return (int(f.engine != GATE_ENGINE), _CLASS_RANK[cls], int(rule.severity if rule else f.severity),
            int(rule.confidence if rule else f.confidence), -f.location.column, f.rule_id)


def _is_evidence(f: Finding, primary: Finding) -> bool:
    """A capability finding of an engine that is evidence for the primary's behaviour: any capability finding
    under a malicious one, else a plain (info) one; a capability finding that is a finding in its own right
    (a load-time command) stays beside a hygiene finding."""
    catalog = get_catalog()
    rule = catalog.rule(f.rule_id) if f.rule_id in catalog else None
    if f.engine == GATE_ENGINE or (rule.rule_class if rule else f.rule_class) is not RuleClass.CAPABILITY:
        return False
    main = catalog.rule(primary.rule_id) if primary.rule_id in catalog else None
    return (main.rule_class if main else primary.rule_class) is RuleClass.MALICIOUS or \
        (rule.severity if rule else f.severity) is Severity.INFO


def _caps(f: Finding) -> set[str]:
    return {str(c) for c in f.capabilities}


def _bucket_groups(items: list[tuple[int, Finding]]) -> list[list[int]]:
    """Groups (indices) of the findings of one line, strongest group first."""
    rest = sorted(items, key=lambda it: _rank(it[1]), reverse=True)
    groups: list[list[int]] = []
    first = True
    while rest:
        primary = rest[0][1]
        take = [it for it in rest if it[1].rule_id == primary.rule_id or first and _is_evidence(it[1], primary)]
        covered: set[str] = set().union(*(_caps(f) for _, f in take))
        taken = {i for i, _ in take}
        take += [it for it in rest if it[0] not in taken and it[1].engine == GATE_ENGINE and it[1].capabilities
                 and _caps(it[1]) <= covered]
        groups.append([i for i, _ in take])
        taken = {i for i, _ in take}
        rest = [it for it in rest if it[0] not in taken]
        first = False
    return groups


def fold_groups(findings: Sequence[Finding]) -> list[list[int]]:
    """The folded groups of `findings`, as lists of indices (the first index is the group's finding)."""
    buckets: dict[tuple[str, int], list[tuple[int, Finding]]] = {}
    for i, f in enumerate(findings):
        buckets.setdefault((f.location.path, f.location.line), []).append((i, f))
    out: list[list[int]] = []
    for items in buckets.values():
        if len(items) == 1:
            out.append([items[0][0]])
        else:
            out.extend(_bucket_groups(items))
    return out


def merged(members: Sequence[Finding]) -> Finding:
    """One finding for a group: the first member's rule and place, the strongest severity and confidence."""
    primary = members[0]
    if len(members) == 1:
        return primary
    caps = list(dict.fromkeys(c for f in members for c in f.capabilities))
    # a member's flow facts (what is sent where) stay stated: its sentence joins and its flow is kept
    flow = primary.flow or next((f.flow for f in members if f.flow is not None), None)
    messages = list(dict.fromkeys(f.message for f in members if f.rule_id == primary.rule_id
                                  or f.engine == GATE_ENGINE or (f.flow is not None and f.flow == flow)))
    message = "; ".join(messages[:MAX_MESSAGES])
    if len(messages) > MAX_MESSAGES:
        message += f"; and {len(messages) - MAX_MESSAGES} more"
    related: list[Location] = []
    seen = {(primary.location.path, primary.location.line, primary.location.column)}
    for f in members:
        for loc in (f.location, *f.related):
            key = (loc.path, loc.line, loc.column)
            if key not in seen and (loc.path, loc.line) != (primary.location.path, primary.location.line):
                seen.add(key)
                related.append(loc)
    # text the agent is told to follow outranks context about it: when the primary is context and another
    # engine's finding at the place is an instruction to the agent, the folded finding is that instruction
    role = primary.role
    if role in _CONTEXT_ROLES:
        told = [f.role for f in members if f.engine != GATE_ENGINE and f.role in ("hidden", "agent-instruction")]
        role = told[0] if told else role
    return replace(primary, message=message, severity=max(f.severity for f in members), role=role,
                   confidence=max(f.confidence for f in members), capabilities=tuple(caps),
                   related=tuple(related[:MAX_RELATED]), flow=flow)


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.location.path, f.location.line, f.location.column, f.rule_id, f.message)


def fold(findings: Sequence[Finding]) -> list[Finding]:
    """The report's findings: one per rule and place, one per behaviour (see the module doc), sorted."""
    return sorted((merged([findings[i] for i in g]) for g in fold_groups(findings)), key=sort_key)


def group_fingerprints(findings: Sequence[Finding], context: Sequence[Finding] = ()) -> list[str]:
    """For each of `findings`, the fingerprint its folded finding has in the report (folded together with
    `context`, findings decided earlier), so a baseline written from a report matches every member."""
    from skillscan.report.json import fingerprints

    everything = [*context, *findings]
    groups = fold_groups(everything)
    folded = [(merged([everything[i] for i in g]), g) for g in groups]
    folded.sort(key=lambda fg: sort_key(fg[0]))
    out = [""] * len(everything)
    for (_, g), fp in zip(folded, fingerprints(tuple(f for f, _ in folded)), strict=True):
        for i in g:
            out[i] = fp
    return out[len(context):]


def fold_report(root: str, findings: Sequence[Finding], baseline: object = None,
                enabled: bool = True) -> tuple[list[Finding], int]:
    """The folded findings (`enabled=False`: unfolded, for rule tests), those in the baseline marked
    (`baselined`), and how many are."""
    from skillscan.report.json import fingerprints
    from skillscan.suppress import Baseline, baseline_key

    folded = fold(findings) if enabled else sorted(findings, key=sort_key)
    if not isinstance(baseline, Baseline) or not baseline.keys:
        return folded, 0
    count = 0
    for i, fp in enumerate(fingerprints(tuple(folded))):
        if baseline_key(root, fp) in baseline:
            folded[i] = replace(folded[i], baselined=True)
            count += 1
    return folded, count
