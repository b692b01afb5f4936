"""The speed targets of issue 23 on real packages, measured side by side with an older commit.

    python bench/real_speed.py [--ref 827e8e0] [--shared ../shared] [--pairs 2] [--cases big,batches,small]
                               [--seeds 0,1,…,9] [--write]

The reference commit is checked out into a temporary `git worktree` (removed afterwards) and both trees
are timed as whole CLI processes — `python -m skillscan scan --format json --no-cache --no-config
--fail-on never --quiet`, jobs = one per core — in pairs, reference then this tree (A B A B), so that
a machine shared with other work slows both alike. Reported per case: the best and median wall time of
each side, CPU (user+sys of the process tree), peak memory of the process tree (the CLI, its pool workers
and semgrep, sampled) two ways — the `VmRSS` sum, which counts every page the forked workers still share
with the CLI once per process, and the PSS sum (`/proc/PID/smaps_rollup`), which counts a shared page
once in all: the memory the tree occupies — and the ratio reference/this tree of the best walls.

Cases:
- `big`: calib and msb-train together (every package directory one input);
- `batches`: ten batches of 40 packages drawn with seeds 0–9 from calib + msb-train (the slowest
  batch is the target: ≤ 1 s);
- `small`: one small skill (`fixtures/core-benign-git-helper`; target ≤ 0.25 s).

Caches: `--no-cache` turns off the result cache only; the caches of compiled rule data (parsed YAML,
compiled YARA rules, regex opcodes: skillscan/ruledata.py, skillscan/lazyre_cache.py) stay on, as for
any user. Each tree gets its own temporary cache directory (`SKILLSCAN_CACHE_DIR`), filled by one
unmeasured scan of the small skill before any timing, so that neither tree reads entries the other
wrote, nor whatever the user's own cache directory holds; bytecode is compiled first, as an installation
does.

`--write` puts the table into docs/benchmarks.md between `<!-- real-speed:start -->` and
`<!-- real-speed:end -->`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, Run, compile_bytecode, machine, now, size_mb, write_block
from benchlib import measure as measure_argv

SCAN = ["-m", "skillscan", "scan", "--format", "json", "--no-cache", "--no-config", "--fail-on", "never", "--quiet"]
SMALL = "fixtures/core-benign-git-helper"


CACHES: dict[Path, Path] = {}  # tree → its own cache directory (see the module's docstring)


def measure(tree: Path, args: list[str]) -> Run:
    """One whole process of the CLI of `tree` (its own directory first on sys.path): wall, CPU of the
    process tree and peak memory, as registry_speed measures them."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if tree in CACHES:
        env["SKILLSCAN_CACHE_DIR"] = str(CACHES[tree])
    return measure_argv([sys.executable, *args], env=env, cwd=tree)


def corpus(shared: Path, names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        base = shared / "corpus" / name
        for sub in sorted(base.iterdir()):
            if sub.is_dir():
                out.extend(sorted(str(p) for p in sub.iterdir() if p.is_dir()))
    return out


def paired(ref: Path, pairs: int, args: list[str]) -> tuple[list[Run], list[Run]]:
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(pairs):
        a.append(measure(ref, args))
        b.append(measure(REPO, args))
    for r in (*a, *b):
        if r.code not in (0, 1):
            sys.exit(f"exit {r.code}: {' '.join(args[:12])} …")
    return a, b


def row(name: str, a: list[Run], b: list[Run], packages: int, mb: float) -> str:
    best_a, best_b = min(r.wall for r in a), min(r.wall for r in b)
    med_a, med_b = statistics.median(r.wall for r in a), statistics.median(r.wall for r in b)
    return (f"| {name} | {best_a:.2f} / {med_a:.2f} s | {best_b:.2f} / {med_b:.2f} s "
            f"| {min(r.cpu for r in a):.1f} / {min(r.cpu for r in b):.1f} s "
            f"| {max(r.tree_mb for r in a):.0f} / {max(r.tree_mb for r in b):.0f} MB "
            f"| {max(r.tree_pss_mb for r in a):.0f} / {max(r.tree_pss_mb for r in b):.0f} MB "
            f"| {packages / best_b:.1f} pkg/s, {mb / best_b:.2f} MB/s | **{best_a / best_b:.2f}×** |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", default="827e8e0")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--cases", default="big,batches,small")
    ap.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9", help="the batches of 40 to draw")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    cases = args.cases.split(",")
    ref = Path(tempfile.mkdtemp(prefix="skillscan-ref-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(ref), args.ref], cwd=REPO, check=True,
                   capture_output=True)
    lines = ["| case | reference best / median wall | this tree best / median wall | CPU ref / this (best) "
             "| peak RSS tree ref / this | peak PSS tree ref / this | this tree's throughput | speed-up |",
             "|---|---|---|---|---|---|---|---|"]

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    try:
        for tree in (ref, REPO):  # bytecode compiled first, as an installation does
            compile_bytecode(tree)
            CACHES[tree] = ref.parent / f"cache-{'ref' if tree == ref else 'this'}"
            measure(tree, [*SCAN, str(REPO / SMALL)])  # fills this tree's rule-data caches, unmeasured
        inputs = corpus(args.shared, ("calib", "msb-train"))
        if "small" in cases:
            small = str(REPO / SMALL)
            measure(ref, [*SCAN, small]), measure(REPO, [*SCAN, small])  # warm the file cache
            a, b = paired(ref, max(args.pairs, 5), [*SCAN, small])
            emit(row(f"one small skill (`{SMALL}`; target ≤ 0.25 s)", a, b, 1, size_mb([Path(small)])))
        if "batches" in cases:
            slow_a = slow_b = 0.0
            for seed in (int(x) for x in args.seeds.split(",")):
                batch = random.Random(seed).sample(inputs, 40)
                a, b = paired(ref, args.pairs, [*SCAN, *batch])
                slow_a, slow_b = max(slow_a, min(r.wall for r in a)), max(slow_b, min(r.wall for r in b))
                emit(row(f"batch of 40, seed {seed}", a, b, 40, size_mb([Path(p) for p in batch])))
            emit(f"| slowest batch of 40, seeds {args.seeds} (target ≤ 1 s) | {slow_a:.2f} s | {slow_b:.2f} s | | | | | "
                 f"**{slow_a / slow_b:.2f}×** |")
        if "big" in cases:
            a, b = paired(ref, args.pairs, [*SCAN, *inputs])
            emit(row(f"calib + msb-train, {len(inputs)} inputs (target ≥ 4×)", a, b, len(inputs),
                     size_mb([Path(p) for p in inputs])))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=REPO, capture_output=True, check=False)
        shutil.rmtree(ref.parent, ignore_errors=True)
    cmd = f"python bench/real_speed.py --ref {args.ref} --pairs {args.pairs} --cases {args.cases} --seeds {args.seeds} --write"
    text = "\n".join([
        "## Speed on real packages, side by side with an older commit (issue 23)", "",
        f"`{cmd}` — {now()}, {machine()}. Whole CLI processes, `--no-cache`, one job per core, paired runs "
        f"(reference {args.ref}, then this tree; {args.pairs} pairs, 5 for the small skill). Bytecode compiled "
        "and each tree's rule-data caches filled before timing, in a cache directory of its own. Read the ratios: "
        "the machine may be shared, which slows both sides alike but inflates the seconds.", "", *lines]) + "\n"
    if args.write:
        write_block("real-speed", text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
