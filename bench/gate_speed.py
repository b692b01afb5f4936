"""CPU per stage of a warm-cache re-scan (issue 9: an unchanged 1,000-package tree with the result cache,
target ≤ 2 s). In-process: the cache is filled once, then `--runs` re-scans are timed, each stage by
wrapping its entry point (load, cache reads, each package analyzer, decide, JSON rendering). CPU is
`time.process_time()` of the main process (a warm re-scan starts no workers), so the figures hold on
a machine other benchmarks share; wall time is shown beside it. Medians of `--runs`. Optionally the
whole CLI path too (`--cli`: a fresh `python -m skillscan scan --format json …` process, user+sys).

    python bench/gate_speed.py [--registry /tmp/skillscan-bench/registry-1000] [--runs 3] [--cli]"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CPU: dict[str, float] = defaultdict(float)
WALL: dict[str, float] = defaultdict(float)


def _timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        c, w = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[stage] += time.process_time() - c
            WALL[stage] += time.perf_counter() - w
    return wrapper


def _timed_iter(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A generator's work happens while it is iterated: time every step."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        it = iter(_timed(stage, fn)(*args, **kwargs))
        step = _timed(stage, lambda: next(it, _END))
        while (item := step()) is not _END:
            yield item
    return wrapper


_END = object()


def _instrument() -> None:
    from skillscan import cache, engine, policy
    from skillscan.analyzers import package_analyzers

    for loader in ("load_inputs", "iter_inputs"):
        if hasattr(engine, loader):
            wrap = _timed_iter if loader == "iter_inputs" else _timed
            setattr(engine, loader, wrap("load", getattr(engine, loader)))
    setattr(cache.ResultCache, "get", _timed("cache read", cache.ResultCache.get))  # noqa: B010 (a bench patch)
    setattr(policy, "decide", _timed("decide", policy.decide))  # noqa: B010
    for a in package_analyzers():
        a.analyze_package = _timed(f"analyzer {a.name}", a.analyze_package)


def in_process(inputs: list[str], runs: int, cache_dir: str) -> None:
    from skillscan.engine import ScanOptions, scan
    from skillscan.report.json import render

    opts = ScanOptions(jobs=2, use_cache=True, cache_dir=cache_dir)
    scan(inputs, opts)  # fills the cache
    _instrument()
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _ in range(runs):
        CPU.clear()
        WALL.clear()
        c, w = time.process_time(), time.perf_counter()
        report = scan(inputs, opts)
        CPU["scan (total)"] = time.process_time() - c
        WALL["scan (total)"] = time.perf_counter() - w
        c, w = time.process_time(), time.perf_counter()
        render(report)
        CPU["render json"] = time.process_time() - c
        WALL["render json"] = time.perf_counter() - w
        for k, cpu in CPU.items():
            rows[k].append((cpu, WALL[k]))
    print(f"warm re-scan of {len(inputs)} inputs ({len(report.results)} packages), median of {runs}")
    print(f"{'stage':<40} {'CPU s':>8} {'wall s':>8}")
    for k, vals in sorted(rows.items(), key=lambda kv: -statistics.median(x[0] for x in kv[1])):
        print(f"{k:<40} {statistics.median(x[0] for x in vals):8.3f} {statistics.median(x[1] for x in vals):8.3f}")


def cli(inputs: list[str], runs: int, cache_dir: str) -> None:
    cmd = [sys.executable, "-m", "skillscan", "scan", "--format", "json", "--fail-on", "never", "--quiet",
           "--no-config", "--cache-dir", cache_dir, *inputs]
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, check=False)  # fills the cache
    cpus, walls = [], []
    for _ in range(runs):
        w = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - w)
        cpus.append(usage.ru_utime + usage.ru_stime)
    print(f"CLI warm re-scan: CPU {statistics.median(cpus):.3f} s, wall {statistics.median(walls):.3f} s "
          f"(median of {runs}; runs CPU {', '.join(f'{x:.2f}' for x in cpus)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--registry", default="/tmp/skillscan-bench/registry-1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cli", action="store_true", help="also time the whole CLI process")
    ap.add_argument("--no-in-process", action="store_true")
    args = ap.parse_args()
    inputs = sorted(glob.glob(str(Path(args.registry) / "*") + "/"))
    with tempfile.TemporaryDirectory(prefix="gate-speed-") as tmp:
        if not args.no_in_process:
            in_process(inputs, args.runs, str(Path(tmp) / "a"))
        if args.cli:
            cli(inputs, args.runs, str(Path(tmp) / "b"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
