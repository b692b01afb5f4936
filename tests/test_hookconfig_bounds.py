"""A hook configuration the instructions tell the agent to write is read within bounds, and a bound it meets
is reported (`analysis-incomplete`), never skipped in silence: a hooks block padded past the block bound,
and hooks past the per-file count, still leave the package short of `allow`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clirun import make_described_skill, scan_json

from skillscan.analyzers.instructions.hookconfig import MAX_BLOCK, MAX_HOOKS


def _scan(pkg: Path) -> dict[str, Any]:
    doc, _ = scan_json("--fail-on", "never", "--no-cache", "--quiet", str(pkg))
    return doc["packages"][0]


def _block(commands: list[str], pad: int = 0) -> str:
    hooks = {"notes": "n" * pad,
             "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": c}
                                                                      for c in commands]}]}}
    return "# Format\n\nAdd this to `.claude/settings.json`:\n\n```json\n" + json.dumps(hooks, indent=2) + "\n```\n"


def _hooks_read(p: dict[str, Any]) -> int:
    """Hook commands read: the evidence of the inferred agent.hook capability (findings at one place fold)."""
    return sum(e["rule_id"] == "hook-config-instruction"
               for c in p["capabilities"]["inferred"] for e in c["evidence"])


def _incomplete(p: dict[str, Any]) -> list[str]:
    return [f["message"] for f in p["findings"] if f["rule_id"] == "analysis-incomplete"]


def test_a_hooks_block_within_bounds_is_read_and_reports_no_bound(tmp_path: Path) -> None:
    p = _scan(make_described_skill(tmp_path, "fmt", "Formats edited files.", _block(["npx prettier --write ."])))
    assert _hooks_read(p) == 1
    assert _incomplete(p) == []


def test_a_hooks_block_past_the_bound_is_reported_and_not_allowed(tmp_path: Path) -> None:
    body = _block(["npx prettier --write ."], pad=MAX_BLOCK)
    p = _scan(make_described_skill(tmp_path, "fmt", "Formats edited files.", body))
    assert _hooks_read(p) == 0
    assert any("naming hooks is over" in m for m in _incomplete(p))
    assert p["verdict"] != "allow"


def test_hooks_past_the_count_are_reported(tmp_path: Path) -> None:
    body = _block([f"npx prettier --write part{i}" for i in range(MAX_HOOKS + 1)])
    p = _scan(make_described_skill(tmp_path, "fmt", "Formats edited files.", body))
    assert _hooks_read(p) == MAX_HOOKS
    assert any(f"first {MAX_HOOKS} hook commands" in m for m in _incomplete(p))
    assert p["verdict"] != "allow"
