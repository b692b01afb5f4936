"""How the on-disk regex cache (skillscan/lazyre_cache.py) grows with use, and what reading it costs each process
(issue 23: one small skill is almost all fixed cost).

    python bench/regex_cache.py [--ref a770478] [--shared ../shared] [--processes 8] [--runs 5]

For this tree and for the reference commit (checked out into a temporary `git worktree`, removed afterwards),
each with a fresh cache directory of its own: `--processes` scan processes run one after the other, process N
over the batch of 40 packages of calib + msb-train that `bench/real_speed.py --cases batches` draws with seed N
(as a registry scans its successive batches), each with its own hash seed as separate processes have; then the cache file's size and entry count are read, and a fresh process times,
in CPU seconds (`time.process_time`), the load of the file (the first compile after `install()`), the median of
`--runs`. Last, the CPU (user + sys, `/usr/bin/time`-style from `RUSAGE_CHILDREN`) of one scan process of
`fixtures/core-benign-git-helper` with that cache, the median of `--runs`. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, compile_bytecode, corpus_inputs, machine, now

LOAD = r"""
import time, re
from skillscan import lazyre_cache
lazyre_cache.install()
t = time.process_time()
re.compile("(?:bench-only-never-cached-%d)" % time.time_ns())
print(time.process_time() - t, len(lazyre_cache._entries))
"""


def _batch(shared: Path, seed: int) -> list[str]:
    inputs = [p for p in corpus_inputs(shared, ("calib", "msb-train")) if Path(p).is_dir()]  # as real_speed lists them
    return random.Random(seed).sample(inputs, 40)


def _env(tree: Path, cache: Path, seed: int | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "SKILLSCAN_CACHE_DIR": str(cache)}
    if seed is not None:
        env["PYTHONHASHSEED"] = str(seed)
    return env


def _cpu(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(tree: Path, cache: Path, shared: Path, processes: int, runs: int) -> dict[str, float]:
    cache.mkdir(mode=0o700)
    scan = [sys.executable, "-m", "skillscan", "scan", "--no-cache", "--format", "json"]
    for seed in range(processes):
        subprocess.run(scan + _batch(shared, seed), env=_env(tree, cache, seed + 1), cwd=tree, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    files = list((cache / "regex").glob("re-*.bin"))
    size = files[0].stat().st_size if files else 0
    loads, entries = [], 0.0
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD], env=_env(tree, cache), cwd=tree, capture_output=True,
                             text=True, check=True).stdout.split()
        loads.append(float(out[0]))
        entries = float(out[1])
    small = [_cpu(scan + [str(tree / "fixtures" / "core-benign-git-helper")], _env(tree, cache), tree)
             for _ in range(runs)]
    return {"size": size / 1e6, "entries": entries, "load": statistics.median(loads), "small": statistics.median(small)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", default="a770478")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="skillscan-recache-") as tmp:
        ref = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref), args.ref], cwd=REPO, check=True,
                       capture_output=True)
        try:
            for label, tree in ((f"reference {args.ref}", ref), ("this tree", REPO)):
                compile_bytecode(tree)
                rows[label] = measure(tree, Path(tmp) / f"cache-{len(rows)}", args.shared, args.processes, args.runs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=REPO, capture_output=True,
                           check=False)
    print(f"`python bench/regex_cache.py --ref {args.ref} --processes {args.processes} --runs {args.runs}` — {now()}, "
          f"{machine()}.\n")
    print("| tree | cache file after the scans | entries | CPU to read it (median) | one small skill, CPU of the "
          "process (median) |")
    print("|---|---:|---:|---:|---:|")
    for label, r in rows.items():
        print(f"| {label} | {r['size']:.1f} MB | {r['entries']:.0f} | {r['load'] * 1000:.0f} ms | {r['small']:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
