"""The two analyzer shapes (DESIGN.md "Analyze") and the helper every engine uses to build findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from skillscan.catalog import get_catalog
from skillscan.lines import line_col, nth_line
from skillscan.model import Capability, Channel, Confidence, Finding, Location, Package, PackageFile, Severity


@dataclass(frozen=True)
class FileResult:
    findings: tuple[Finding, ...] = ()
    virtual_files: tuple[PackageFile, ...] = ()  # decoded payloads every later engine scans


@runtime_checkable
class FileAnalyzer(Protocol):
    """Pure per-file work; runs in a process pool. `package` carries context but no file bodies."""

    name: str

    def applies(self, file: PackageFile) -> bool: ...

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult: ...


@runtime_checkable
class PackageAnalyzer(Protocol):
    """Whole-package work on manifests and surfaces; runs in the main process, cheap."""

    name: str

    def analyze_package(self, package: Package) -> Sequence[Finding]: ...


@runtime_checkable
class BatchAnalyzer(Protocol):
    """Many packages at once (semgrep): one process per batch, results mapped back per package."""

    name: str

    def applies(self, file: PackageFile) -> bool: ...  # a package waits for a batch only if a file applies

    def analyze_batch(self, packages: Sequence[Package]) -> list[list[Finding]]: ...


def finding(
    rule_id: str,
    message: str,
    path: str,
    line: int = 1,
    column: int = 1,
    *,
    snippet: str = "",
    capabilities: Iterable[Capability | str] = (),
    channel: Channel = Channel.CODE,
    confidence: Confidence | None = None,
    severity: Severity | None = None,
    related: Iterable[Location] = (),
    decoded: str | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
) -> Finding:
    """Build a finding for a catalog rule; severity, confidence and class default to the rule's."""
    rule = get_catalog().rule(rule_id)
    caps = tuple(c if isinstance(c, Capability) else Capability.parse(c) for c in capabilities)
    return Finding(
        rule_id=rule.id,
        message=message,
        location=Location(path, max(1, line), max(1, column), end_line, end_column, snippet[:500]),
        severity=rule.severity if severity is None else severity,
        confidence=rule.confidence if confidence is None else confidence,
        rule_class=rule.rule_class,
        capabilities=caps,
        channel=channel,
        related=tuple(related),
        decoded=decoded,
        engine=rule.engine,
    )


def more_note(more: int, limit: int, per: str = "file") -> str:
    """The words a finding capped per rule ends with: how many more places the cap of `limit` left unlisted.
    Only the message says it: no finding is added, so the note never changes a verdict on its own."""
    return f" [{more} more in this {per} not shown: at most {limit} are reported per {per}]"


def line_of(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    return line_col(text, offset)  # one pass per text, then a binary search per offset


def line_text(text: str, line: int) -> str:
    return nth_line(text, line)  # the line as `text_lines` gives it, without splitting the whole text per call
