"""The command line: `skillscan scan | rules | explain`. Nothing but the report goes to stdout."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from skillscan._version import __version__
from skillscan.cliopts import ColorMode, check_jobs, check_writable, echo_errors, use_color, write_file

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Static scanner and least-privilege gate for AI agent skill packages.")

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"
    html = "html"


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
def root(version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True,
                                                          help="Print the version and exit.")] = None) -> None:
    """Static scanner and least-privilege gate for AI agent skill packages."""


def exit_code(report: object, fail_on: str) -> int:
    """DESIGN.md "Exit codes": 2 if anything could not be scanned (an `error` verdict, or a package
    with errors — unreadable manifest, crashed engine); else 1 if any package is at or above
    `fail_on`; else 0. `never` exits 0 (usage errors exit 2 before a scan starts)."""
    from skillscan.model import Decision, Report

    assert isinstance(report, Report)
    if fail_on == "never":
        return EXIT_OK
    if any(r.verdict.decision is Decision.ERROR or r.errors for r in report.results):
        return EXIT_ERROR
    threshold = Decision.BLOCK.rank if fail_on == "block" else Decision.REVIEW.rank
    if any(r.verdict.decision.rank >= threshold for r in report.results):
        return EXIT_FAIL
    return EXIT_OK


def _write(text: str | list[bytes], output: Path | None) -> None:
    """Write a report: text, or UTF-8 pieces written one after the other (never joined)."""
    chunks = [text.encode("utf-8")] if isinstance(text, str) else text
    if output is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stream (an embedding application's)
            sys.stdout.write(b"".join(chunks).decode("utf-8"))
            sys.stdout.flush()
            return
        sys.stdout.flush()
        buffer.writelines(chunks)
        buffer.flush()
        return
    write_file(output, chunks)


class _Progress:
    """A rich progress bar on stderr, shown only on a terminal and only once a scan turns out to
    hold several packages. stdout carries nothing but the report."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.tasks: dict[str, object] = {}
        self.started = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.started:
            if stage == "analyze" and total < 4 or stage == "decide" and total < 2:
                return
            self.bar.start()
            self.started = True
        if stage not in self.tasks:
            label = {"analyze": "analysing files", "decide": "deciding packages"}.get(stage, stage)
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.started:
            self.bar.stop()


def _options(paths: list[str], *, config: Path | None, no_config: bool, baseline: Path | None,
             author: bool, jobs: int | None, min_severity: str | None, fail_on: str | None,
             **extra: object) -> tuple[object, str]:
    """ScanOptions and the fail-on threshold: the command line wins over the configuration, which wins
    over the defaults. A bad configuration or baseline is a usage error (exit 2)."""
    from skillscan.config import Config, ConfigError, load_config
    from skillscan.engine import ScanOptions
    from skillscan.model import Severity
    from skillscan.suppress import Baseline, BaselineError

    try:
        cfg = Config() if no_config else load_config(str(config) if config else None, scanned=paths, author=author)
        baseline_path = str(baseline) if baseline else cfg.baseline
        loaded_baseline = Baseline.load(baseline_path) if baseline_path else None
    except (ConfigError, BaselineError) as exc:
        typer.echo(f"skillscan: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    options = ScanOptions(
        jobs=check_jobs(jobs if jobs is not None else (cfg.jobs or 0)) or 0,
        author=author,
        min_severity=Severity.parse(min_severity or cfg.min_severity or "low"),
        config=cfg,
        baseline=loaded_baseline,
        **{k: v for k, v in extra.items() if v is not None},  # type: ignore[arg-type]
    )
    return options, (fail_on or cfg.fail_on or "block")


ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Configuration file (skillscan.toml or pyproject.toml).")]
NoConfigOpt = Annotated[bool, typer.Option("--no-config", help="Ignore any configuration file.")]
BaselineOpt = Annotated[Path | None, typer.Option("--baseline", help="Keep the findings in this baseline out of the verdict.")]


