"""`needle.Needle` finds a node's text where the regular expression the locator used to compile for it finds it:
the same starts, in the same order, non-overlapping, with the same lookbehind before `pos` and nothing seen past
`endpos` — on random texts over an alphabet of word characters (ASCII and not), dots, brackets and every kind
of whitespace, and on real Python around the locator's own use."""

from __future__ import annotations

import random
import re

import libcst as cst
import pytest

from skillscan.analyzers.python.locator import Locator
from skillscan.analyzers.python.needle import MAX_TEXT, Needle

ALPHABET = ["a", "b", "_", "1", "é", "ß", "٣", "ⅷ", ".", "(", ")", " ", "\t", "\n", "\x1c", "\u2028", "\u00a0",
            "#", "-", "\\", "*", "ab", "a.b", "a ("]


def regex_form(code: str, call: bool) -> re.Pattern[str]:
    """The pattern the locator compiled before `Needle` (kept here as the reference)."""
    head = re.escape(code[:MAX_TEXT])
    lead = r"(?<![\w.])" if code[:1].isidentifier() else ""
    tail = r"\s*\(" if call else (r"(?!\w)" if code[-1:].isalnum() else "")
    return re.compile(lead + head + tail)


def expected(code: str, call: bool, source: str, pos: int, endpos: int | None) -> list[int]:
    pattern = regex_form(code, call)
    found = pattern.finditer(source, pos) if endpos is None else pattern.finditer(source, pos, endpos)
    return [m.start() for m in found]


@pytest.mark.parametrize("seed", range(40))
def test_the_same_starts_as_the_regex(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(250):
        source = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        if source and rng.random() < 0.7:  # mostly a piece of the text, so that it is found
            i = rng.randrange(len(source))
            code = source[i:i + rng.randint(1, 6)]
        else:
            code = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
        call = rng.random() < 0.4
        pos = rng.randint(0, len(source) + 2)
        endpos = None if rng.random() < 0.5 else rng.randint(0, len(source) + 2)
        needle = Needle.of(code, call)
        assert needle.key == regex_form(code, call).pattern
        got = list(needle.starts(source, pos, endpos))
        assert got == expected(code, call, source, pos, endpos), (code, call, source, pos, endpos)


@pytest.mark.parametrize(("code", "call", "source"), [
    ("aa", False, "aaaaa"),  # overlapping occurrences: non-overlapping matches, as finditer gives
    ("a", True, "a (a(  (a\n("),  # a call: whitespace of any kind, then `(`
    ("x.y", False, "x.y x.yz .x.y _x.y x.y"),  # a dotted name not inside a longer one
    ("f", True, "f f( f\u00a0( ff( .f("),
    ("é", False, "éé é_ é1 é"),
    ("+", False, "a+b++c"),  # text that does not start like a name: no lead test
    ("x" * (MAX_TEXT + 20), False, "x" * (MAX_TEXT + 40)),  # a long text matches on its first MAX_TEXT characters
])
def test_the_same_starts_on_chosen_texts(code: str, call: bool, source: str) -> None:
    for pos in range(len(source) + 1):
        for endpos in (None, *range(len(source) + 1)):
            assert list(Needle.of(code, call).starts(source, pos, endpos)) == expected(code, call, source, pos, endpos)


PROGRAM = '''
import os, subprocess
def run(cmd):
    # subprocess.run(cmd) in a comment is not the call
    subprocess.run(cmd, shell=True)
    subprocess.run (cmd)
    x = os.getenv("A"); y = os.getenv("B")
    return subprocess.run(["ls"]), x.os.getenv("A")
class K:
    def run(self): return run("x")
'''


def test_the_locator_places_every_node_of_a_module() -> None:
    """Every call and name of a real module gets a line and column, each call on the line its text is on."""
    module = cst.parse_module(PROGRAM)
    loc = Locator(module, PROGRAM)
    calls: list[cst.Call] = []

    class Collect(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            calls.append(node)

    module.visit(Collect())
    lines = PROGRAM.split("\n")
    for call in calls:
        at = loc.location("m.py", call)
        text = module.code_for_node(call.func)
        assert lines[at.line - 1][at.column - 1:].startswith(text)
        assert not lines[at.line - 1].lstrip().startswith("#")
    assert [loc.location("m.py", c).line for c in calls[:4]] == [5, 6, 7, 7]
