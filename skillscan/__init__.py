"""skillscan: a static scanner and least-privilege gate for AI agent skill packages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skillscan._version import __version__

__all__ = ["__version__", "scan"]

if TYPE_CHECKING:
    from collections.abc import Sequence

    from skillscan.engine import ScanOptions
    from skillscan.model import Report


def scan(paths: Sequence[str], options: ScanOptions | None = None) -> Report:
    """Scan paths and return the report (the public API)."""
    from skillscan.engine import ScanOptions
    from skillscan.engine import scan as _scan

    return _scan(paths, options or ScanOptions())
