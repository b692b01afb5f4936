"""Throughput of the shell-command analyzer on the shell, PowerShell and batch scripts under `fixtures/`.

Every file that the loader classifies as shell/powershell/batch (by extension or shebang) is analysed
with `analyze_command` (tree-sitter parse, inference, decoders, nested `sh -c`), in one process, after
one warm-up pass (rule catalog and capability map loaded). Each timed run analyses the whole set
`--repeat` times; the median of `--runs` runs is reported. "Commands" are the simple commands the
parser found in the files (nested and decoded commands are analysed but not counted).

The result is written into docs/benchmarks.md between `<!-- shell:start -->` and `<!-- shell:end -->`.

    python bench/shell_speed.py [--runs 5] [--repeat 50] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine, now, write_block

from skillscan.analyzers.shell import CommandContext, analyze_command, dialect_of
from skillscan.analyzers.shell.syntax import parse_script
from skillscan.analyzers.shell.winshell import parse_windows
from skillscan.loaders.files import make_file

LANGS = ("shell", "powershell", "batch")


def shell_files() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        f = make_file(rel, path.read_bytes())
        if f.language in LANGS and f.text is not None:
            out.append((rel, f.text, dialect_of(rel, f.language)))
    return out


def count_commands(text: str, dialect: str) -> int:
    return len(parse_script(text).commands) if dialect == "bash" else len(parse_windows(text, dialect))


def run_once(files: list[tuple[str, str, str]], repeat: int) -> tuple[float, int]:
    findings = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for rel, text, dialect in files:
            findings += len(analyze_command(text, CommandContext(rel), dialect=dialect))
    return time.perf_counter() - start, findings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    files = shell_files()
    if not files:
        raise SystemExit("no shell scripts under fixtures/")
    commands = sum(count_commands(t, d) for _, t, d in files)
    lines = sum(t.count("\n") + 1 for _, t, _ in files)
    size = sum(len(t.encode()) for _, t, _ in files)
    run_once(files, 1)  # warm-up: catalog, capability map, parser
    times = []
    findings = 0
    for _ in range(args.runs):
        seconds, findings = run_once(files, args.repeat)
        times.append(seconds)
    med = statistics.median(times)
    per_pass = med / args.repeat
    body = "\n".join([
        "## Shell commands",
        "",
        ("Throughput of the shell-command analyzer (`skillscan/analyzers/shell`: tree-sitter-bash parse, "
         f"argv → capability map, inline decoders, nested `sh -c`/`eval`) on the {len(files)} shell, PowerShell "
         "and batch scripts under `fixtures/` (by extension or shebang), one process, after a warm-up pass; "
         f"each run analyses the set {args.repeat} times, median of {args.runs} runs."),
        "",
        f"Command: `/work/venv/bin/python bench/shell_speed.py --runs {args.runs} --repeat {args.repeat}`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| scripts / simple commands / lines / bytes per pass | {len(files)} / {commands} / {lines} / {size:,} |",
        f"| findings per pass | {findings // args.repeat} |",
        f"| time per pass (median) | {per_pass * 1000:.1f} ms |",
        f"| **commands/s** | **{commands / per_pass:,.0f}** |",
        f"| lines/s | {lines / per_pass:,.0f} |",
        f"| MB/s | {size / per_pass / 1e6:.2f} |",
        "",
        (f"Measured {now()} on {machine()}; 1-minute load average {load:.1f} at the start (other jobs were "
        "running when it is above the core count, so treat the figure as a lower bound)."),
    ])
    print(body)
    if not args.no_write:
        write_block("shell", body)


if __name__ == "__main__":
    main()
