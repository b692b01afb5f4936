"""Where the sentence detectors cut a prose segment into sentences (and list items): `SPLIT` is the cut — white
space after a stop (. ! ? ; and the Chinese stops), just after a Chinese stop, a blank line, a line break before a
list item — and `split_spans(text)` the spans `SPLIT.finditer(text)` gives, found faster
(`sabotage_grammar.sentences` reads them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

SPLIT = re.compile(r"(?<=[.!?。！？；;])\s+|(?<=[。！？；])|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)")

# where a `SPLIT` match can start: just after one of the first eight (alternatives 1 and 2), at a line break (3, 4)
_SPLIT_AT = re.compile(r"[.!?。！？；;\n]")


def split_spans(text: str) -> Iterator[tuple[int, int]]:
    """The spans of `SPLIT.finditer(text)`, found from the places a match can start: `SPLIT` begins with a
    lookbehind, which gives Python's engine no first character to scan for (it tried every position), while
    `_SPLIT_AT` has one. At each such place, in order and not inside the previous match, `SPLIT.match` tries
    the alternatives in the order `finditer` tries them there. An empty match (after a Chinese stop) has no
    white space after it — the first alternative would have matched it — so no line break either: `finditer`
    finds nothing more at that place (tests/test_instructions_cpu_paths.py compares the two)."""
    pos = 0
    for c in _SPLIT_AT.finditer(text):
        at = c.start() if text[c.start()] == "\n" else c.end()
        if at < pos:
            continue
        m = SPLIT.match(text, at)
        if m is not None:
            yield m.span()
            pos = m.end()
