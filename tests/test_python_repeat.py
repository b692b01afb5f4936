"""skillscan.analyzers.python.repeat: a Python file seen again in the same process gives the result the
engine computed the first time — the same findings and decoded payloads as a fresh analysis — without a
second parse; a different path, text, trust context or capability map is a different file."""

from __future__ import annotations

from dataclasses import replace

import libcst

from skillscan.analyzers.python import PythonAnalyzer, repeat
from skillscan.loaders.files import make_file
from skillscan.model import Channel, Package

SOURCE = b'import os, subprocess, base64\nsubprocess.run(["curl", "https://example.com/x.sh"])\n' \
         b'exec(base64.b64decode("cHJpbnQoMSk="))\nos.environ["AWS_SECRET_ACCESS_KEY"]\n'


def _package() -> Package:
    return Package(input=".", root=".", format="agent-skill", name="p", version="", files=())


def test_repeated_file_gives_the_first_result_without_a_parse(monkeypatch) -> None:
    repeat._memo.clear()
    analyzer = PythonAnalyzer()
    f = make_file("scripts/run.py", SOURCE)
    first = analyzer.analyze_file(_package(), f)
    assert first.findings  # the sample has findings to compare
    parses = []
    real = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda text: parses.append(text) or real(text))
    again = analyzer.analyze_file(_package(), make_file("scripts/run.py", SOURCE))
    assert again == first and parses == []
    repeat._memo.clear()
    fresh = analyzer.analyze_file(_package(), make_file("scripts/run.py", SOURCE))
    assert fresh == first and len(parses) == 1  # the remembered result is the one a fresh analysis gives


def test_path_text_context_and_capmap_are_part_of_the_key() -> None:
    repeat._memo.clear()
    analyzer = PythonAnalyzer()
    base = make_file("scripts/run.py", SOURCE)
    first = analyzer.analyze_file(_package(), base)
    moved = analyzer.analyze_file(_package(), make_file("tools/run.py", SOURCE))
    assert moved != first and all(x.location.path == "tools/run.py" for x in moved.findings)
    changed = analyzer.analyze_file(_package(), make_file("scripts/run.py", SOURCE + b"print(1)\n"))
    assert changed is not first
    fence = replace(base, origin="README.md:3", channel=Channel.INSTRUCTION)
    assert analyzer.analyze_file(_package(), fence) is not first
    assert (repeat._key(base, None) != repeat._key(base, "other/capmap.yaml"))


def test_bounded() -> None:
    repeat._memo.clear()
    analyzer = PythonAnalyzer()
    big = make_file("big.py", b"x = 1\n" * (repeat.MAX_CHARS // 6 + 10))
    analyzer.analyze_file(_package(), big)
    assert not repeat._memo  # above MAX_CHARS: analysed every time, never kept
    for i in range(repeat.MAX_ENTRIES + 5):
        analyzer.analyze_file(_package(), make_file(f"m{i}.py", b"y = 2\n"))
    assert len(repeat._memo) <= repeat.MAX_ENTRIES and repeat._memo.chars <= repeat.BUDGET_CHARS
