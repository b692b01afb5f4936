"""The shell analyzer's sentences are data (`rules/capabilities/shell-messages.yaml`): every `say(key, …)`
in skillscan/analyzers/shell names a template that exists and gives exactly the fields it names, every
template is used, and no finding message is written inline in the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from skillscan.analyzers.shell.messages import say, texts

SHELL = Path(__file__).resolve().parent.parent / "skillscan" / "analyzers" / "shell"
FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def trees() -> list[tuple[str, ast.AST]]:
    return [(p.name, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SHELL.glob("*.py"))]


def say_calls() -> list[tuple[str, int, str, set[str]]]:
    out = []
    for name, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
                assert node.args and isinstance(node.args[0], ast.Constant), f"{name}:{node.lineno}: key must be literal"
                out.append((name, node.lineno, str(node.args[0].value), {k.arg for k in node.keywords if k.arg}))
    return out


def test_every_call_names_a_template_and_fills_exactly_its_fields() -> None:
    table = texts()
    calls = say_calls()
    assert len(calls) >= 40
    for where, line, key, given in calls:
        assert key in table, f"{where}:{line}: no template {key!r}"
        assert set(FIELD.findall(table[key])) == given, f"{where}:{line}: {key} takes {FIELD.findall(table[key])}"


def test_every_template_is_used() -> None:
    assert set(texts()) == {key for _, _, key, _ in say_calls()}


# where the message (or the `how` of a nested text) is among the positional arguments of each recorder
MESSAGE_ARG = {"add": 4, "_payload": 4, "_code_word": 3, "_run_file": 3, "_remote": 3, "_decoded": 5}


def inline_messages(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MESSAGE_ARG:
            i = MESSAGE_ARG[node.func.attr]
            if len(node.args) > i and isinstance(node.args[i], (ast.Constant, ast.JoinedStr)):
                lines.append(node.lineno)
    return lines


def test_no_finding_message_is_written_inline() -> None:
    """`run.add(frame, cmd, rule, caps, MESSAGE)` and the `how` of nested texts come from `say`, never
    from a string or f-string in the code."""
    assert [f"{name}:{line}" for name, tree in trees() for line in inline_messages(tree)] == []
    old = ast.parse('self.run.add(frame, cmd, "shell-exec", caps, f"runs `{name}`")\n'
                    'self._run_file(cmd, w.value, frame, "`source`")\n')
    assert inline_messages(old) == [1, 2]


def test_fields_are_inserted_as_given() -> None:
    assert say("exec", name="{url}") == "runs `{url}`"
    assert say("fetched-code", how="`sh -c`", url="https://x.example/a") == \
        "`sh -c` runs code fetched from https://x.example/a"
