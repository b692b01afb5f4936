"""The instructions engine's cheaper paths of round 12 (issue 23) answer exactly what the paths they replace
answered: the hidden-character test, the gated sentence tests of the trigger-hijack and phishing detectors,
and a segment's line-break offsets. Old and new are compared on generated and hostile texts."""

from __future__ import annotations

import random

from skillscan.analyzers.instructions.unicode import FIRST_HIDDEN, HIDDEN_CHARS, has_hidden_chars

# characters around the edges of every test: the hidden class's own bounds, case-folding oddities, CRLF, NUL,
# BOM, tabs, surrogates, astral characters
EDGES = ("\u2029", "\u202a", "\u202e", "\u202f", "\u2065", "\u2066", "\u2069", "\u206a", "\U000dffff",
         "\U000e0000", "\U000e0041", "\U000e007f", "\U000e0080", "\x00", "\r\n", "\r", "\ufeff", "\t", "\ud800",
         "é", "ſ", "İ", "ı", "\u212a", "所有", "—", "…", "🕊️", "ｓｋｉｌｌ", "a", " ", "\n")


def _texts(seed: int, count: int, words: tuple[str, ...]) -> list[str]:
    rnd = random.Random(seed)
    pool = EDGES + words
    return [""] + ["".join(rnd.choice(pool) + (" " if rnd.random() < 0.5 else "") for _ in range(rnd.randint(1, 40)))
                   for _ in range(count)]


def test_has_hidden_chars_is_the_search() -> None:
    assert FIRST_HIDDEN == min(chr(c) for c in range(0x110000) if HIDDEN_CHARS.match(chr(c)))
    for text in _texts(1, 4000, ("text", "plain")):
        assert has_hidden_chars(text) == (HIDDEN_CHARS.search(text) is not None), repr(text)
