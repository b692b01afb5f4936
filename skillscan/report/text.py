"""The human report (rich): per package a verdict line, findings grouped by file with the snippet,
and the capability summary."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from skillscan.model import Report

STYLE = {"allow": "bold green", "review": "bold yellow", "block": "bold red", "error": "bold magenta"}
SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def render(report: Report, *, color: bool = False, width: int = 100) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    for r in report.results:
        v = r.verdict.decision.value
        console.print(f"[{STYLE[v]}]{v.upper():6}[/] {escape(r.package.root)}  [dim]({r.package.format}"
                      f"{', ' + escape(r.package.name) if r.package.name else ''})[/]")
        reasons = [x for x in r.verdict.reasons if x not in r.errors]  # errors are printed below
        for reason in reasons[:10]:
            console.print(f"  [dim]reason:[/] {escape(reason)}")
        if len(reasons) > 10:
            console.print(f"  [dim]… and {len(reasons) - 10} more reasons[/]")
        if r.baselined or r.suppressed:
            console.print(f"  [dim]{r.baselined} finding(s) in the baseline, {r.suppressed} suppressed inline[/]")
        for err in r.errors:
            console.print(f"  [bold magenta]error:[/] {escape(err)}")
        for path, group in groupby(r.findings, key=lambda f: f.location.path):
            console.print(f"  [bold]{escape(path)}[/]")
            for f in group:
                sev = f.severity.label
                console.print(f"    [{SEV_STYLE[sev]}]{sev:8}[/] {f.location.line}:{f.location.column} "
                              f"[bold]{f.rule_id}[/] {escape(f.message)}")
                if f.location.snippet:
                    console.print(f"             [dim]│ {escape(f.location.snippet.strip()[:160])}[/]")
                if f.decoded:
                    console.print(f"             [dim]decoded: {escape(f.decoded.strip()[:160])}[/]")
        v_ = r.verdict
        if v_.inferred:
            console.print("  capabilities: " + escape(", ".join(str(i.capability) for i in v_.inferred)))
        if v_.undeclared:
            console.print("  [yellow]undeclared:[/] " + escape(", ".join(str(c) for c in v_.undeclared)))
        if v_.unused:
            console.print("  [dim]declared but unused:[/] " + escape(", ".join(str(c) for c in v_.unused)))
        if v_.suggested_declaration:
            fmt, text = v_.suggested_declaration[0]
            console.print(f"  suggested declaration ({fmt}):")
            for line in text.splitlines():
                console.print(f"    {escape(line)}")
        console.print()
    counts = {k: sum(1 for r in report.results if r.verdict.decision.value == k) for k in STYLE}
    console.print(f"{len(report.results)} package(s): {counts['allow']} allow, {counts['review']} review, "
                  f"{counts['block']} block, {counts['error']} error in {report.seconds:.2f}s")
    return buf.getvalue()
