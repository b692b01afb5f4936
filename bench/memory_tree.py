"""What each process of a scan holds: the main process, each pool worker and each semgrep process (issue 23).

    python bench/memory_tree.py [--sets calib,msb-train] [--shared ../shared] [--jobs 2] [--ref REV]

Runs `python -m skillscan scan --format json --no-cache --no-config --jobs N` over every package of the
sets and samples `/proc` every 50 ms: for each process of the tree its peak resident set (`VmRSS`) and
peak proportional set (PSS: a page the forked workers still share with the main process counts 1/n in
each), and for the whole tree the peak of the summed resident sets (the figure issue 23's target reads)
and of the summed PSS. Processes are named by what they run: `main`, `worker` (a forked Python child),
`fork server` and `resource tracker` (multiprocessing's, started by a large scan) or the program
(`semgrep-core`, …). `--ref REV` measures a `git worktree` of REV first, on the same inputs, for a
before/after table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, _pss_kb, _status_kb, _tree, adopt_orphans, compile_bytecode, reap_orphans

SAMPLE_S = 0.05


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _name(pid: int, main: int) -> str:
    if pid == main:
        return "main"
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"
    if not comm.startswith("python"):
        return comm
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b""
    if b"multiprocessing.forkserver" in cmdline and _parent(pid) == main:
        return "fork server"  # the process the workers of a large scan are forked from (skillscan/forkhome.py)
    if b"multiprocessing.resource_tracker" in cmdline:
        return "resource tracker"  # multiprocessing's, started with the fork server
    return "worker"


def measure(tree_root: Path, inputs: list[str], jobs: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree_root)}
    argv = [sys.executable, "-m", "skillscan", "scan", "--format", "json", "--no-cache", "--no-config",
            "--fail-on", "never", "--quiet", "--jobs", str(jobs), *inputs]
    adopt_orphans()  # the fork server's workers' CPU reaches the figure (benchlib.reap_orphans)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=tree_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss: dict[int, int] = defaultdict(int)
    pss: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    peaks = {"tree_rss": 0, "tree_pss": 0}
    at_peak: list[tuple[str, int, int]] = []  # the processes alive when the RSS sum peaked
    when = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = _tree(proc.pid)
            now_rss = now_pss = 0
            now: list[tuple[str, int, int]] = []
            for p in tree:
                r, s = _status_kb(p, "VmRSS"), _pss_kb(p)
                if p not in names and r:
                    names[p] = _name(p, proc.pid)
                rss[p], pss[p] = max(rss[p], r), max(pss[p], s)
                now_rss, now_pss = now_rss + r, now_pss + s
                if r:
                    now.append((names.get(p, "?"), r, s))
            if now_rss > peaks["tree_rss"]:
                at_peak[:] = now
                when[0] = time.perf_counter() - t0
            peaks["tree_rss"] = max(peaks["tree_rss"], now_rss)
            peaks["tree_pss"] = max(peaks["tree_pss"], now_pss)
            done.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime + reap_orphans(),
            "tree_rss": peaks["tree_rss"] / 1024, "tree_pss": peaks["tree_pss"] / 1024,
            "at_peak": sorted(((n, r / 1024, s / 1024) for n, r, s in at_peak), key=lambda x: (x[0] != "main", x[0])),
            "peak_at": when[0],
            "procs": sorted(((names.get(p, "?"), rss[p] / 1024, pss[p] / 1024) for p in rss if rss[p]),
                            key=lambda x: (x[0] != "main", x[0], -x[1]))}


def report(label: str, run: dict[str, object]) -> list[str]:
    lines = [f"**{label}**: wall {run['wall']:.1f} s, CPU {run['cpu']:.1f} s; peak of the tree: "
             f"RSS sum {run['tree_rss']:.0f} MB, PSS sum {run['tree_pss']:.0f} MB", "",
             "| process | peak RSS MB | peak PSS MB |", "|---|---|---|"]
    procs = run["procs"]
    assert isinstance(procs, list)
    lines += [f"| {n} | {r:.0f} | {s:.0f} |" for n, r, s in procs]
    at_peak = run["at_peak"]
    assert isinstance(at_peak, list)
    lines += ["", f"At the peak of the RSS sum ({run['peak_at']:.1f} s into the run):", "",
              "| process | RSS MB | PSS MB |", "|---|---|---|"]
    lines += [f"| {n} | {r:.0f} | {s:.0f} |" for n, r, s in at_peak]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--ref", default="")
    args = ap.parse_args()
    inputs = [str(p) for name in args.sets.split(",") for sub in sorted((args.shared / "corpus" / name).iterdir())
              if sub.is_dir() for p in sorted(sub.iterdir())]
    lines: list[str] = []
    if args.ref:
        with tempfile.TemporaryDirectory() as tmp:
            ref = Path(tmp) / "ref"
            subprocess.run(["git", "worktree", "add", "--detach", str(ref), args.ref], cwd=REPO, check=True,
                           capture_output=True)
            try:
                compile_bytecode(ref)
                lines += report(f"{args.ref}", measure(ref, inputs, args.jobs)) + [""]
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=REPO, capture_output=True)
    compile_bytecode(REPO)
    lines += report("this tree", measure(REPO, inputs, args.jobs))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
