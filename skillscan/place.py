"""Where a finding is, in the package's own files, and what text is there.

Engines report findings in virtual files (a code fence `SKILL.md#fence-16.py`, a decoded payload
`scripts/a.py#decoded-1`) and some fill the snippet with something other than source text (a capability,
a summary). After analysis, `place` gives every finding (and its related locations):

- a real file (for a flow's carriers in a fence too; one in a decoded payload keeps the payload's path): a fence's code is the host file's own text, so line k of `X#fence-N.ext` is line N+k-1 of
  X, columns unchanged; a decoded payload or blob is located on the line of the literal it was decoded
  from, and the message names the payload location;
- a snippet that is exactly the source text of its region (`line:column` up to `end_line:end_column`),
  bounded; a location with no readable text gets no snippet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from skillscan.model import Finding, Location, Package, PackageFile

MAX_REGION = 240  # characters of a region whose end the engine did not give
MAX_SNIPPET = 2000  # characters of any snippet (a region is cut to fit)
MAX_REGION_LINES = 12
MAX_HOPS = 8  # virtual files inside virtual files
_FENCE = re.compile(r"#fence-(\d+)\.[A-Za-z0-9]+$")


class _Texts:
    """Lines of the package's real files, split once, on first use."""

    def __init__(self, package: Package) -> None:
        self.files = {f.path: f for f in package.files if not f.virtual}
        self.lines: dict[str, list[str] | None] = {}

    def of(self, path: str) -> list[str] | None:
        if path not in self.lines:
            f = self.files.get(path)
            text = f.text if f is not None else None
            self.lines[path] = None if text is None else [ln.removesuffix("\r") for ln in text.split("\n")]
        return self.lines[path]


def _origin(text: str) -> tuple[str, int] | None:
    path, sep, line = text.rpartition(":")
    if not sep or not line.isdigit():
        return None
    return path, int(line)


def host_location(loc: Location, origins: Mapping[str, str], texts: _Texts,
                  shifts: Mapping[str, tuple[int, ...]] | None = None) -> tuple[Location, str | None]:
    """`loc` moved out of virtual files into the real file they came from; the second value names the
    payload location when the move is not exact (a decoded payload), else None. A fence whose lines lost a
    prompt (`shifts`, per line) moves its columns right by that width."""
    payload: str | None = None
    for _ in range(MAX_HOPS):
        if texts.of(loc.path) is not None or loc.path in texts.files:
            break
        origin = origins.get(loc.path)
        host = _origin(origin) if origin else None
        if host is None:
            break
        fence = _FENCE.search(loc.path)
        if fence is not None and payload is None:  # the fence's code is the host's own text
            line = host[1] + loc.line - 1
            end = None if loc.end_line is None else host[1] + loc.end_line - 1
            cut = (shifts or {}).get(loc.path, ())
            column = loc.column + (cut[loc.line - 1] if 0 < loc.line <= len(cut) else 0)
            end_column = loc.end_column
            if end_column is not None and loc.end_line is not None and 0 < loc.end_line <= len(cut):
                end_column += cut[loc.end_line - 1]
            loc = replace(loc, path=host[0], line=line, end_line=end, column=column, end_column=end_column)
        else:
            payload = payload or f"{loc.path}:{loc.line}"
            loc = Location(host[0], host[1], 1)
    return loc, payload


def region(loc: Location, lines: list[str] | None) -> Location:
    """`loc` with a valid region and the region's exact text as its snippet."""
    if lines is None or not 1 <= loc.line <= len(lines):
        return replace(loc, end_line=None, end_column=None, snippet="")
    first = lines[loc.line - 1]
    col = loc.column if 1 <= loc.column <= len(first) + 1 else 1
    end_line, end_col = loc.end_line, loc.end_column
    if end_line is None or end_col is None or end_line < loc.line or end_line - loc.line >= MAX_REGION_LINES \
            or end_line > len(lines) or not 1 <= end_col <= len(lines[end_line - 1]) + 1 \
            or (end_line == loc.line and end_col <= col):
        end_line, end_col = loc.line, min(len(first) + 1, col + MAX_REGION)
    if end_line == loc.line:
        text = first[col - 1:end_col - 1]
    else:
        parts = [first[col - 1:], *lines[loc.line:end_line - 1], lines[end_line - 1][:end_col - 1]]
        text = "\n".join(parts)
    if len(text) > MAX_SNIPPET:  # cut the region, not just its text
        text = text[:MAX_SNIPPET]
        if "\n" in text:
            text = text.split("\n", 1)[0]
        end_line, end_col = loc.line, col + len(text)
    return Location(loc.path, loc.line, col, end_line, end_col, text)


def _related(loc: Location, origins: Mapping[str, str], texts: _Texts,
             shifts: Mapping[str, tuple[int, ...]]) -> Location:
    host, _ = host_location(loc, origins, texts, shifts)
    return region(host, texts.of(host.path))


def place(package: Package, findings: Iterable[Finding], virtual: Sequence[PackageFile] = ()) -> list[Finding]:
    """Every finding located in a real file with its source text as the snippet (see the module doc)."""
    texts = _Texts(package)
    origins = {v.path: v.origin for v in virtual if v.origin}
    shifts = {v.path: v.shifts for v in virtual if v.shifts}
    out = []
    for f in findings:
        loc, payload = host_location(f.location, origins, texts, shifts)
        loc = region(loc, texts.of(loc.path))
        related = tuple(_related(r, origins, texts, shifts) for r in f.related)
        message = f.message if payload is None else f"{f.message} (in the payload decoded as {payload})"
        if loc != f.location or related != f.related or message != f.message:
            f = replace(f, location=loc, related=related, message=message)
        if f.flow is not None and any(_FENCE.search(c.path) for c in f.flow.carriers):  # a fence's carriers too
            carriers = []
            for c in f.flow.carriers:  # in a decoded payload, a carrier keeps the payload's path and line
                at, payload_of = host_location(Location(c.path, c.line), origins, texts, shifts)
                carriers.append(c if payload_of is not None else replace(c, path=at.path, line=at.line))
            f = replace(f, flow=replace(f.flow, carriers=tuple(carriers)))
        out.append(f)
    return out
