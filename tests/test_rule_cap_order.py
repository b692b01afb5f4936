"""A per-module cap keeps the FIRST places of the file in source order, and its note ("[N more in this module
not shown…]") sits on the capped rule's LAST reported finding in the file — whatever order the check found the
places in (py-runs-data-command reads the module's own statements before its functions' bodies)."""

from __future__ import annotations

import re

from skillscan.analyzers.python import analyze_source
from skillscan.analyzers.python.capmap import load_capmap
from skillscan.analyzers.python.checks.data_command import MAX_REPORTS

NOTE = re.compile(r"\[(\d+) more in this module not shown: at most (\d+) are reported per module\]")

# lines 5-9: a function runs five fields; lines 12-14: the module runs three more
CODE = """import json, os, sys

def work(path):
    t = json.load(open(path))
    os.system(t["c1"])
    os.system(t["c2"])
    os.system(t["c3"])
    os.system(t["c4"])
    os.system(t["c5"])

ticket = json.load(open(sys.argv[1]))
os.system(ticket["m1"])
os.system(ticket["m2"])
os.system(ticket["m3"])
"""


def _reported(code: str) -> list[tuple[int, str]]:
    result, _, mode = analyze_source(code, "run.py", load_capmap(None))
    assert mode == "cst"
    return [(e.location.line, e.message) for e in result.events if e.rule_id == "py-runs-data-command"]


def test_the_cap_keeps_the_first_places_in_source_order() -> None:
    assert MAX_REPORTS == 6
    hits = _reported(CODE)
    assert sorted(line for line, _ in hits) == [5, 6, 7, 8, 9, 12]


def test_the_note_sits_on_the_last_reported_finding() -> None:
    hits = _reported(CODE)
    noted = [(line, NOTE.search(message)) for line, message in hits if NOTE.search(message)]
    assert len(noted) == 1
    line, note = noted[0]
    assert line == 12 and note is not None and (int(note.group(1)), int(note.group(2))) == (2, MAX_REPORTS)


def test_at_the_cap_no_note() -> None:
    hits = _reported(CODE.replace('os.system(ticket["m2"])\nos.system(ticket["m3"])\n', ""))
    assert sorted(line for line, _ in hits) == [5, 6, 7, 8, 9, 12]
    assert not any(NOTE.search(message) for _, message in hits)
