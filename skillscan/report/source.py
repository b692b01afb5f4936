"""Source context for a report: the lines around a finding, read again from the scanned input after
the scan (the engine drops file contents once a package is decided, so memory follows a group).

- a directory or file on disk: the file under the package root (never outside it);
- a member of a local archive: the archive is read again in memory with the same safe reader and
  limits as the scan (one archive held at a time);
- a remote download, a member of a nested archive, a binary or a file that cannot be read: no
  context, and a note that says why (the finding's snippet is still shown).

Bounded: files over ``MAX_FILE_BYTES`` are not read, lines are cut at ``MAX_LINE_CHARS``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from skillscan.lines import text_lines
from skillscan.loaders.files import Limits

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_LINE_CHARS = 240
RADIUS = 2


@dataclass(frozen=True)
class Context:
    lines: tuple[tuple[int, str], ...]  # (line number, text) around the finding
    note: str = ""  # why there is no context, when there is none


def _is_remote(input_arg: str) -> bool:
    from skillscan.loaders.remote import is_remote

    return is_remote(input_arg)


class SourceReader:
    def __init__(self, limits: Limits | None = None, radius: int = RADIUS) -> None:
        self.limits = limits or Limits()
        self.radius = radius
        self._file: tuple[str, list[str] | None] = ("", None)
        self._archive: tuple[str, dict[str, str | None] | None, str] = ("", None, "")

    def context(self, input_arg: str, root: str, path: str, line: int) -> Context:
        if line < 1 or not path:
            return Context((), "")
        if _is_remote(input_arg):
            return Context((), "source context is not kept for remote downloads; scan a local copy to see it")
        if "!/" in path:
            return Context((), "source context is not shown for members of nested archives")
        if "!/" in root:
            lines, note = self._archive_lines(root, path)
        else:
            lines, note = self._disk_lines(root, path)
        if lines is None:
            return Context((), note)
        if line > len(lines):
            return Context((), "the file is shorter than at scan time")
        lo, hi = max(1, line - self.radius), min(len(lines), line + self.radius)
        return Context(tuple((n, lines[n - 1][:MAX_LINE_CHARS]) for n in range(lo, hi + 1)))

    def _disk_lines(self, root: str, path: str) -> tuple[list[str] | None, str]:
        base = Path(root)
        if base.is_file():
            base = base.parent
        target = base / path
        key = str(target)
        if self._file[0] == key:
            return self._file[1], "the file could not be read again"
        lines: list[str] | None = None
        try:
            real_base, real = os.path.realpath(base), os.path.realpath(target)
            if os.path.commonpath([real_base, real]) == real_base and os.path.getsize(real) <= MAX_FILE_BYTES:
                with open(real, "rb") as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)
                lines = _split(data)
        except (OSError, ValueError):
            lines = None
        self._file = (key, lines)
        return lines, "the file could not be read again (moved, too large, binary or outside the package)"

    def _archive_lines(self, root: str, path: str) -> tuple[list[str] | None, str]:
        archive, _, inner = root.partition("!/")
        if "!/" in inner:
            return None, "source context is not shown for members of nested archives"
        if self._archive[0] != archive:
            self._archive = (archive, *self._read_archive(archive))
        members, note = self._archive[1], self._archive[2]
        if members is None:
            return None, note
        text = members.get(f"{inner}/{path}" if inner else path)
        if text is None:
            return None, "the archive member is binary or was not read"
        return text_lines(text), ""

    def _read_archive(self, archive: str) -> tuple[dict[str, str | None] | None, str]:
        from skillscan.loaders.archive import MAX_ARCHIVE_BYTES, ArchiveError, read_archive

        try:
            if os.path.getsize(archive) > MAX_ARCHIVE_BYTES:
                return None, "the archive is too large to read again"
            with open(archive, "rb") as fh:
                data = fh.read()
            contents = read_archive(data, self.limits, archive)
        except (OSError, ArchiveError, MemoryError, RecursionError):
            return None, "the archive could not be read again"
        return {f.path: f.text for f in contents.files if f.size <= MAX_FILE_BYTES}, ""


def _split(data: bytes) -> list[str] | None:
    if len(data) > MAX_FILE_BYTES or b"\0" in data[:8192]:
        return None
    return text_lines(data.decode("utf-8", "replace"))
