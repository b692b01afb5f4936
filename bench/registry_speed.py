"""The speed targets of DESIGN.md "Performance model" (issue 9), measured on whole processes of the real CLI.

Cases (each a fresh `python -m skillscan …` process, so start-up, imports, rule loading and the pool
are paid as a user pays them):

- start-up: `--version` (median of `--runs`);
- one small skill end to end (`fixtures/core-benign-git-helper`), with `--no-cache` and with a warm
  result cache (median of `--runs`);
- the dev corpus (`../shared/corpus/dev`, every input) as one batch, `--no-cache`;
- the real corpora (`--real`, default calib and msb-train under `../shared/corpus`), each as one batch of
  its package directories and then together, `--no-cache` (packages/s and MB/s beside the generated ones);
- generated registries (`bench/gen_registry.py`, seed 7; default 1,000 and 5,000 packages), every
  package directory passed as its own input, each scanned once with an empty result cache (full
  analysis plus cache writes), then the first one again, unchanged, with that cache (median of `--runs`);
- the top import-time costs (`python -X importtime`, self time summed per top-level package, median of 3).

For every run: wall time, CPU time (user+sys of the whole process tree, from `wait4`), the load
average when it started, and peak memory: the main process (`VmHWM`) and the whole process tree
(sum of `VmRSS` over the CLI, its pool workers and semgrep, sampled every 50 ms). Packages/s and
MB/s use the package count of the JSON report and the bytes of the input files.

    python bench/registry_speed.py [--runs 5] [--sizes 1000,5000] [--real calib,msb-train] [--workdir /tmp/skillscan-bench] [--no-write]

The table goes into docs/benchmarks.md between `<!-- speed-targets:start -->` and
`<!-- speed-targets:end -->`; other sections are left alone.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, Run, machine, measure, now, size_mb, skillscan_version, write_block

SCAN = ["scan", "--format", "json", "--fail-on", "never", "--quiet", "--no-config"]


def packages_in(report: Path) -> int:
    return len(json.loads(report.read_text(encoding="utf-8"))["packages"])


def import_costs(argv: list[str], runs: int = 3, top: int = 10) -> list[tuple[str, float]]:
    """Self import time summed per top-level package (ms), median over `runs` processes."""
    per: dict[str, list[float]] = defaultdict(list)
    line_re = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=REPO, capture_output=True, text=True)
        sums: dict[str, float] = defaultdict(float)
        for line in proc.stderr.splitlines():
            m = line_re.match(line)
            if m:
                sums[m.group(4).split(".")[0]] += int(m.group(1)) / 1000
        for k, v in sums.items():
            per[k].append(v)
    med = {k: statistics.median(v + [0.0] * (runs - len(v))) for k, v in per.items()}
    return sorted(med.items(), key=lambda kv: -kv[1])[:top]


def row(name: str, runs: list[Run], packages: int | None = None, mb: float | None = None,
        target: str = "") -> str:
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    rate = f"{packages / wall:.1f} pkg/s, {mb / wall:.2f} MB/s" if packages and mb is not None else "–"
    span = f" ({min(r.wall for r in runs):.2f}–{max(r.wall for r in runs):.2f})" if len(runs) > 1 else ""
    loads = f"{min(r.load for r in runs):.1f}–{max(r.load for r in runs):.1f}" if len(runs) > 1 else f"{runs[0].load:.1f}"
    return (f"| {name} | {len(runs)} | {wall:.2f} s{span} | {cpu:.2f} s | {rate} "
            f"| {max(r.main_mb for r in runs):.0f} MB | {max(r.tree_mb for r in runs):.0f} MB | {loads} | {target} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1000,5000", help="registry sizes to generate and sweep ('' for none)")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--real", default="calib,msb-train", help="real corpora under <shared>/corpus ('' for none)")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "skillscan-bench")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)

    py = [sys.executable, "-m", "skillscan"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    # bytecode compiled first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (CI images often set
    # it), every process would otherwise recompile each module edited since its .pyc was written
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "skillscan")], check=False,
                   capture_output=True)
    report = args.workdir / "report.json"
    lines = ["| run | runs | wall (median, min–max) | CPU user+sys | throughput | peak RSS main | peak RSS tree "
             "| load avg | target |", "|---|---|---|---|---|---|---|---|---|"]

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    def checked(cmd: list[str], what: str) -> int:
        r = measure(cmd, stdout=report)
        if r.code not in (0, 1):
            sys.exit(f"{what}: exit {r.code}")
        return packages_in(report)

    emit(row("start-up `skillscan --version`", [measure(py + ["--version"]) for _ in range(args.runs)],
             target="near bare `python -c pass`"))
    emit(row("bare `python -c pass` (reference)", [measure([sys.executable, "-c", "pass"]) for _ in range(args.runs)]))

    small = REPO / "fixtures" / "core-benign-git-helper"
    cache = args.workdir / "cache-small"
    shutil.rmtree(cache, ignore_errors=True)
    small_mb = size_mb([small])
    checked(py + SCAN + ["--no-cache", str(small)], "small skill")
    emit(row("one small skill, `--no-cache`", [measure(py + SCAN + ["--no-cache", str(small)]) for _ in range(args.runs)],
             1, small_mb, "≤ 0.5 s"))
    checked(py + SCAN + ["--cache-dir", str(cache), str(small)], "small skill (fill cache)")
    emit(row("one small skill, warm result cache",
             [measure(py + SCAN + ["--cache-dir", str(cache), str(small)]) for _ in range(args.runs)], 1, small_mb,
             "≤ 0.5 s"))

    dev = args.shared / "corpus" / "dev"
    inputs = sorted(p for label in ("benign", "malicious") if (dev / label).is_dir() for p in (dev / label).iterdir())
    if inputs:
        cmd = py + SCAN + ["--no-cache", *map(str, inputs)]
        n = checked(cmd, "dev corpus")
        runs = max(1, min(args.runs, 3))
        emit(row(f"dev corpus, {len(inputs)} inputs ({n} packages), one batch, `--no-cache`",
                 [measure(cmd) for _ in range(runs)], n, size_mb(inputs), "≤ 3 s"))

    # the real corpora (issue 23): each package directory its own input, as a registry sweep passes them
    real: list[str] = []
    for name in [n for n in args.real.split(",") if n.strip()]:
        base = args.shared / "corpus" / name
        pkgs = sorted(str(p) for label in ("benign", "malicious") if (base / label).is_dir()
                      for p in (base / label).iterdir() if p.is_dir())
        if not pkgs:
            continue
        real += pkgs
        cmd = py + SCAN + ["--no-cache", *pkgs]
        n = checked(cmd, f"{name} corpus")
        emit(row(f"real corpus `{name}`, {len(pkgs)} inputs ({n} packages), one batch, `--no-cache`",
                 [measure(cmd)], n, size_mb([Path(p) for p in pkgs])))
    if len(real) > len(inputs) and args.real.count(",") >= 1:
        cmd = py + SCAN + ["--no-cache", *real]
        n = checked(cmd, "real corpora together")
        emit(row(f"real corpora `{args.real}` together, {len(real)} inputs ({n} packages), `--no-cache`",
                 [measure(cmd)], n, size_mb([Path(p) for p in real])))

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    first: tuple[Path, Path, int, float, list[str]] | None = None
    for count in sizes:
        reg = args.workdir / f"registry-{count}"
        gen = subprocess.run([sys.executable, str(REPO / "bench" / "gen_registry.py"), "--count", str(count),
                              "--out", str(reg)], cwd=REPO, capture_output=True, text=True, check=True)
        print(f"registry-{count}: {gen.stdout.strip()}", flush=True)
        rcache = args.workdir / f"cache-{count}"
        shutil.rmtree(rcache, ignore_errors=True)
        # every package its own input, as a registry sweep passes them (a directory given as ONE input is
        # one tree under the per-input caps: --max-files 10,000 and --max-total-size 512M)
        pkgs = sorted(str(p) for p in reg.iterdir() if p.is_dir())
        r = measure(py + SCAN + ["--cache-dir", str(rcache), *pkgs], stdout=report)
        if r.code not in (0, 1):
            sys.exit(f"registry {count}: exit {r.code}")
        n, mb = packages_in(report), size_mb([reg])
        target = "≤ 20 s" if count == 1000 else "≤ 5 × the 1,000 run" if count > 1000 else ""
        emit(row(f"generated registry, {count:,} packages ({n:,} reported), empty cache "
                 f"({gen.stdout.strip().split('with_code_share=')[-1].split()[0]} with code)", [r], n, mb, target))
        if first is None:
            first = (reg, rcache, n, mb, pkgs)
    if first is not None:
        reg, rcache, n, mb, pkgs = first
        runs = max(1, min(args.runs, 3))
        emit(row(f"re-scan of the unchanged `{reg.name}` with its result cache",
                 [measure(py + SCAN + ["--cache-dir", str(rcache), *pkgs]) for _ in range(runs)], n, mb, "≤ 2 s"))

    imports = import_costs(["-m", "skillscan", "scan", *SCAN[1:], "--no-cache", str(small)])
    version_imports = import_costs(["-m", "skillscan", "--version"])
    command = "python bench/registry_speed.py" + (f" --runs {args.runs}" if args.runs != 5 else "") + (
        f" --sizes {args.sizes}" if args.sizes != "1000,5000" else "") + (
        f" --real {args.real}" if args.real != "calib,msb-train" else "")
    text = "\n".join([
        "## Speed: the performance targets (`bench/registry_speed.py`)",
        "",
        f"Command: `{command}` — {now()}, {skillscan_version()}, on {machine()}. Each row is a fresh "
        "`python -m skillscan scan --format json --fail-on never --quiet --no-config` process (jobs = one per core). "
        "CPU is user+sys of the whole process tree (pool workers and semgrep included); peak RSS main is the CLI "
        "process's `VmHWM`, peak RSS tree the largest sampled sum of `VmRSS` over the CLI and all its descendants. "
        "Load avg is the 1-minute load average when the run started: above 2 (the core count), other jobs "
        "shared the machine and wall times are inflated by roughly load/2; CPU time is the steadier figure.",
        "",
        *lines,
        "",
        "Top import costs (self time summed per top-level package, median of 3, ms) — one small-skill scan: "
        + ", ".join(f"`{k}` {v:.0f}" for k, v in imports)
        + "; `--version`: " + ", ".join(f"`{k}` {v:.0f}" for k, v in version_imports) + ".",
    ]) + "\n"
    if not args.no_write:
        write_block("speed-targets", text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
