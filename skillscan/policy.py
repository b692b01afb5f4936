"""Decide: findings (and, later, the capability diff) → Verdict. This first policy grades by rule
class, severity and confidence; the least-privilege gate replaces it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skillscan.model import Confidence, Decision, Finding, Package, RuleClass, Severity, Verdict


def decide(package: Package, findings: Sequence[Finding], errors: Sequence[str], options: Any) -> Verdict:
    reasons: list[str] = []
    decision = Decision.ALLOW
    for f in findings:
        step = Decision.ALLOW
        if f.rule_class is RuleClass.MALICIOUS:
            step = Decision.BLOCK if f.confidence >= Confidence.MEDIUM else Decision.REVIEW
        elif f.rule_class is RuleClass.CAPABILITY and f.severity >= Severity.HIGH:
            step = Decision.BLOCK if f.severity == Severity.CRITICAL and f.confidence == Confidence.HIGH \
                else Decision.REVIEW
        elif f.rule_id == "analysis-incomplete":
            step = Decision.REVIEW
        if step.rank > Decision.ALLOW.rank:
            reasons.append(f"{f.rule_id}: {f.message} ({f.location.path}:{f.location.line})")
        if step.rank > decision.rank:
            decision = step
    if errors and decision is Decision.ALLOW:
        decision = Decision.REVIEW
        reasons.extend(errors)
    return Verdict(decision=decision, reasons=tuple(dict.fromkeys(reasons)))
