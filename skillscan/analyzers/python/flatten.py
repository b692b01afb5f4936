"""Deep bracket nesting without losing the rest of the file: a bracket expression nested deeper than
libcst can safely parse (a list nested 100 deep is valid Python) is replaced by an empty one of the same
kind, keeping its newlines so that every other line keeps its number. The rest of the file then gets
the full parse and data-flow analysis; the caller reports what was left out."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

FLATTEN_DEPTH = 60  # brackets opened deeper than this are emptied (libcst is safe well below 90)
PAIRS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Flattened:
    text: str
    spans: int  # bracket expressions emptied
    first_line: int  # the line of the first one


def _offsets(text: str) -> list[int]:
    out = [0]
    for line in text.splitlines(keepends=True):
        out.append(out[-1] + len(line))
    return out


def flatten_deep(text: str, limit: int = FLATTEN_DEPTH) -> Flattened | None:
    """The text with every bracket expression that opens at depth `limit` emptied, or None when the
    text does not tokenize (the caller's token pass reads it instead) or nothing is that deep."""
    starts = _offsets(text)
    cuts: list[tuple[int, int, str]] = []  # (start offset after the opener, end offset of the closer, opener)
    depth = 0
    opened: tuple[int, str] | None = None
    first_line = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.OP or tok.string not in "()[]{}":
                continue
            pos = starts[tok.start[0] - 1] + tok.start[1]
            if tok.string in PAIRS:
                depth += 1
                if depth == limit and opened is None:
                    opened = (pos, tok.string)
                    first_line = first_line or tok.start[0]
            else:
                if depth == limit and opened is not None:
                    cuts.append((opened[0], pos + 1, opened[1]))
                    opened = None
                depth = max(0, depth - 1)
    except (tokenize.TokenError, IndentationError, SyntaxError, RecursionError, MemoryError):
        return None
    if not cuts:
        return None
    parts: list[str] = []
    last = 0
    for begin, end, opener in cuts:
        parts.append(text[last:begin])
        parts.append(opener + PAIRS[opener] + "\n" * text.count("\n", begin, end))
        last = end
    parts.append(text[last:])
    return Flattened("".join(parts), len(cuts), first_line)
