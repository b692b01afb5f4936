"""The pre-check read from a regex (skillscan/analyzers/literal_gate.py): the words are in every match, the
folding reads case as IGNORECASE does, and a gated search finds what the search alone finds on real text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillscan.analyzers.instructions import prerequisites, steering
from skillscan.analyzers.literal_gate import fold, gate
from skillscan.analyzers.roles import load_vocab

ROOT = Path(__file__).resolve().parent.parent


def test_fold_reads_case_as_ignorecase() -> None:
    """Every code point IGNORECASE matches to an ASCII letter folds to that letter."""
    letters = re.compile("[a-z]", re.IGNORECASE)
    for c in map(chr, range(0x110000)):
        if letters.fullmatch(c):
            assert any(re.fullmatch(x, c, re.IGNORECASE) and fold(c) == x for x in "abcdefghijklmnopqrstuvwxyz"), \
                hex(ord(c))


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\bfoo\b|bar+", ("foo", "ba")),  # the repeated letter is not part of the run
    (r"(?:never|do\s+not)\b", ("never", "not")),  # the longer word of an alternative
    (r"x(?:abc)?y", None),  # one-letter runs and an optional part say nothing
    (r"(?:ab|c)d", None),  # an alternative without a word
    (r"(?:quick)+\s+fox", ("quick",)),
    (r"安装|下载", ("安装", "下载")),
    (r"STRAßE|street", ("stra", "street")),  # a cased letter beyond ASCII ends the run
])
def test_words_read_from_the_pattern(pattern: str, words: tuple[str, ...] | None) -> None:
    got = gate(re.compile(pattern, re.IGNORECASE)).words
    assert (None if got is None else set(got)) == (None if words is None else set(words))


def test_gate_is_case_blind() -> None:
    g = gate(re.compile(r"must\s+be\s+installed"))
    assert g.may_match(fold("It MUST be ınstalled")) and not g.may_match(fold("nothing to see"))


def _lines() -> list[str]:
    out: list[str] = []
    for path in sorted([*(ROOT / "fixtures").rglob("*.md"), *(ROOT / "docs").rglob("*.md")]):
        out += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return out + ["You must never do that.", "不要这样做", "For example, run it.", "e.g. this", "ſhould not",
                  "Node must be installed first", "使用本技能前必须安装 X", "Read ~/data/notes.md verbatim"]


def test_gated_search_finds_what_the_search_finds() -> None:
    v = load_vocab()
    patterns = [v.negation, v.describe_cue, prerequisites.PRECONDITION, steering.OUTSIDE_FILE, steering.STEER]
    lines = _lines()
    hits = 0
    for p in patterns:
        g = gate(p)
        assert g.words  # each of these has a pre-check
        for line in lines:
            if p.search(line):
                hits += 1
                assert g.may_match(fold(line)), (p.pattern[:60], line)
    assert hits > 50  # the lines hold real matches
