"""The command line: `skillscan scan | rules | explain`. Nothing but the report goes to stdout."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from skillscan import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Static scanner and least-privilege gate for AI agent skill packages.")

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


class FailOn(StrEnum):
    block = "block"
    review = "review"
    never = "never"


class MinSeverity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillscan {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                          help="Print the version and exit.")] = None) -> None:
    """Static scanner and least-privilege gate for AI agent skill packages."""


def exit_code(report: object, fail_on: str) -> int:
    from skillscan.model import Decision, Report

    assert isinstance(report, Report)
    if fail_on == "never":
        return EXIT_OK
    if any(r.verdict.decision is Decision.ERROR or r.errors and r.package.format == "unknown" for r in report.results):
        return EXIT_ERROR
    threshold = Decision.BLOCK.rank if fail_on == "block" else Decision.REVIEW.rank
    if any(r.verdict.decision.rank >= threshold for r in report.results):
        return EXIT_FAIL
    return EXIT_OK


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def scan(
    paths: Annotated[list[str], typer.Argument(help="Skill directories, files or archives to scan.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here.")] = None,
    sarif_output: Annotated[Optional[Path], typer.Option("--sarif-output", help="Also write SARIF here.")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 at or above this verdict.")] = FailOn.block,
    min_severity: Annotated[MinSeverity, typer.Option("--min-severity", help="Hide findings below this (info findings are capability evidence).")]
    = MinSeverity.low,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0 = one per core).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")] = False,
    author: Annotated[bool, typer.Option("--author", help="Author mode: honour inline suppressions.")] = False,
) -> None:
    """Scan packages and report findings, capabilities and a verdict."""
    from skillscan.engine import ScanOptions, scan as run_scan
    from skillscan.model import Severity
    from skillscan.report import renderer

    options = ScanOptions(jobs=jobs, author=author, min_severity=Severity.parse(min_severity.value))
    status = None
    if not quiet and sys.stderr.isatty() and len(paths) > 1:
        from rich.console import Console

        status = Console(stderr=True).status(f"scanning {len(paths)} inputs…")
        status.start()
    try:
        report = run_scan(paths, options)
    except Exception as exc:  # internal error: exit 2 with a message, never a traceback on stdout
        if status:
            status.stop()
        typer.echo(f"skillscan: internal error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR if fail_on != FailOn.never else EXIT_OK) from None
    if status:
        status.stop()
    if format == OutputFormat.text:
        from skillscan.report.text import render as render_text

        text = render_text(report, color=output is None and sys.stdout.isatty())
    else:
        text = renderer(format.value)(report)
    _write(text, output)
    if sarif_output is not None:
        sarif_output.write_text(renderer("sarif")(report), encoding="utf-8")
    raise typer.Exit(exit_code(report, fail_on.value))


@app.command()
def rules(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """List every rule in the catalog."""
    from skillscan.catalog import get_catalog

    catalog = get_catalog()
    if format == "json":
        import json

        typer.echo(json.dumps([{"id": r.id, "title": r.title, "class": r.rule_class.value, "engine": r.engine,
                                "severity": r.severity.label, "confidence": r.confidence.label,
                                "capability": r.capability} for r in catalog.sorted()], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(catalog.rules)} rules")
    for col in ("id", "class", "severity", "confidence", "engine", "title"):
        table.add_column(col)
    for r in catalog.sorted():
        table.add_row(r.id, r.rule_class.value, r.severity.label, r.confidence.label, r.engine, r.title)
    Console(width=160).print(table)


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. unscoped-bash-preapproval.")]) -> None:
    """Show a rule's documentation."""
    from skillscan.catalog import get_catalog
    from skillscan.report.sarif import rule_markdown

    catalog = get_catalog()
    if rule_id not in catalog:
        typer.echo(f"skillscan: unknown rule {rule_id!r} (see `skillscan rules`)", err=True)
        raise typer.Exit(EXIT_ERROR)
    rule = catalog.rule(rule_id)
    header = (f"# {rule.id}: {rule.title}\n\nclass: {rule.rule_class.value} · severity: {rule.severity.label} · "
              f"confidence: {rule.confidence.label} · engine: {rule.engine}"
              f"{' · capability: ' + rule.capability if rule.capability else ''}\n\n")
    typer.echo(header + rule_markdown(rule))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