@app.command()
def scan(
    paths: Annotated[list[str], typer.Argument(help="Skill directories, files, archives or remote sources to scan.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    sarif_output: Annotated[Path | None, typer.Option("--sarif-output", help="Also write SARIF here.")] = None,
    html_output: Annotated[Path | None, typer.Option("--html-output", help="Also write the HTML report here.")] = None,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help="Exit 1 at or above this verdict [default: block].")] = None,
    min_severity: Annotated[MinSeverity | None, typer.Option("--min-severity", help="Hide findings below this (info findings are capability evidence) [default: low].")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes, 1 to 4 × cores (0 = one per core).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the report and errors: no progress, no summary line.")] = False,
    color: Annotated[ColorMode, typer.Option("--color", help="Colour the text report: auto (a terminal, unless NO_COLOR is set), always, never.")] = ColorMode.auto,
    author: Annotated[bool, typer.Option("--author", help="Author mode: honour inline suppressions and package config.")] = False,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    baseline: BaselineOpt = None,
    max_files: Annotated[int | None, typer.Option("--max-files", help="Files per package / archive members [default: 10000].")] = None,
    max_file_size: Annotated[str | None, typer.Option("--max-file-size", help="Bytes read per file, e.g. 50M [default: 50M].")] = None,
    max_total_size: Annotated[str | None, typer.Option("--max-total-size", help="Bytes read per package or archive, e.g. 512M [default: 512M].")] = None,
    max_ratio: Annotated[int | None, typer.Option("--max-ratio", help="Archive compression-ratio cap [default: 200].")] = None,
    max_archive_depth: Annotated[int | None, typer.Option("--max-archive-depth", help="Nested archives opened this deep [default: 3].")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache.")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Result cache directory [default: the user cache].")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Gate policy: a preset (default, strict, author) or a policy YAML [default: default].")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD for waivers [default: SOURCE_DATE_EPOCH or today].")] = None,
    ca_bundle: Annotated[Path | None, typer.Option("--ca-bundle", help="Trust only these CA certificates (PEM) for remote sources [default: SSL_CERT_FILE, else the system trust store].")] = None,
) -> None:
    """Scan packages and report findings, capabilities and a verdict."""
    _check_policy(policy, as_of)
    check_writable(output, "--output")
    check_writable(sarif_output, "--sarif-output")
    check_writable(html_output, "--html-output")
    if ca_bundle is not None:
        _use_ca_bundle(ca_bundle)
    author = author or str(policy) == "author"  # the author preset: the default's decisions, suppressions honoured
    from skillscan.engine import scan as run_scan
    from skillscan.loaders.files import limits_from_options
    from skillscan.report import renderer

    try:
        limits = limits_from_options(max_files=max_files, max_file_size=max_file_size, max_total_size=max_total_size,
                                     max_ratio=max_ratio, max_archive_depth=max_archive_depth)
    except ValueError as exc:
        typer.echo(f"skillscan: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    options, fail = _options(paths, config=config, no_config=no_config, baseline=baseline, author=author, jobs=jobs,
                             min_severity=min_severity.value if min_severity else None,
                             fail_on=fail_on.value if fail_on else None, limits=limits, use_cache=not no_cache,
                             cache_dir=str(cache_dir) if cache_dir else None,
                             policy_path=str(policy) if policy else None, as_of=as_of)
    status = None
    if not quiet and sys.stderr.isatty():
        from dataclasses import replace

        status = _Progress()
        options = replace(options, progress=status)  # type: ignore[type-var]
    try:
        report = run_scan(paths, options)  # type: ignore[arg-type]
    except Exception as exc:  # internal error: exit 2 with a message, never a traceback on stdout
        if status:
            status.stop()
        typer.echo(f"skillscan: internal error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR if fail != "never" else EXIT_OK) from None
    if status:
        status.stop()
    try:
        if format == OutputFormat.text:
            from skillscan.report.text import render as render_text

            text = render_text(report, color=use_color(color, output is None), summary=not quiet)
        else:
            from skillscan.report.json import render_chunks

            text = render_chunks(report) if format == OutputFormat.json else renderer(format.value)(report)
        sarif_text = renderer("sarif")(report) if sarif_output is not None else ""
        html_text = renderer("html")(report) if html_output is not None else ""
    except Exception as exc:  # a renderer bug is an internal error (exit 2), never a traceback
        typer.echo(f"skillscan: internal error while rendering: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR if fail != "never" else EXIT_OK) from None
    _write(text, output)
    if sarif_output is not None:
        _write(sarif_text, sarif_output)
    if html_output is not None:
        _write(html_text, html_output)
    if format != OutputFormat.text or output is not None:  # the text report on a terminal shows them
        echo_errors(report)
    if output is not None and not quiet:
        from skillscan.report.text import summary_line

        typer.echo(f"skillscan: {summary_line(report)}; report written to {output}", err=True)
    raise typer.Exit(exit_code(report, fail))


def _use_ca_bundle(path: Path) -> None:
    """--ca-bundle: checked now (a usage error if unreadable), used by every download of this run."""
    import os

    from skillscan.loaders.transport import CA_BUNDLE_ENV

    if not path.is_file():
        typer.echo(f"skillscan: --ca-bundle {path}: no such file", err=True)
        raise typer.Exit(EXIT_ERROR)
    os.environ[CA_BUNDLE_ENV] = str(path.resolve())


def _check_policy(policy: Path | None, as_of: str | None) -> object:
    """Load the policy and check the date before scanning: a bad one is a usage error (exit 2)."""
    import datetime

    from skillscan.policy import PolicyError, load_policy

    if as_of is not None:
        try:
            datetime.date.fromisoformat(as_of)
        except ValueError:
            typer.echo(f"skillscan: --as-of {as_of!r} is not a date (YYYY-MM-DD)", err=True)
            raise typer.Exit(EXIT_ERROR) from None
    try:
        return load_policy(str(policy) if policy else None)
    except PolicyError as exc:
        typer.echo(f"skillscan: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


@app.command()
def gate(
    paths: Annotated[list[str], typer.Argument(help="Packages to judge (directories, archives, remote sources).")],
    policy: Annotated[Path | None, typer.Option("--policy", help="Gate policy: a preset (default, strict, author) or a policy YAML [default: default].")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="The previous approved verdict record (or JSON report): capabilities new since then force at least review.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD for waivers [default: SOURCE_DATE_EPOCH or today].")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the verdict record here.")] = None,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help="Exit 1 at or above this decision [default: block].")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes, 1 to 4 × cores (0 = one per core).")] = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Judge packages against the gate policy and write the verdict record (skillscan.verdict/v1)."""
    import json
    from dataclasses import replace

    from skillscan.drift import drift
    from skillscan.engine import scan as run_scan
    from skillscan.model import Report
    from skillscan.policy import resolve_as_of
    from skillscan.report.record import previous_entries, previous_key, render, verdict_record

    loaded = _check_policy(policy, as_of)
    check_writable(output, "--output")
    prev: dict[str, dict[str, object]] = {}
    if previous is not None:
        try:
            prev = previous_entries(json.loads(previous.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            typer.echo(f"skillscan: cannot read previous verdict {previous}: {exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
    day = resolve_as_of(as_of).isoformat()
    options, fail = _options(paths, config=config, no_config=no_config, baseline=None, author=False, jobs=jobs,
                             min_severity="info", fail_on=fail_on.value if fail_on else None,
                             policy_path=str(policy) if policy else None, as_of=day, use_cache=False, gate=True)
    try:
        report = run_scan(paths, options)  # type: ignore[arg-type]
    except Exception as exc:  # internal error: exit 2 with a message, never a traceback on stdout
        typer.echo(f"skillscan: internal error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    results = []
    matched: dict[str, dict[str, object]] = {}
    for r in report.results:
        key = previous_key({"format": r.package.format, "name": r.package.name})
        entry = prev.get(key) or (next(iter(prev.values())) if len(prev) == 1 and len(report.results) == 1 else None)
        if entry is not None and r.verdict.decision.value != "error":
            verdict, _ = drift(r.verdict, entry, loaded)  # type: ignore[arg-type]
            r = replace(r, verdict=verdict)
            matched[key] = entry
        results.append(r)
    report = replace(report, results=tuple(results))
    record = verdict_record(report, loaded, day, matched)  # type: ignore[arg-type]
    _write(render(record), output)
    echo_errors(report)
    assert isinstance(report, Report)
    raise typer.Exit(exit_code(report, fail))


baseline_app = typer.Typer(help="Create baselines of accepted findings.", no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("create")
def baseline_create(
    paths: Annotated[list[str], typer.Argument(help="What to scan.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(".skillscan-baseline.json"),
    author: Annotated[bool, typer.Option("--author", help="Author mode: honour inline suppressions.")] = False,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes, 1 to 4 × cores (0 = one per core).")] = None,
) -> None:
    """Scan and write the content fingerprints of every finding to a baseline file."""
    import json

    from skillscan.engine import scan as run_scan
    from skillscan.suppress import baseline_document

    check_writable(output, "--output")
    options, _ = _options(paths, config=config, no_config=no_config, baseline=None, author=author, jobs=jobs,
                          min_severity="low", fail_on="never")
    report = run_scan(paths, options)  # type: ignore[arg-type]
    doc = baseline_document(report.results)
    write_file(output, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    typer.echo(f"skillscan: wrote {len(doc['fingerprints'])} fingerprints to {output}", err=True)
    errors = [r for r in report.results if r.verdict.decision.value == "error"]
    raise typer.Exit(EXIT_ERROR if errors else EXIT_OK)


class RulesFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="table, json, or markdown (docs/rules.md).")]
    = RulesFormat.table,
) -> None:
    """List every rule in the catalog."""
    from skillscan.catalog import get_catalog

    catalog = get_catalog()
    if format == RulesFormat.markdown:
        from skillscan.docs import rules_markdown

        sys.stdout.write(rules_markdown(catalog.sorted()))
        return
    if format == RulesFormat.json:
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
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. unscoped-bash-preapproval.")]) -> None:
    """Show a rule's documentation."""
    from skillscan.catalog import get_catalog
    from skillscan.docs import explain_markdown

    catalog = get_catalog()
    if rule_id not in catalog:
        typer.echo(f"skillscan: unknown rule {rule_id!r} (see `skillscan rules`)", err=True)
        raise typer.Exit(EXIT_ERROR)
    text = explain_markdown(catalog.rule(rule_id))
    if sys.stdout.isatty():  # rendered on a terminal, the Markdown source otherwise
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
             add_help_option=False)
def serve(ctx: typer.Context) -> None:
    """The gate as a service (needs the serve extra): `skillscan serve --help`."""
    from skillscan.serve.cli import main as serve_main

    raise typer.Exit(serve_main(list(ctx.args)))


def _app_for(args: list[str]) -> typer.Typer:
    """The app to run for these arguments. Typer turns every registered command's signature into click
    parameters before it looks at argv (~5 ms for the five commands); when the first argument names a
    plain command, an app with the root callback and that command alone runs it the same way."""
    name = args[0] if args else ""
    if not name or name.startswith("-"):
        return app
    for info in app.registered_commands:
        if info.callback is not None and (info.name or info.callback.__name__.replace("_", "-")) == name:
            one = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                              help=app.info.help)
            one.registered_callback = app.registered_callback
            one.registered_commands = [info]
            return one
    return app


