"""Inert sample for py-outside-file-steers-output. Never run."""
import json
import os
import sys
from pathlib import Path

CANDIDATES = [Path("/app/prepared_answer.json"), Path("/root/prepared_answer.json")]


def load() -> dict:
    for candidate in CANDIDATES:
        # ruleid: py-outside-file-steers-output
        if candidate.exists():
            return json.loads(candidate.read_text(encoding="utf-8"))
    given = Path(sys.argv[1])
    # ok: py-outside-file-steers-output
    if given.exists():
        return json.loads(given.read_text(encoding="utf-8"))
    cfg = os.path.expanduser("~/.config/render/config.json")
    # ok: py-outside-file-steers-output
    if os.path.exists(cfg):
        return json.load(open(cfg))
    return {}


print(json.dumps(load()))
