"""What the engine does to a package's findings before and after its verdict: findings of different engines
about one capability at one place merged, the report's order, and the consumer's filters (configuration, inline
suppressions, baseline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from skillscan.config import Config
from skillscan.fold import group_fingerprints
from skillscan.model import Finding, Package, RuleClass, Severity
from skillscan.suppress import Baseline, as_evidence, baseline_key, inline_suppressions, is_suppressed


def merge_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings of *different* engines about the same capability at the same place become one, keeping
    the strongest evidence."""
    def strength(f: Finding) -> tuple[int, int, int]:
        cls = {RuleClass.MALICIOUS: 2, RuleClass.CAPABILITY: 1, RuleClass.HYGIENE: 0}[f.rule_class]
        return (cls, int(f.severity), int(f.confidence))

    best: dict[tuple[str, int, frozenset[str]], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if not f.capabilities:
            out.append(f)
            continue
        key = (f.location.path, f.location.line, frozenset(str(c) for c in f.capabilities))
        other = best.get(key)
        if other is None:
            best[key] = f
        elif other.engine != f.engine:
            win, lose = (f, other) if strength(f) > strength(other) else (other, f)
            if lose.flow is not None and win.flow is None:  # the flow facts (what is sent where) stay stated
                win = replace(win, flow=lose.flow, message=f"{win.message}; {lose.message}")
            best[key] = win
        else:
            out.append(f)
    return out + list(best.values())


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.location.path, f.location.line, f.location.column, f.rule_id, f.message)


def filter_findings(pkg: Package, findings: list[Finding], config: Config | None, author: bool,
                    baseline: Baseline | None, context: Sequence[Finding] = ()) -> tuple[list[Finding], int, int]:
    """The scan's `config` (disable, ignores, severity remaps), then inline suppressions (`author` mode only),
    then the baseline (by the fingerprint of the folded report finding each belongs to, folded with the
    `context` findings decided before). Suppressed and baselined findings stay only as capability evidence."""
    if config is not None:
        findings = config.apply(findings, pkg.root)
    suppressed = baselined = 0
    if author:
        marks = inline_suppressions(pkg)
        if marks:
            kept = []
            for f in findings:
                if f.severity > Severity.INFO and is_suppressed(f, marks):
                    kept.append(as_evidence(f))
                    suppressed += 1
                else:
                    kept.append(f)
            findings = kept
    if baseline is not None and baseline.keys:
        kept = []
        for f, fp in zip(findings, group_fingerprints(findings, context), strict=True):
            if f.severity > Severity.INFO and baseline_key(pkg.root, fp) in baseline:
                kept.append(as_evidence(f))
                baselined += 1
            else:
                kept.append(f)
        findings = kept
    return findings, suppressed, baselined
