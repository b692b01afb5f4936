"""Line numbers of character offsets in constant time per lookup after one pass over the text, so that
numbering many matches (hooks, findings, commands) in one long file stays linear in its size."""

from __future__ import annotations

import bisect
from functools import lru_cache


@lru_cache(maxsize=2)  # the file being analysed (and one more): large texts are not kept
def _newlines(text: str) -> tuple[int, ...]:
    out = []
    i = text.find("\n")
    while i >= 0:
        out.append(i)
        i = text.find("\n", i + 1)
    return tuple(out)


def text_lines(text: str) -> list[str]:
    """The lines of `text` as findings number them: split at \\n alone, with the \\r of a \\r\\n ending dropped
    and a final line break ending the last line. Unlike `str.splitlines`, no other character (a lone \\r,
    \\x0c, \\x85, U+2028 …) ends a line, so line N here is the line a finding at line N cites."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def nth_line(text: str, line: int) -> str:
    """`text_lines(text)[line - 1]`, or "" past either end: cut out at the line's own line breaks (one pass
    per text, then a lookup), so that quoting many lines of one long file stays linear in its size."""
    nl = _newlines(text)
    count = len(nl) if nl and nl[-1] == len(text) - 1 else len(nl) + 1  # a final line break ends the last line
    if not 0 < line <= count:
        return ""
    start = nl[line - 2] + 1 if line > 1 else 0
    end = nl[line - 1] if line - 1 < len(nl) else len(text)
    return text[start : end - 1] if end > start and text[end - 1] == "\r" else text[start:end]


def line_at(text: str, offset: int) -> int:
    """1-based line of character `offset` (the same as `text.count("\\n", 0, offset) + 1`)."""
    return bisect.bisect_left(_newlines(text), offset) + 1


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character `offset`."""
    nl = _newlines(text)
    i = bisect.bisect_left(nl, offset)
    return i + 1, offset - (nl[i - 1] + 1 if i else 0) + 1
