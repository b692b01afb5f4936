"""A regex's cheap pre-check, read from the regex itself (issue 23): words one of which every match holds,
so a text holding none of them is not searched. Python's `re` tries a pattern of many alternatives at every
position of a text; a few substring tests of the text folded to lower case cost a small part of that.

How the words are read (`needed`): a run of literal characters in the pattern's sequence is in every match;
so is whatever a group, a repeat of at least once, or every alternative of an alternation needs. Optional
parts, classes, `\\w`-style escapes and assertions need nothing. The words are compared case-blind, whatever
the pattern's flags (a case-blind test passes wherever a case-sensitive one does): the text is folded with
`str.lower` after mapping the three characters other than ASCII letters that IGNORECASE reads as one and
`str.lower` does not give as that letter (ı and İ as i, ſ as s; the Kelvin sign lowers to k itself). A
pattern character kept in a word is ASCII or has no case (Chinese), so nothing but itself matches it
case-blind; a cased character beyond ASCII ends the run. Nothing said: the gate is open (`words` None).
tests/test_literal_gate.py checks the folding against `re` over every code point."""

from __future__ import annotations

import re
import re._constants as sre_c
import re._parser as sre_parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

FOLD = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))
MIN_WORD = 2  # an ASCII word shorter than this is in nearly every text: it is not a useful test


def fold(text: str) -> str:
    """`text` as the gate reads it: lower case, with the characters IGNORECASE reads as an ASCII letter as
    that letter."""
    if not text.isascii():
        for char, letter in FOLD:
            if char in text:
                text = text.replace(char, letter)
    return text.lower()


@dataclass(frozen=True)
class Gate:
    words: tuple[str, ...] | None  # every match holds one of them (folded); None: nothing can be said

    def may_match(self, folded: str) -> bool:
        """False when the pattern cannot match the text whose `fold` is `folded`."""
        words = self.words
        # `map` over the bound `__contains__`: the same substring tests as a generator, without a Python frame
        # per word (the gate is asked per line and per sentence)
        return words is None or any(map(folded.__contains__, words))


def _keeps(char: str) -> bool:
    return char.isascii() or char.lower() == char == char.upper()


def _word_ok(word: str) -> bool:
    return len(word) >= MIN_WORD or not word.isascii()


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    if not options:
        return None
    return max(options, key=lambda ws: (min(len(w) for w in ws), -len(ws)))


_REPEATS = tuple(getattr(sre_c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(sre_c, name))


def needed(items: Any) -> frozenset[str] | None:
    """Words (folded) one of which every match of the parsed sequence `items` holds, or None."""
    options: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        word = "".join(run).lower()
        if word and _word_ok(word):
            options.append(frozenset({word}))
        run.clear()

    for op, arg in items:
        if op is sre_c.LITERAL and _keeps(chr(arg)):
            run.append(chr(arg))
            continue
        close()
        got: frozenset[str] | None = None
        if op is sre_c.SUBPATTERN:
            got = needed(arg[-1])
        elif op is sre_c.BRANCH:
            branches = [needed(b) for b in arg[1]]
            if all(b is not None for b in branches):
                got = frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in _REPEATS and arg[0] >= 1:
            got = needed(arg[2])
        if got:
            options.append(got)
    close()
    return _best(options)


@lru_cache(maxsize=256)
def gate(pattern: re.Pattern[str]) -> Gate:
    """The pre-check of `pattern` (compiled: its source is read again, once per pattern and process)."""
    try:
        words = needed(sre_parse.parse(pattern.pattern, pattern.flags))
    except (re.error, TypeError, ValueError):
        words = None
    return Gate(tuple(sorted(words, key=lambda w: (-len(w), w))) if words else None)


def gated_search(pattern: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped (None) when the text, whose `fold` is `folded`, holds none of the words
    every match holds: the same answer, without running the pattern over most texts."""
    return pattern.search(text) if gate(pattern).may_match(folded) else None
