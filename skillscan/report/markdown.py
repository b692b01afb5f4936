"""Markdown for pull-request comments and GitHub step summaries: a summary table, then per package
its verdict, reasons, capabilities and findings. Kept under GitHub's comment size limit
(65,536 characters); what does not fit is counted, not silently dropped. Package text goes through
the sanitiser: no live link, image, mention, HTML or markup from a package."""

from __future__ import annotations

from collections import Counter

from skillscan.docs import help_uri
from skillscan.model import PackageResult, Report
from skillscan.report.sanitize import md_code, md_fence, md_text

ICON = {"allow": "✅", "review": "⚠️", "block": "⛔", "error": "❗"}
MAX_CHARS = 60_000  # GitHub rejects comments over 65,536 characters; leave room for a wrapper
MAX_ROWS = 50  # findings per package


def _cell(text: str, limit: int = 200) -> str:
    """Package text in a table cell or list item: no live link, image, mention or markup."""
    return md_text(text, limit)


def _code(text: str, limit: int = 120) -> str:
    """Package text as one inline code span that survives backticks and pipes in hostile names."""
    return md_code(text, limit)


def _package(r: PackageResult) -> list[str]:
    v = r.verdict.decision.value
    p = r.package
    title = f"{p.name} ({p.format})" if p.name else p.format
    lines = ["", f"### {ICON[v]} {v}: {_code(p.root)} — {_cell(title, 120)}", ""]
    for reason in r.verdict.reasons[:20]:
        lines.append(f"- {_cell(reason, 300)}")
    if len(r.verdict.reasons) > 20:
        lines.append(f"- … and {len(r.verdict.reasons) - 20} more reasons")
    for err in r.errors:
        lines.append(f"- ❗ error: {_cell(err, 300)}")
    verdict = r.verdict
    if verdict.inferred:
        lines += ["", "Capabilities: " + ", ".join(_code(str(i.capability), 80) for i in verdict.inferred[:40])]
    if verdict.undeclared:
        lines += ["", "Undeclared: " + ", ".join(_code(str(c), 80) for c in verdict.undeclared[:40])]
    if verdict.combinations:
        lines += ["", "Dangerous combinations: " + ", ".join(_cell(c, 80) for c in verdict.combinations[:20])]
    if r.findings:
        lines += ["", "| severity | rule | location | message |", "|---|---|---|---|"]
        for f in r.findings[:MAX_ROWS]:
            lines.append(f"| {f.severity.label} | [{f.rule_id}]({help_uri(f.rule_id)}) "
                         f"| {_code(f'{f.location.path}:{f.location.line}', 100)} | {_cell(f.message)} |")
        if len(r.findings) > MAX_ROWS:
            lines.append(f"\n… and {len(r.findings) - MAX_ROWS} more findings (see the JSON or SARIF report).")
    if verdict.suggested_declaration:
        fmt, text = verdict.suggested_declaration[0]
        lines += ["", f"Suggested minimal declaration ({_cell(fmt, 40)}):", "", md_fence(text)]
    return lines


def render(report: Report) -> str:
    counts = Counter(r.verdict.decision.value for r in report.results)
    lines = ["## skillscan report", ""]
    lines.append(f"{len(report.results)} package(s): " + ", ".join(
        f"{ICON[k]} {counts[k]} {k}" for k in ("block", "review", "allow", "error") if counts[k]))
    lines += ["", "| verdict | package | format | findings |", "|---|---|---|---|"]
    for r in report.results:
        v = r.verdict.decision.value
        lines.append(f"| {ICON[v]} {v} | {_code(r.package.root)} | {r.package.format} | {len(r.findings)} |")
    out = "\n".join(lines) + "\n"
    # packages that need attention first; allowed packages without findings get no section
    order = sorted(report.results, key=lambda r: -r.verdict.decision.rank)
    omitted = 0
    for r in order:
        if r.verdict.decision.value == "allow" and not r.findings:
            continue
        section = "\n".join(_package(r)) + "\n"
        if len(out) + len(section) > MAX_CHARS:
            omitted += 1
            continue
        out += section
    if omitted:
        out += f"\n_{omitted} package section(s) left out to stay under GitHub's comment size limit._\n"
    return out
