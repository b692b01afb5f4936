"""Views of a document: the prose-like blocks joined into one text at their own lines, so the prose
detectors run once per file, with the block around any offset."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from skillscan.analyzers.instructions.document import Document, Segment


def prose_view(doc: Document, segs: list[Segment]) -> tuple[Segment, list[int], Any]:
    """The given blocks' text at their own lines, every other line blank; and a function giving the
    character range of the block around an offset."""
    counts = [s.text.count("\n") for s in segs]
    if all(segs[i].line > segs[i - 1].line + counts[i - 1] for i in range(1, len(segs))):
        text, ranges = joined_view(segs, counts)
    else:  # blocks out of order or overlapping: later ones overwrite earlier lines
        text, ranges = placed_view(segs)
    starts = [r[0] for r in ranges]

    def bounds(offset: int) -> tuple[int, int]:
        i = max(0, bisect_right(starts, offset) - 1)
        return ranges[i]

    return Segment("prose", segs[0].line, text, text), [s.line for s in segs], bounds


def joined_view(segs: list[Segment], counts: list[int]) -> tuple[str, list[tuple[int, int]]]:
    """`placed_view` for blocks in line order that do not overlap: each block's text, the blank lines
    between two blocks as that many line breaks."""
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    pos = 0
    end_line = segs[0].line - 1  # the last line taken so far
    for s, n in zip(segs, counts, strict=True):
        if parts:
            gap = "\n" * (s.line - end_line)
            parts.append(gap)
            pos += len(gap)
        parts.append(s.text)
        ranges.append((pos, pos + len(s.text)))
        pos += len(s.text)
        end_line = s.line + n
    return "".join(parts), ranges


def placed_view(segs: list[Segment]) -> tuple[str, list[tuple[int, int]]]:
    """The view line by line: every block's lines put at their place, the view's text and each block's
    character range."""
    first = segs[0].line
    last = max(s.line + s.text.count("\n") for s in segs)
    lines = [""] * (last - first + 1)
    for s in segs:
        for i, text in enumerate(s.text.split("\n")):
            lines[s.line - first + i] = text
    text = "\n".join(lines)
    line_start = [0]
    for ln in lines:
        line_start.append(line_start[-1] + len(ln) + 1)
    ranges = []
    for s in segs:
        a = s.line - first
        b = min(len(lines), a + s.text.count("\n") + 1)
        ranges.append((line_start[a], line_start[b] - 1))
    return text, ranges
