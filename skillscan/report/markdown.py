"""Markdown for PR comments and GitHub step summaries."""

from __future__ import annotations

from skillscan.model import Report

ICON = {"allow": "✅", "review": "⚠️", "block": "⛔", "error": "❗"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:200]


def render(report: Report) -> str:
    lines = ["# skillscan report", ""]
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.verdict.decision.value] = counts.get(r.verdict.decision.value, 0) + 1
    lines.append(f"{len(report.results)} package(s): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    lines.append("")
    lines.append("| verdict | package | format | findings |")
    lines.append("|---|---|---|---|")
    for r in report.results:
        v = r.verdict.decision.value
        lines.append(f"| {ICON[v]} {v} | `{_cell(r.package.root)}` | {r.package.format} | {len(r.findings)} |")
    for r in report.results:
        v = r.verdict.decision.value
        lines += ["", f"## {ICON[v]} `{_cell(r.package.root)}` — {v}", ""]
        for reason in r.verdict.reasons[:20]:
            lines.append(f"- {_cell(reason)}")
        if r.verdict.undeclared:
            lines.append("")
            lines.append("Undeclared capabilities: " + ", ".join(f"`{c}`" for c in r.verdict.undeclared))
        if r.findings:
            lines += ["", "| severity | rule | location | message |", "|---|---|---|---|"]
            for f in r.findings:
                lines.append(f"| {f.severity.label} | `{f.rule_id}` | `{_cell(f.location.path)}:{f.location.line}` "
                             f"| {_cell(f.message)} |")
        if r.verdict.suggested_declaration:
            fmt, text = r.verdict.suggested_declaration[0]
            lines += ["", f"Suggested minimal declaration ({fmt}):", "", "```", text, "```"]
    return "\n".join(lines) + "\n"
