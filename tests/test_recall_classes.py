"""bench/recall_classes.py: the per-class counts and the moves come from the two runs given."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from recall_classes import table


def _rec(ident: str, label: str, verdict: str, rules: list[str]) -> dict[str, object]:
    return {"id": ident, "label": label, "verdict": verdict, "rules": rules}


def test_counts_per_class_and_moves() -> None:
    before = {"m1": _rec("m1", "malicious", "allow", []), "b1": _rec("b1", "benign", "allow", [])}
    after = {"m1": _rec("m1", "malicious", "review", ["shell-agent-approvals-off", "shell-network-upload"]),
             "b1": _rec("b1", "benign", "allow", ["shell-network-upload"])}
    out = table(before, after)
    assert "| agent approvals off |" in out and "| 0 → 1 | 0 → 0 |" in out.split("agent approvals off")[1].split("\n")[0]
    assert "| 0 → 1 | 0 → 1 |" in out.split("| uploads |")[1].split("\n")[0]
    assert "rose: 1 malicious, 0 benign; fell: 0" in out
