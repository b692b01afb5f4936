"""Shared helpers for the benchmark scripts: the machine line, measuring one whole process and its tree
(wall, CPU, peak memory), compiling bytecode as an installation does, and writing a marked block into
docs/benchmarks.md without touching anyone else's section."""

from __future__ import annotations

import os
import platform
import resource
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = REPO / "docs" / "benchmarks.md"
SAMPLE_S = 0.05  # how often the memory of a measured process tree is read
HEADER = "# Benchmarks\n\nEach section is written by its own script between its markers; rerun the script to refresh it.\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = ""
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {cores} cores{mem}, "
            f"Python {platform.python_version()}")


def skillscan_version() -> str:
    proc = subprocess.run([sys.executable, "-m", "skillscan", "--version"], capture_output=True, text=True, cwd=REPO)
    return proc.stdout.strip()


def compile_bytecode(tree: Path = REPO) -> None:
    """Compile skillscan's modules under `tree` (`.pyc`), as `pip install` does for an installed package."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "skillscan")], capture_output=True, check=False)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + sys of the process and every child it waited for
    main_mb: float  # peak resident set of the main process
    tree_mb: float  # peak of the summed resident sets of the process tree (sampled)
    load: float  # 1-minute load average when the run started
    code: int
    # peak of the summed proportional set sizes (PSS) of the tree: a page shared by n processes (the forked
    # workers share the parent's pages until they write them) counts 1/n in each, so the sum is the memory
    # the tree occupies; the RSS sum above counts every shared page once per process that maps it
    tree_pss_mb: float = 0.0


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out[ppid].append(int(entry.name))
    return out


def _tree(pid: int) -> list[int]:
    kids = _children()
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, ()))
    return seen


PR_SET_CHILD_SUBREAPER = 36  # prctl(2): orphans of this process's descendants are re-parented to it
ORPHAN_WAIT_S = 60.0  # how long the benches wait for a measured scan's orphaned descendants to end


def adopt_orphans() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux: `prctl(PR_SET_CHILD_SUBREAPER)`).
    A large scan's workers are children of multiprocessing's fork server, which the scan's process never
    waits for (it ends once the scan is gone): without this, their CPU reached no `RUSAGE_CHILDREN` the
    benches read. False where the call is not available (the CPU figures then miss those processes)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans() -> float:
    """Once a measured process was waited for: wait for every orphan of its tree re-parented here
    (`adopt_orphans`, called before it started), until none is left or ORPHAN_WAIT_S pass, and return their user
    + system CPU seconds (each with the descendants it waited for: the fork server's with its workers'). Called
    only while this process has no other child."""
    cpu = 0.0
    deadline = time.monotonic() + ORPHAN_WAIT_S
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # no child left
        if pid == 0:
            time.sleep(0.02)  # one still runs (the fork server ends once it sees the scan's process gone)
            continue
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def measure(argv: list[str], env: dict[str, str] | None = None, stdout: Path | None = None,
            cwd: Path = REPO) -> Run:
    load = os.getloadavg()[0]
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    adopt_orphans()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL, env=env)
    peaks = {"main": 0, "tree": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peaks["main"] = max(peaks["main"], _status_kb(proc.pid, "VmHWM"))
            tree = _tree(proc.pid)
            peaks["tree"] = max(peaks["tree"], sum(_status_kb(p, "VmRSS") for p in tree))
            peaks["pss"] = max(peaks["pss"], sum(_pss_kb(p) for p in tree))
            done.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime + reap_orphans()
    main_mb = max(peaks["main"], 0) / 1024
    # a run shorter than one sample: fall back on the largest single process (wait4)
    tree_mb = max(peaks["tree"] / 1024, usage.ru_maxrss / 1024)
    main_mb = main_mb or usage.ru_maxrss / 1024
    return Run(wall, cpu, main_mb, tree_mb, load, code, peaks["pss"] / 1024)


def corpus_inputs(shared: Path, sets: Iterable[str]) -> list[str]:
    """Every input of the named corpora — each entry of `shared/corpus/<set>/<label>/`, labels and entries in
    sorted order — as the benches pass them to the CLI, one argument each."""
    out: list[str] = []
    for name in sets:
        base = shared / "corpus" / name
        for sub in sorted(p for p in base.iterdir() if p.is_dir()):
            out.extend(sorted(str(p) for p in sub.iterdir()))
    return out


def children_cpu() -> float:
    """User + system CPU seconds of every child this process has waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def tree_cpu() -> float:
    """User + system CPU seconds of this process and of every child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + children_cpu()


def timed_children(run: Callable[[], object]) -> tuple[float, float]:
    """(CPU of the children `run` started and waited for, wall seconds) of one call of `run`."""
    cpu, wall = children_cpu(), time.perf_counter()
    run()
    return children_cpu() - cpu, time.perf_counter() - wall


def size_mb(paths: list[Path]) -> float:
    total = 0
    for p in paths:
        items = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file() and not f.is_symlink()]
        total += sum(f.stat().st_size for f in items)
    return total / 1e6


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def write_block(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` (appending the block
    if it is not there yet); every other section of the file is left byte for byte as it was."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
