"""py-runs-data-command reads every function of a module (no silent cut at the 64th), reads the fixed handles
of each function once, and says when a function's parameters past MAX_PARAMS were not followed."""

from __future__ import annotations

import pytest

from skillscan.analyzers.python import PythonAnalyzer, analyze_source
from skillscan.analyzers.python.capmap import load_capmap
from skillscan.analyzers.python.checks import data_command
from skillscan.loaders.files import make_file
from skillscan.model import Package

LOADER = "def load_ticket(p):\n    return json.load(open(p))\n\n"
FILLER = "".join(f"def helper{i}(x):\n    return x + {i}\n\n" for i in range(70))
RUN = "ticket = load_ticket(sys.argv[1])\nos.system(ticket['command'])\n"


def _rules(code: str) -> list[str]:
    result, _, _ = analyze_source(code, "run.py", load_capmap(None))
    return [e.rule_id for e in result.events]


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_loader_past_the_64th_function_is_read(where: str) -> None:
    body = LOADER + FILLER if where == "first" else FILLER + LOADER
    assert "py-runs-data-command" in _rules("import json, os, sys\n\n" + body + RUN)


def test_fixed_handles_are_read_once_per_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = data_command._fixed_handle_reads

    def counted(nodes: list) -> set[int]:  # type: ignore[type-arg]
        calls.append(len(nodes))
        return real(nodes)

    monkeypatch.setattr(data_command, "_fixed_handle_reads", counted)
    code = ("import json, os, sys\n\ndef run(a, b, c):\n    os.system(a)\n    return json.load(open(b))\n\n"
            "def go(t):\n    os.system(t['x'])\n\n" + RUN.replace("load_ticket", "run"))
    assert "py-runs-data-command" in _rules(code)
    assert len(calls) == 3  # the module and its two functions


def _analysed(code: str) -> list[tuple[str, str]]:
    file = make_file("scripts/run.py", code.encode())
    result = PythonAnalyzer()._analyze_file(Package("p", "p", "agent-skill", "p", (file,)), file)
    return [(f.rule_id, f.message) for f in result.findings]


def test_parameters_past_the_bound_are_reported() -> None:
    params = ", ".join(f"p{i}" for i in range(data_command.MAX_PARAMS + 2))
    code = f"import json, os, sys\n\ndef run({params}):\n    os.system(p{data_command.MAX_PARAMS + 1})\n"
    said = [m for r, m in _analysed(code) if r == "analysis-incomplete"]
    assert said == [f"scripts/run.py: 2 parameter(s) of functions that run commands and take more than "
                    f"{data_command.MAX_PARAMS} were not followed as what they run (py-runs-data-command)"]
    at = ", ".join(f"p{i}" for i in range(data_command.MAX_PARAMS))
    assert not [m for r, m in _analysed(code.replace(params, at).replace(f"p{data_command.MAX_PARAMS + 1})", "p0)"))
                if r == "analysis-incomplete"]
