"""CPU of the decide stage (`policy.decide`, run in the scan's main process, one package after another: the
serial part of every scan), this tree against a reference commit, paired (issue 23).

    python bench/decide_cpu.py [--ref a770478] [--shared ../shared] [--sets calib,msb-train] [--pairs 2]
    python bench/decide_cpu.py --hosts 2000,8000,32000 [--ref 01565d2] [--pairs 2]

The reference is checked out into a temporary `git worktree` (removed afterwards). Each run is a fresh
interpreter of one tree that scans the sets in-process (`engine.scan`, 2 jobs, no cache) with a CPU timer
(`time.process_time`, this process only) wrapped around each call of `decide` by this script — the product
carries no instrumentation. Runs alternate reference, this tree, reference, … (`--pairs` pairs), so a load
that moves slows both alike. Prints a Markdown table of the runs.

`--hosts`: instead of the corpora, one package whose findings name n distinct hosts (one `curl` each), judged
once per size in one interpreter (`engine.judge`, the permit and decide stages), each size with hosts no
earlier run asked about: the CPU of a first scan of many hosts, past the per-process memos.
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
from benchlib import REPO, compile_bytecode, corpus_inputs, machine, now

PROBE = r"""
import json, sys, time
from skillscan import engine
from skillscan.engine import ScanOptions, scan
inner = engine.decide
spent = [0.0, 0]
def timed(*a, **k):
    t = time.process_time()
    try:
        return inner(*a, **k)
    finally:
        spent[0] += time.process_time() - t
        spent[1] += 1
engine.decide = timed
scan(json.loads(sys.argv[1]), ScanOptions(jobs=2, use_cache=False))
print(json.dumps({"cpu": spent[0], "packages": spent[1]}))
"""


PROBE_HOSTS = r"""
import json, sys, time
from skillscan.analyzers.base import finding
from skillscan.engine import ScanOptions, judge
from skillscan.loaders.files import make_file
from skillscan.model import Package
pkg = Package(input="c", root="c", format="agent-skill", name="c",
              files=(make_file("scripts/run.sh", b"#!/bin/sh\n"),))
def findings(n, salt):
    return [finding("shell-network-egress", f"`curl` connects to h{i}-{salt}.example", "scripts/run.sh", i + 1,
                    capabilities=[f"net.egress[h{i}-{salt}.example]"]) for i in range(n)]
judge(pkg, findings(100, -1), (), ScanOptions())  # rule data and tables load outside the timing
out = {}
for k, n in enumerate(json.loads(sys.argv[1])):
    fs = findings(n, k)
    t = time.process_time()
    judge(pkg, fs, (), ScanOptions())
    out[str(n)] = time.process_time() - t
print(json.dumps(out))
"""


def hosts(tree: Path, sizes: list[int]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", PROBE_HOSTS, json.dumps(sizes)], env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(tree: Path, inputs: list[str], cache: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "SKILLSCAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(inputs)], env=env, cwd=tree, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", default="a770478")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--hosts", default="", help="sizes (distinct hosts in one package), comma-separated")
    args = ap.parse_args()
    if args.hosts:
        return main_hosts(args.ref, [int(x) for x in args.hosts.split(",")], args.pairs)
    inputs = corpus_inputs(args.shared, args.sets.split(","))
    runs: dict[str, list[float]] = {"ref": [], "this": []}
    packages = 0.0
    with tempfile.TemporaryDirectory(prefix="skillscan-decide-") as tmp:
        ref = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref), args.ref], cwd=REPO, check=True,
                       capture_output=True)
        try:
            trees = {"ref": ref, "this": REPO}
            for name, tree in trees.items():
                compile_bytecode(tree)
                (Path(tmp) / f"cache-{name}").mkdir(mode=0o700)
            for _ in range(args.pairs):
                for name, tree in trees.items():
                    out = run(tree, inputs, Path(tmp) / f"cache-{name}")
                    runs[name].append(out["cpu"])
                    packages = out["packages"]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=REPO, capture_output=True,
                           check=False)
    print(f"`python bench/decide_cpu.py --ref {args.ref} --sets {args.sets} --pairs {args.pairs}` — {now()}, "
          f"{machine()}; {len(inputs)} inputs, {packages:.0f} packages decided per run.\n")
    print("| tree | decide CPU s, each run (A B A B order) | median |")
    print("|---|---|---:|")
    for name, label in (("ref", f"reference {args.ref}"), ("this", "this tree")):
        cells = ", ".join(f"{v:.2f}" for v in runs[name])
        print(f"| {label} | {cells} | {statistics.median(runs[name]):.2f} |")
    return 0


def main_hosts(ref_commit: str, sizes: list[int], pairs: int) -> int:
    runs: dict[str, list[dict[str, float]]] = {"ref": [], "this": []}
    with tempfile.TemporaryDirectory(prefix="skillscan-decide-") as tmp:
        ref = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref), ref_commit], cwd=REPO, check=True,
                       capture_output=True)
        try:
            trees = {"ref": ref, "this": REPO}
            for tree in trees.values():
                compile_bytecode(tree)
            for _ in range(pairs):
                for name, tree in trees.items():
                    runs[name].append(hosts(tree, sizes))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=REPO, capture_output=True,
                           check=False)
    print(f"`python bench/decide_cpu.py --hosts {','.join(map(str, sizes))} --ref {ref_commit} --pairs {pairs}` — "
          f"{now()}, {machine()}; CPU s of `judge` on one package with n distinct hosts, median of {pairs} runs "
          "(A B A B order).\n")
    print("| distinct hosts | reference " + ref_commit + " | this tree |")
    print("|---:|---:|---:|")
    for n in sizes:
        cells = [statistics.median(r[str(n)] for r in runs[name]) for name in ("ref", "this")]
        print(f"| {n:,} | {cells[0]:.2f} | {cells[1]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
