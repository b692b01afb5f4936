"""Privilege found in code, judged by DESIGN.md rule 3 (issue 15): what the format can declare for a
script's own behaviour, what a script does to the files it made itself, and what only a test does. Each
class has a positive sample (privilege stays at review) and a negative one (hygiene), through the real CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.clirun import make_described_skill, scan_json

READER = ("import sys\n\n\ndef main(path):\n    with open(path, 'rb') as f:\n        return f.read()\n\n\n"
          "if __name__ == '__main__':\n    print(len(main(sys.argv[1])))\n")


def _scan(pkg: Path) -> dict[str, Any]:
    report, _ = scan_json(str(pkg))
    (p,) = report["packages"]
    return p


def _why(p: dict[str, Any]) -> str:
    return "\n".join(p["reasons"])


# ---- a Python program shown in SKILL.md is a script: allowed-tools cannot name what it does inside itself

def test_a_python_fence_reading_a_chosen_file_is_code_an_agent_skill_cannot_declare(tmp_path: Path) -> None:
    body = ("# Size\n\nRun `python scripts/size.py FILE`. The core of it:\n\n```python\n"
            "with open(filepath, 'rb') as f:\n    data = f.read()\n```\n")
    p = _scan(make_described_skill(tmp_path, "sizer", "Prints the size of a binary file.", body,
                                   {"scripts/size.py": READER}))
    assert "fs.read[*]" in p["capabilities"]["undeclared"]
    assert p["verdict"] == "allow", _why(p)
    assert any("agent-skill has no field to declare fs.read" in f["message"] for f in p["findings"])


def test_a_format_whose_permissions_cover_scripts_still_asks_for_review(tmp_path: Path) -> None:
    # a Codex skill's permission profile (agents/openai.yaml `permissions.file_system`) governs the sandbox its
    # scripts run in, so it can declare what the script reads: undeclared, that read stays at review
    body = ("# Size\n\nRun `python scripts/size.py FILE`. The core of it:\n\n```python\n"
            "with open(filepath, 'rb') as f:\n    data = f.read()\n```\n")
    p = _scan(make_described_skill(tmp_path, "sizer", "Prints the size of a binary file.", body,
                                   {"scripts/size.py": READER,
                                    "agents/openai.yaml": "interface:\n  display_name: Sizer\n"}))
    assert p["format"] == "codex-skill"
    assert p["verdict"] == "review", _why(p)
    assert "undeclared sensitive capability fs.read[*]" in _why(p)
