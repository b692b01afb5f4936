"""Corroboration (DESIGN.md "Decision" rule 1: malice at sufficient confidence blocks): independent malice
signals in one package raise the confidence that no single one of them has.

Many malice detectors report at low confidence on purpose: one sentence that hands an outside file the
agent's output, one script that adds a boost to one ticker, one "for completeness" paragraph is worth a
review, because an honest skill can say one such thing carelessly. Two such things of different kinds in
one package are no longer careless: a sabotage step and an exfiltration step, or a sabotage step and an
instruction to hide it from the user, are the two halves of an attack.

A *signal* is a malice finding the hard-indicator step left at review for its confidence alone — not
lowered by its role (reference, quoted, test or user-command text keep their ceiling), by security practice
or by a transparent polarity — in text the agent follows (`agent-instruction`, `hidden`) or in code that
runs (`code`), of a rule listed in `rules/decide/corroboration.yaml` under a *family* (exfiltration,
concealment, output sabotage, goal hijack, planted code, reach, impersonation). The concealment family also counts the
trace-removal claim, which is a capability finding. Two signals are *independent* when their families
differ and they are not one passage: two detectors reading one paragraph (same file, lines within
`passage_gap` with no blank line between) are one signal, and so are two findings of one family anywhere.
A skill that states security practice keeps its ceiling: its text about attacks is its subject."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from skillscan.model import Finding, Package

RULE_IDS: tuple[str, ...] = ("corroborated-malice",)
OPEN_ROLES = frozenset({"agent-instruction", "hidden", "code"})  # text the agent follows, code that runs


@dataclass(frozen=True)
class Table:
    family: dict[str, str]  # rule id → family
    passage_gap: int


@dataclass(frozen=True)
class Signal:
    finding: Finding
    family: str


@lru_cache(maxsize=1)
def table() -> Table:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "decide" / "corroboration.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise TypeError("rules/decide/corroboration.yaml: expected a mapping with `families`")
    family = {str(r): str(name) for name, rules in data["families"].items() for r in rules or ()}
    return Table(family, int(data.get("passage_gap", 3)))


def signals(findings: Sequence[Finding], practice: Callable[[str], bool]) -> list[Signal]:
    """The findings that count as signals: a listed rule, an open role, no security practice in their file."""
    fam = table().family
    return [Signal(f, fam[f.rule_id]) for f in findings
            if f.rule_id in fam and f.role in OPEN_ROLES and not practice(f.location.path)]


def one_passage(package: Package, a: Finding, b: Finding, gap: int,
                lines: Callable[[Package, str], Sequence[str]]) -> bool:
    """Are two findings one passage: same file, lines at most `gap` apart and no blank line between them?"""
    if a.location.path != b.location.path:
        return False
    lo, hi = sorted((a.location.line, b.location.line))
    if hi - lo > gap:
        return False
    text = lines(package, a.location.path)
    return not any(not text[i - 1].strip() for i in range(lo, hi + 1) if 0 < i <= len(text))


def independent(package: Package, found: Sequence[Signal],
                lines: Callable[[Package, str], Sequence[str]]) -> tuple[Signal, Signal] | None:
    """The first pair of signals of different families that are not one passage, or None.

    A later signal of the family, file and line of an earlier one can only repeat a pair the earlier one
    makes first, so it is dropped before the pairs are walked; with one family left there is no pair. Both keep
    the walk short on a package of many findings of one kind (it is quadratic in the signals it walks)."""
    gap = table().passage_gap
    first: dict[tuple[str, str, int], Signal] = {}
    for s in found:
        first.setdefault((s.family, s.finding.location.path, s.finding.location.line), s)
    found = list(first.values())
    if len({s.family for s in found}) < 2:
        return None
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.family != b.family and not one_passage(package, a.finding, b.finding, gap, lines):
                return a, b
    return None


def _cite(s: Signal) -> str:
    f = s.finding
    return f"{f.rule_id} ({s.family}, {f.location.path}:{f.location.line}, {f.role})"


def corroborated(package: Package, reviewed: Sequence[Finding], others: Sequence[Finding],
                 practice: Callable[[str], bool], lines: Callable[[Package, str], Sequence[str]]
                 ) -> tuple[str, Finding] | None:
    """The reason to block when two independent signals stand in one package, with the first signal's finding
    (where the gate's finding is placed), else None. `reviewed`: the
    malice findings the hard-indicator step left at review for their confidence alone; `others`: every
    finding (the capability findings of a listed family, the trace-removal claim, are taken from it)."""
    fam = table().family
    capability = [f for f in others if f.rule_id in fam and f.rule_class.value == "capability"]
    pair = independent(package, signals([*reviewed, *capability], practice), lines)
    if pair is None:
        return None
    a, b = pair
    return (f"{_cite(a)} together with {_cite(b)}: two independent signals of malice, of different kinds and "
            f"in different passages, in text the agent follows or code that runs"), a.finding
