"""The Markdown report: hostile names cannot break its tables, and it stays under GitHub's comment limit."""

from __future__ import annotations

import re

from skillscan.model import (
    Confidence, Decision, Finding, Location, Package, PackageResult, Report, RuleClass, Severity, Verdict,
)
from skillscan.report.markdown import render


def _result(root: str, decision: Decision, n_findings: int, message: str = "m") -> PackageResult:
    pkg = Package(input=root, root=root, format="agent-skill", name=root, sha256="0" * 64)
    findings = tuple(
        Finding(rule_id="unscoped-bash-preapproval", message=f"{message} {i}", severity=Severity.MEDIUM,
                confidence=Confidence.HIGH, rule_class=RuleClass.HYGIENE, location=Location("SKILL.md", i + 1, 1))
        for i in range(n_findings))
    return PackageResult(pkg, findings, Verdict(decision, reasons=("because",) if decision != Decision.ALLOW else ()))


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_hostile_names_stay_inside_their_cells() -> None:
    hostile = "evil|`name`<script>|\n## heading"
    report = Report(results=(_result(hostile, Decision.REVIEW, 1, message="a | b <img src=x>"),))
    md = render(report)
    table_rows = [ln for ln in md.splitlines() if ln.startswith("| ")]
    assert table_rows and all(_unescaped_pipes(row) == _unescaped_pipes(table_rows[0]) for row in table_rows[:2])
    finding_rows = [ln for ln in md.splitlines() if "unscoped-bash-preapproval" in ln]
    assert finding_rows and all(_unescaped_pipes(row) == 5 for row in finding_rows)
    prose = re.sub(r"`[^`]*`", "", re.sub(r"``.*?``", "", md))  # code spans show their text literally
    assert "<script>" not in prose and "<img" not in prose
    assert "\n## heading" not in md  # a newline in a name cannot start a heading


def test_size_stays_under_githubs_comment_limit() -> None:
    results = tuple(_result(f"skills/pkg-{i:03d}", Decision.BLOCK, 80, message="x" * 150) for i in range(60))
    md = render(Report(results=results))
    assert len(md) < 65_536
    assert "left out to stay under GitHub's comment size limit" in md
    assert "… and 30 more findings" in md  # at most 50 rows per package
    assert md.count("| ⛔ block |") == 60  # the summary table always lists every package


def test_allowed_packages_without_findings_get_no_section() -> None:
    md = render(Report(results=(_result("quiet", Decision.ALLOW, 0), _result("loud", Decision.REVIEW, 1))))
    assert "### ⚠️ review: `loud`" in md and "### ✅" not in md
    assert "| ✅ allow | `quiet` |" in md
