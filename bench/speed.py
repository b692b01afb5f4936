"""Whole-process speed of the real CLI: wall time (median of N runs, default 5) and peak memory.

Each run is `python -m skillscan scan --format json --fail-on never --quiet …` started fresh, so
interpreter start-up, imports, rule loading and the process pool are all paid, as a user pays them.
Peak memory is the maximum resident set of the largest process in the run's tree (`wait4` rusage,
which covers the pool workers the CLI waited for), in MB.

Cases: start-up (`--version`), one small skill, the fixtures, the dev corpus with `--jobs 1` and
with one worker per core (both with `--no-cache`), the dev corpus again with a warm result cache,
and — with `--registry DIR` (e.g. made by `bench/gen_registry.py`) — a registry sweep. The table is written into docs/benchmarks.md between `<!-- speed:start -->` and
`<!-- speed:end -->`; other sections of the file are left alone.

    python bench/speed.py [--runs 5] [--shared ../shared] [--registry /tmp/registry-1000] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now, skillscan_version, write_block  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    packages: int | None = None
    files: int | None = None
    megabytes: float | None = None


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of the largest process in the tree, exit code) of one fresh run."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    return wall, usage.ru_maxrss / 1024, code


def size_of(paths: list[Path]) -> tuple[int, float]:
    files, total = 0, 0
    for p in paths:
        items = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file() and not f.is_symlink()]
        files += len(items)
        total += sum(f.stat().st_size for f in items)
    return files, total / 1e6


def cases(shared: Path, registry: Path | None) -> list[Case]:
    out = [Case("start-up: `skillscan --version`", ("--version",))]
    small = REPO / "fixtures" / "core-benign-git-helper"
    if small.is_dir():
        n, mb = size_of([small])
        out.append(Case("one small skill", ("scan", str(small.relative_to(REPO))), 1, n, mb))
    fixtures = REPO / "fixtures"
    if fixtures.is_dir():
        n, mb = size_of([fixtures])
        count = sum(1 for p in fixtures.iterdir() if not p.name.startswith(".") and p.name != "LABELS.tsv")
        out.append(Case("`fixtures/`", ("scan", "fixtures"), count, n, mb))
    dev = shared / "corpus" / "dev"
    inputs = sorted(str(p) for label in ("benign", "malicious") if (dev / label).is_dir()
                    for p in (dev / label).iterdir())
    if inputs:
        n, mb = size_of([Path(p) for p in inputs])
        out.append(Case("dev corpus, `--jobs 1`", ("scan", "--jobs", "1", *inputs), len(inputs), n, mb))
        out.append(Case("dev corpus, one worker per core", ("scan", *inputs), len(inputs), n, mb))
        out.append(Case("dev corpus, warm result cache", ("scan", "--cache-dir", "{cache}", *inputs), len(inputs), n, mb))
    if registry is not None and registry.is_dir():
        n, mb = size_of([registry])
        count = sum(1 for p in registry.iterdir() if p.is_dir())
        out.append(Case(f"registry sweep `{registry.name}`", ("scan", str(registry)), count, n, mb))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--registry", type=Path, default=None, help="a directory of many packages to sweep")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--targets", action="store_true", help="then run bench/registry_speed.py: the performance "
                    "targets (start-up, small skill, dev corpus, 1,000/5,000-package registries, cached re-scan)")
    args = ap.parse_args(argv)

    base = [sys.executable, "-m", "skillscan"]
    scan_opts = ["--format", "json", "--fail-on", "never", "--quiet", "--no-config"]
    cache = tempfile.mkdtemp(prefix="skillscan-bench-cache-")
    load = os.getloadavg()[0]
    lines = ["| run | inputs | files | MB | wall (median) | min – max | peak RSS |", "|---|---|---|---|---|---|---|"]
    for case in cases(args.shared.resolve(), args.registry):
        rest = [a.replace("{cache}", cache) for a in case.args[1:]]
        opts = scan_opts + ([] if "--cache-dir" in case.args else ["--no-cache"]) if case.args[0] == "scan" else []
        argv_ = base + list(case.args[:1]) + opts + rest
        if case.args[0] == "scan":  # one checked run first: a crash must not be timed as a fast scan
            check = subprocess.run(argv_, cwd=REPO, capture_output=True, text=True)
            try:
                json.loads(check.stdout)["packages"]
            except (ValueError, KeyError):
                sys.exit(f"{case.name}: no report (exit {check.returncode}): {check.stderr[-1000:]}")
        walls, peaks = [], []
        for _ in range(args.runs):
            wall, peak, code = measure(argv_)
            if code != 0:
                sys.exit(f"{case.name}: exit {code}")
            walls.append(wall)
            peaks.append(peak)
        fmt = lambda v, spec: "–" if v is None else format(v, spec)  # noqa: E731
        line = (f"| {case.name} | {fmt(case.packages, 'd')} | {fmt(case.files, 'd')} | {fmt(case.megabytes, '.2f')} "
                f"| {statistics.median(walls):.2f} s | {min(walls):.2f} – {max(walls):.2f} s | {max(peaks):.0f} MB |")
        lines.append(line)
        print(line, flush=True)
    command = "python bench/speed.py" + (f" --runs {args.runs}" if args.runs != 5 else "") + (
        f" --registry {args.registry}" if args.registry else "")
    text = "\n".join([
        "## Speed (`bench/speed.py`)",
        "",
        f"Command: `{command}` — {now()}, {skillscan_version()}, on {machine()}. Whole-process runs of "
        f"`python -m skillscan scan --format json --fail-on never --quiet`; wall time is the median of {args.runs} "
        "runs, peak RSS the largest process of the run's tree (the CLI or a pool worker). Every run but the "
        "warm-cache one passes `--no-cache`; the warm-cache runs read a result cache filled by one earlier run. "
        f"Load average when the benchmark started: {load:.1f} (above the core count, other jobs shared the "
        "machine and the times are inflated accordingly).",
        "",
        *lines,
    ]) + "\n"
    shutil.rmtree(cache, ignore_errors=True)
    if not args.no_write:
        write_block("speed", text)
    else:
        sys.stdout.write("\n" + text)
    if args.targets:
        import registry_speed

        registry_speed.main(["--runs", str(args.runs)] + (["--no-write"] if args.no_write else []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
