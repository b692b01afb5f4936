"""The fixed CPU cost of one scan process, phase by phase (issue 23: one small skill ≤ 0.25 s is almost
all fixed cost).

    python bench/startup_speed.py [--runs 5] [--skill fixtures/core-benign-git-helper]

Each run is a fresh interpreter that times, with `time.process_time` (CPU, so a busy machine changes
the figures far less than wall time), the phases a one-job scan of one small skill goes through in
order: importing the CLI, importing the engine (policy, loaders, formats), building the file engines,
compiling the instruction detector set, importing libcst and the Python visitor, the scan itself,
and rendering the JSON report. It also counts the regular expressions compiled and the CPU spent
compiling them. Two settings, each with its own temporary cache directory: the on-disk caches off
(every pattern and every dataclass method compiled) and filled by an earlier process (regex opcodes,
skillscan/lazyre_cache.py, and the methods `@dataclass` generates, skillscan/dataclass_cache.py). Medians
over `--runs` runs are printed as a Markdown table.

Bytecode: an installed package has its modules compiled (`pip install` writes the `.pyc` files), so
skillscan's modules are compiled first (`python -m compileall`), as `bench/real_speed.py` does; with
`PYTHONDONTWRITEBYTECODE=1` in the environment and no compiled files, every process would compile the
~150 modules it imports again, which is not what a user runs. `--source` skips the compile step (the
figures then include compiling whatever has no `.pyc`; the table says which).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, compile_bytecode

PROBE = r"""
import json, sys, time
T = time.process_time
spent = [0.0, 0]
from re import _compiler
from skillscan import dataclass_cache, lazyre_cache
if sys.argv[2] == "cache":
    lazyre_cache.install()
    dataclass_cache.install()
inner = _compiler.compile
def counted(p, flags=0):
    t = T()
    try:
        return inner(p, flags)
    finally:
        spent[0] += T() - t
        spent[1] += 1
_compiler.compile = counted
out = {}
t = T()
def mark(name):
    global t
    now = T(); out[name] = now - t; t = now
import skillscan.cli; mark("import the CLI (typer, options)")
import skillscan.engine; mark("import the engine (policy, loaders, formats)")
from skillscan.analyzers import file_analyzers; file_analyzers(); mark("build the file engines")
from skillscan.analyzers.instructions.detectors import detector_set; detector_set(); mark("compile the instruction detector set")
import libcst, skillscan.analyzers.python.visitor; mark("import libcst and the Python visitor")
from skillscan.engine import ScanOptions, scan
report = scan([sys.argv[1]], ScanOptions(jobs=1, use_cache=False)); mark("scan (load, analyse, decide)")
from skillscan.report import renderer
renderer("json")(report); mark("render the JSON report")
out["regex compiles (count)"] = spent[1]
out["of which compiling regexes"] = spent[0]
lazyre_cache.save()
dataclass_cache.save()
print(json.dumps(out))
"""


def run(skill: str, mode: str, cache_dir: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, "-c", PROBE, skill, mode], env=env, cwd=REPO, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skill", default=str(REPO / "fixtures" / "core-benign-git-helper"))
    ap.add_argument("--source", action="store_true", help="do not compile skillscan's modules first")
    args = ap.parse_args()
    if not args.source:  # bytecode compiled first, as an installation does
        compile_bytecode()
    compiled = not args.source or not os.environ.get("PYTHONDONTWRITEBYTECODE")
    columns: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="skillscan-startup-") as tmp:
        for mode, label in (("plain", "caches off"), ("cache", "caches filled")):
            cache_dir = str(Path(tmp) / mode)
            if mode == "cache":
                run(args.skill, mode, cache_dir)  # fills the cache
            columns[label] = [run(args.skill, mode, cache_dir) for _ in range(args.runs)]
    labels = list(columns)
    names = list(columns[labels[0]][0])
    print(f"| phase (CPU s, median of {args.runs}) | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for name in names:
        cells = []
        for label in labels:
            value = statistics.median(r[name] for r in columns[label])
            cells.append(f"{value:.0f}" if "count" in name else f"{value:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    totals = [statistics.median(sum(v for k, v in r.items() if not k.startswith(("regex", "of which")))
                                for r in columns[label]) for label in labels]
    print("| **total** | " + " | ".join(f"**{t:.3f}**" for t in totals) + " |")
    print("\nskillscan's modules " + ("compiled first (`.pyc`, as installed)" if not args.source else
          "as found (`--source`)" + ("" if compiled else ": PYTHONDONTWRITEBYTECODE is set, uncompiled modules are "
                                                         "compiled again in every process")) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
