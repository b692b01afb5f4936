"""Compare two `bench/quality.py --json` outcome files input by input.

    python bench/quality_diff.py OLD.json NEW.json

Lists the inputs whose verdict moved, in four groups: benign up (worse), benign down (better),
malicious down (worse), malicious up (better); then inputs present in only one file. Exit status 1
when a malicious input moved from block to a lower verdict (the judgement issues promise none does),
else 0.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

RANK = {"allow": 0, "review": 1, "block": 2, "error": 3}


@dataclass(frozen=True)
class Move:
    key: tuple[str, str]  # (set, id)
    label: str
    old: str
    new: str
    old_reason: str
    new_reason: str

    @property
    def up(self) -> bool:
        return RANK[self.new] > RANK[self.old]

    def line(self) -> str:
        why = self.new_reason if self.up else self.old_reason
        return f"  [{self.key[0]}] {self.key[1]}: {self.old} → {self.new}" + (f" — {why}" if why else "")


def load(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    return {(str(r.get("set", "")), str(r["id"])): r for r in json.loads(path.read_text(encoding="utf-8"))}


def moves(old: dict[tuple[str, str], dict[str, object]], new: dict[tuple[str, str], dict[str, object]]) -> list[Move]:
    out = []
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        if a["verdict"] != b["verdict"]:
            out.append(Move(key, str(b["label"]), str(a["verdict"]), str(b["verdict"]),
                            str(a.get("first_reason") or ""), str(b.get("first_reason") or "")))
    return out


def malicious_unblocked(ms: list[Move]) -> list[Move]:
    return [m for m in ms if m.label == "malicious" and m.old == "block" and m.new != "block"]


def render(ms: list[Move], only_old: list[tuple[str, str]], only_new: list[tuple[str, str]]) -> str:
    groups = (("benign up (worse)", lambda m: m.label != "malicious" and m.up),
              ("benign down (better)", lambda m: m.label != "malicious" and not m.up),
              ("malicious down (worse)", lambda m: m.label == "malicious" and not m.up),
              ("malicious up (better)", lambda m: m.label == "malicious" and m.up))
    lines = []
    for title, pick in groups:
        chosen = [m for m in ms if pick(m)]
        lines.append(f"{title}: {len(chosen)}")
        lines += [m.line() for m in chosen]
    for title, keys in (("only in OLD", only_old), ("only in NEW", only_new)):
        if keys:
            lines.append(f"{title}: {len(keys)}")
            lines += [f"  [{s}] {i}" for s, i in keys]
    lost = malicious_unblocked(ms)
    lines.append(f"malicious inputs moved from block to a lower verdict: {len(lost)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    old, new = load(Path(args[0])), load(Path(args[1]))
    ms = moves(old, new)
    sys.stdout.write(render(ms, sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())))
    return 1 if malicious_unblocked(ms) else 0


if __name__ == "__main__":
    raise SystemExit(main())
