"""Archives are read in memory, never extracted (full implementation in the formats issue)."""

from __future__ import annotations

from pathlib import Path

from skillscan.loaders.files import Limits
from skillscan.model import Package

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar", ".skill", ".mcpb", ".difypkg", ".plugin")


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def load_archive(input_arg: str, path: Path, limits: Limits) -> list[Package]:
    from skillscan.loaders.discover import error_package

    return [error_package(input_arg, f"{input_arg}: archive input is not supported yet")]