def main() -> None:
    from skillscan import dataclass_cache, lazyre_cache

    lazyre_cache.install()  # regexes compiled by an earlier process are read, not compiled again
    dataclass_cache.install()  # likewise the methods `@dataclass` generates
    try:
        _app_for(sys.argv[1:])()
    except SystemExit as done:
        _exit_now(done.code)
        raise


def _exit_now(code: object) -> None:
    """End the process at once when the command is done. The interpreter's own shutdown frees every object one
    by one (the engines' tables, libcst's classes, compiled rules: ~0.1 s of CPU after scanning one small skill,
    issue 23) for memory the system takes back whole anyway. Only for an exit code (not a message) with no
    other non-daemon thread alive; the exit handlers (the caches' saves, a pool's clean-up) run first and the
    standard streams are flushed. Returns, for the ordinary shutdown, when any of that cannot be done."""
    import atexit
    import os
    import threading

    if code is None:
        code = 0
    if not isinstance(code, int) or any(t.is_alive() and not t.daemon and t is not threading.main_thread()
                                        for t in threading.enumerate()):
        return
    try:
        atexit._run_exitfuncs()  # runs each handler once and forgets it: none runs twice should this return
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # noqa: BLE001 — a closed pipe, a failing handler: the ordinary shutdown reports it
        return
    os._exit(code & 0xFF)


if __name__ == "__main__":
    main()
