"""A node's source text as the locator searches for it (`locator.Locator`): found with `str.find` and a few
character tests instead of a regular expression compiled for each reported node. The matches are those of the
pattern `(?<![\\w.])TEXT(?!\\w)` / `(?<![\\w.])TEXT\\s*\\(` that `finditer` would give — the same starts, left to
right, none overlapping the one before (tests/test_python_needle.py compares the two on many texts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_TEXT = 400  # characters of a node's text searched for (a longer node matches on its start)


@dataclass(frozen=True)
class Needle:
    """`text` must not follow a word character or `.` (`lead`, when the text starts like a name); with `call`,
    whitespace and `(` must follow it; else with `word_end`, no word character. `key` is the pattern the
    regular expression form has: the locator's claimed places are per pattern."""

    text: str
    lead: bool
    call: bool
    word_end: bool
    key: str

    @classmethod
    def of(cls, code: str, call: bool) -> Needle:
        text = code[:MAX_TEXT]
        lead = code[:1].isidentifier()
        word_end = not call and code[-1:].isalnum()
        key = (r"(?<![\w.])" if lead else "") + re.escape(text) + (
            r"\s*\(" if call else (r"(?!\w)" if word_end else ""))
        return cls(text, lead, call, word_end, key)

    def starts(self, source: str, pos: int, endpos: int | None = None) -> Iterator[int]:
        """The start of each match in `source[pos:endpos]` (what is before `pos` is seen by the `lead` test, as a
        regular expression's lookbehind sees it; nothing at or past `endpos` is), left to right, a match
        searched for again only past the end of the one before."""
        end = len(source) if endpos is None else max(0, min(endpos, len(source)))
        text, size = self.text, len(self.text)
        at = max(pos, 0)
        while True:
            p = source.find(text, at, end)
            if p < 0:
                return
            q = p + size
            ok = not (self.lead and p > 0 and _word_or_dot(source[p - 1]))
            if ok and self.call:
                while q < end and source[q].isspace():
                    q += 1
                ok = q < end and source[q] == "("
                q += 1
            elif ok and self.word_end:
                ok = not (q < end and _word(source[q]))
            if ok:
                yield p
                at = q
            else:
                at = p + 1


def _word(c: str) -> bool:
    """`\\w` of a str pattern: a Unicode letter or digit, or `_`."""
    return c.isalnum() or c == "_"


def _word_or_dot(c: str) -> bool:
    return c == "." or c.isalnum() or c == "_"
