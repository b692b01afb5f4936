"""Where the wall time of one batch of 40 packages goes: a timeline of every process of the scan (issue 23).

    python bench/batch_timeline.py [--shared ../shared] [--seed 0] [--jobs 2]

The batch is drawn as `bench/real_speed.py --cases batches` draws it (seed N, 40 package directories of calib +
msb-train). One scan runs in this process (`engine.scan`, `--no-cache`) with timers wrapped around its stages by
this script (the product carries no instrumentation): the imports, each group's loading, the package facts
(`with_facts`), the engines' set-up before the fork (`_warm`), the fork of the pool, every file task in its worker
(start, end, CPU, files and bytes), every batch-engine run (semgrep: the batch over real files, and the late one
over decoded or extracted files), each package's permit/decide (`finish`) and the JSON report. Times are seconds
from the start of the process (one clock for all processes); the serial share is what the main process does while
no worker runs a task.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()
C0 = time.process_time()
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO  # noqa: E402

import skillscan.analyze as analyze  # noqa: E402
import skillscan.engine as engine  # noqa: E402
from skillscan.report import renderer  # noqa: E402

EVENTS: list[tuple[str, str, float, float, float]] = []  # (process, what, start, end, CPU)
IMPORTED = time.perf_counter() - T0
TASKS = Path(tempfile.mkdtemp(prefix="skillscan-timeline-")) / "tasks.jsonl"


def timed(name: str, fn, who: str = "main"):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        t, c = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            EVENTS.append((who, name, t - T0, time.perf_counter() - T0, time.thread_time() - c))
    return wrapper


def _worker(args):  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    done = _real_worker(args)
    files = args[1]
    line = {"pid": os.getpid(), "start": t - T0, "end": time.perf_counter() - T0, "cpu": time.process_time() - c,
            "files": len(files), "bytes": sum(f.size for f in files), "first": files[0].path if files else ""}
    with TASKS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    return done


_real_worker = analyze._worker
_worker.__module__, _worker.__qualname__ = analyze._worker.__module__, analyze._worker.__qualname__


def groups(inputs, limits):  # type: ignore[no-untyped-def]
    it = _real_groups(inputs, limits)
    while True:
        t, c = time.perf_counter(), time.thread_time()
        got = next(it, None)
        if got is None:
            return
        EVENTS.append(("main", f"load group ({len(got[0])} packages)", t - T0, time.perf_counter() - T0,
                       time.thread_time() - c))
        yield got


_real_groups = engine._groups


def run_batch(self, works, virtual_only, packages=None):  # type: ignore[no-untyped-def]
    name = f"semgrep batch ({'decoded/extracted files' if virtual_only else 'real files'}, {len(works)} packages)"
    return timed(name, _real_run_batch, "thread")(self, works, virtual_only, packages)


_real_run_batch = engine._Scan._run_batch


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    from real_speed import corpus

    batch = random.Random(args.seed).sample(corpus(args.shared, ("calib", "msb-train")), 40)
    analyze._worker = _worker
    engine._groups = groups
    engine.with_facts = timed("package facts", engine.with_facts)
    analyze._warm = timed("engines set up before the fork", analyze._warm)
    analyze.Workers.pool = (lambda real: lambda self, *a: real(self, *a) if self.started
                            else timed("start the pool", real)(self, *a))(analyze.Workers.pool)
    engine._Scan._run_batch = run_batch
    engine._Scan.finish = timed("permit/decide (finish)", engine._Scan.finish)
    EVENTS.append(("main", "start-up and imports", 0.0, IMPORTED, 0.0))
    t = time.perf_counter()
    report = engine.scan(batch, engine.ScanOptions(jobs=args.jobs, use_cache=False))
    scanned = time.perf_counter() - T0
    timed("JSON report", renderer("json"))(report)
    end = time.perf_counter() - T0
    tasks = [json.loads(x) for x in TASKS.read_text().splitlines()] if TASKS.exists() else []
    for k in tasks:
        EVENTS.append((f"worker {k['pid']}", f"file task ({k['files']} files, {k['bytes'] / 1024:.0f} KB, "
                       f"{k['first']})", k["start"], k["end"], k["cpu"]))
    print(f"seed {args.seed}: 40 packages; scan {scanned - (t - T0):.2f} s wall, process end {end:.2f} s; "
          f"main process CPU {time.process_time() - C0:.2f} s; load average {os.getloadavg()[0]:.1f}\n")
    rows: list[list] = []  # per-package stages are one row each: first start, last end, CPU summed
    merged: dict[str, list] = {}
    for who, what, s, e, c in EVENTS:
        if what in ("package facts", "permit/decide (finish)"):
            if what not in merged:
                merged[what] = [who, what, s, e, 0.0, 0]
                rows.append(merged[what])
            m = merged[what]
            m[2], m[3], m[4], m[5] = min(m[2], s), max(m[3], e), m[4] + c, m[5] + 1
        else:
            rows.append([who, what, s, e, c, 1])
    print("| process | what | start s | end s | CPU s |\n|---|---|---:|---:|---:|")
    for who, what, s, e, c, n in sorted(rows, key=lambda r: r[2]):
        label = what if n == 1 else f"{what} ×{n} (first start, last end)"
        print(f"| {who} | {label} | {s:.2f} | {e:.2f} | {c:.2f} |")
    busy = sorted((k["start"], k["end"]) for k in tasks)
    first = busy[0][0] if busy else 0.0
    last = max((e for _, e in busy), default=0.0)
    print(f"\nfile tasks: {len(tasks)}, first starts {first:.2f} s, last ends {last:.2f} s, "
          f"CPU {sum(k['cpu'] for k in tasks):.2f} s; after them: {end - last:.2f} s to the end")
    late = [(s, c) for _, what, s, _, c in EVENTS if what == "permit/decide (finish)" and s >= last]
    print(f"permit/decide after the last file task: {len(late)} of "
          f"{merged.get('permit/decide (finish)', [0] * 6)[5]} packages, CPU {sum(c for _, c in late):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
