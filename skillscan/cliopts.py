"""Checks and helpers for command-line values, shared by every command: they turn a bad value into a
one-line usage error (exit 2) before any work starts, never a traceback."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path

import typer

EXIT_ERROR = 2


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def fail(message: str) -> typer.Exit:
    """Print `skillscan: message` on stderr; the caller raises the returned exit (code 2)."""
    typer.echo(f"skillscan: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def check_jobs(jobs: int | None) -> int | None:
    """`--jobs`/`jobs =`: 0 means one worker per core; otherwise 1 … 4 × cores."""
    if jobs is None:
        return None
    top = 4 * cores()
    if jobs < 0 or jobs > top:
        raise fail(f"jobs {jobs} (--jobs or the configuration's `jobs`) is out of range: use 1 to {top} "
                   f"(4 × {cores()} cores), or 0 for one per core")
    return jobs


def check_writable(path: Path | None, flag: str) -> None:
    """An output file must be creatable: its directory exists and is writable, and it is not a directory.
    Checked before scanning, so a typo does not cost a whole scan."""
    if path is None or str(path) == "-":
        return
    if path.is_dir():
        raise fail(f"cannot write {flag} {path}: it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise fail(f"cannot write {flag} {path}: directory {parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK) or not path.exists() and not os.access(parent, os.W_OK):
        raise fail(f"cannot write {flag} {path}: permission denied")


def write_file(path: Path, data: bytes | list[bytes]) -> None:
    """Write an output file; an OS error is a one-line error and exit 2."""
    chunks = [data] if isinstance(data, bytes) else data
    try:
        with open(path, "wb") as fh:
            fh.writelines(chunks)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


def use_color(mode: ColorMode, to_terminal: bool) -> bool:
    """`--color always|never` wins; `auto` colours a terminal unless NO_COLOR is set (no-color.org:
    present and not empty)."""
    if mode is ColorMode.always:
        return True
    if mode is ColorMode.never:
        return False
    return to_terminal and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def echo_errors(report: object) -> None:
    """Each error of a package that could not be scanned, one line each on stderr (sanitised: package text)."""
    from skillscan.model import Decision, Report
    from skillscan.report.sanitize import visible

    assert isinstance(report, Report)
    for r in report.results:
        if r.verdict.decision is Decision.ERROR:
            for err in r.errors or r.verdict.reasons[:1]:
                typer.echo(f"skillscan: error: {visible(err)}", err=True)
