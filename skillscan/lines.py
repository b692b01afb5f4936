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


def line_at(text: str, offset: int) -> int:
    """1-based line of character `offset` (the same as `text.count("\\n", 0, offset) + 1`)."""
    return bisect.bisect_left(_newlines(text), offset) + 1


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character `offset`."""
    nl = _newlines(text)
    i = bisect.bisect_left(nl, offset)
    return i + 1, offset - (nl[i - 1] + 1 if i else 0) + 1
