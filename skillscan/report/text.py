"""The human report (rich): per package a verdict line, findings grouped by file with the snippet, a
remediation and a link to each rule's docs, and the capability summary. Every string from a package
goes through `sanitize.visible` (no escape sequence or newline reaches the terminal) and rich's markup
escape; lines are never hard-wrapped (a pipe or a file gets the whole line)."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from skillscan.model import Finding, PackageResult, Report
from skillscan.report.sanitize import visible

STYLE = {"allow": "bold green", "review": "bold yellow", "block": "bold red", "error": "bold magenta"}
SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _s(text: object) -> str:
    """Package text, safe for the terminal and for rich markup."""
    return escape(visible(text))


def _help(rule_id: str) -> str:
    from skillscan.catalog import get_catalog
    from skillscan.docs import help_uri

    catalog = get_catalog()
    remediation = " ".join(catalog.rule(rule_id).docs.remediation.split()) if rule_id in catalog else ""
    return f"{remediation} See {help_uri(rule_id)}" if remediation else f"See {help_uri(rule_id)}"


def _findings(console: Console, r: PackageResult) -> None:
    helped: set[str] = set()
    for path, group in groupby(r.findings, key=lambda f: f.location.path):
        console.print(f"  [bold]{_s(path)}[/]")
        for f in group:
            _finding(console, f, first=f.rule_id not in helped)
            helped.add(f.rule_id)


def _finding(console: Console, f: Finding, *, first: bool) -> None:
    sev = f.severity.label
    mark = " [dim](in the baseline)[/]" if f.baselined else ""
    console.print(f"    [{SEV_STYLE[sev]}]{sev:8}[/] {f.location.line}:{f.location.column} "
                  f"[bold]{f.rule_id}[/] {_s(f.message)}{mark}")
    if f.location.snippet:
        console.print(f"             [dim]│ {_s(f.location.snippet.strip()[:160])}[/]")
    if f.decoded:
        console.print(f"             [dim]decoded: {_s(f.decoded.strip()[:160])}[/]")
    if first:
        console.print(f"             [dim]help: {escape(_help(f.rule_id))}[/]")


def _package(console: Console, r: PackageResult) -> None:
    v = r.verdict.decision.value
    console.print(f"[{STYLE[v]}]{v.upper():6}[/] {_s(r.package.root)}  [dim]({r.package.format}"
                  f"{', ' + _s(r.package.name) if r.package.name else ''})[/]")
    reasons = [x for x in r.verdict.reasons if x not in r.errors]  # errors are printed below
    for reason in reasons[:10]:
        console.print(f"  [dim]reason:[/] {_s(reason)}")
    if len(reasons) > 10:
        console.print(f"  [dim]… and {len(reasons) - 10} more reasons[/]")
    if r.baselined or r.suppressed:
        console.print(f"  [dim]{r.baselined} finding(s) in the baseline, {r.suppressed} suppressed inline[/]")
    for err in r.errors:
        console.print(f"  [bold magenta]error:[/] {_s(err)}")
    _findings(console, r)
    v_ = r.verdict
    if v_.inferred:
        console.print("  capabilities: " + _s(", ".join(str(i.capability) for i in v_.inferred)))
    if v_.undeclared:
        console.print("  [yellow]undeclared:[/] " + _s(", ".join(str(c) for c in v_.undeclared)))
    if v_.unused:
        console.print("  [dim]declared but unused:[/] " + _s(", ".join(str(c) for c in v_.unused)))
    if v_.suggested_declaration:
        fmt, text = v_.suggested_declaration[0]
        console.print(f"  suggested declaration ({_s(fmt)}):")
        for line in text.splitlines():
            console.print(f"    {_s(line)}")
    console.print()


def summary_line(report: Report) -> str:
    counts = {k: sum(1 for r in report.results if r.verdict.decision.value == k) for k in STYLE}
    return (f"{len(report.results)} package(s): {counts['allow']} allow, {counts['review']} review, "
            f"{counts['block']} block, {counts['error']} error in {report.seconds:.2f}s")


def render(report: Report, *, color: bool = False, summary: bool = True) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                      highlight=False, emoji=False, soft_wrap=True, width=10_000)
    for r in report.results:
        _package(console, r)
    if summary:
        console.print(summary_line(report))
    return buf.getvalue()
