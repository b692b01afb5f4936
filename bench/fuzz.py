"""The long fuzz run: every target of `bench/fuzztargets.py` in turn, in rounds of random inputs
(hypothesis, no example database), until the time or input budget is spent. Each input runs under a
wall-clock alarm; a crash (an undeclared exception or an engine failure) or an input over the alarm is
recorded with a shortened copy of the input, and the run goes on.

Records inputs tried, crashes, inputs over 10 s of CPU and the slowest input (CPU time) per target; with `--write` the
summary goes into docs/benchmarks.md between `<!-- fuzz:start -->` and `<!-- fuzz:end -->`.

    nice -n 19 python bench/fuzz.py --minutes 30 [--inputs 100000] [--write] [--json out.json]
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hypothesis import HealthCheck, Phase, given, settings

from benchlib import machine, now, write_block
from fuzztargets import TARGETS, Target

SLOW = 10.0  # an input over this many seconds is reported
ALARM = 60  # an input over this many seconds is stopped and reported as a hang


class Hang(Exception):
    pass


@dataclass
class Stats:
    tried: int = 0
    seconds: float = 0.0
    crashes: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: str = ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + f"... ({len(text)} chars)"


def _on_alarm(_sig: int, _frame: Any) -> None:
    raise Hang(f"over {ALARM} s")


CURRENT: list[Path] = []  # --current FILE: each input is written here before it runs (to find a native crash)


def run_round(target: Target, stats: Stats, examples: int) -> None:
    def body(value: Any) -> None:
        if CURRENT:
            CURRENT[0].write_text(f"{target.name}\n{value!r}\n")
        started = time.process_time()
        wall = time.perf_counter()
        signal.alarm(ALARM)
        try:
            target.check(value)
        except Hang as exc:
            stats.crashes.append(f"hang {exc}: {_short(value)}")
            print(f"CRASH {target.name}: {stats.crashes[-1]}", flush=True)
        except Exception as exc:  # recorded, not raised: the run goes on
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            stats.crashes.append(f"{type(exc).__name__}: {str(exc)[:200]} at {Path(tb.filename).name}:{tb.lineno}"
                                 f" on {_short(value)}")
            print(f"CRASH {target.name}: {stats.crashes[-1]}", flush=True)
        finally:
            signal.alarm(0)
        cpu = time.process_time() - started
        took = time.perf_counter() - wall
        stats.tried += 1
        stats.seconds += cpu
        # an input's cost is its CPU time: on a shared machine at `nice -n 19` the wall clock also counts the
        # time other processes held the cores (the alarm above still catches a hang by the wall clock)
        if cpu > SLOW:
            stats.slow.append(f"{cpu:.1f} CPU s ({took:.1f} s wall): {_short(value)}")
        if cpu > stats.slowest:
            stats.slowest, stats.slowest_input = cpu, _short(value)

    test = settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))(given(target.strategy)(body))
    test()


def _load(path: Path, names: list[str]) -> dict[str, Stats]:
    saved = json.loads(path.read_text()) if path.is_file() else {}
    return {n: Stats(**saved[n]) if n in saved else Stats() for n in names}


def _save(path: Path, stats: dict[str, Stats]) -> None:
    path.write_text(json.dumps({n: s.__dict__ for n, s in stats.items()}, indent=1))


def worker(args: argparse.Namespace, chosen: list[Target], state: Path, current: Path) -> None:
    """Runs rounds until the deadline, saving the tally after every target's round."""
    CURRENT.append(current)
    faulthandler.enable()
    signal.signal(signal.SIGALRM, _on_alarm)
    warnings.simplefilter("ignore")  # zipfile's duplicate-name warnings for generated archives
    stats = _load(state, [t.name for t in chosen])
    while time.time() < args.until and (not args.inputs or sum(s.tried for s in stats.values()) < args.inputs):
        for t in chosen:
            run_round(t, stats[t.name], args.round)
            _save(state, stats)
            if time.time() >= args.until:
                break
        total = sum(s.tried for s in stats.values())
        print(f"{total} inputs, {sum(len(s.crashes) for s in stats.values())} crashes", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--inputs", type=int, default=0, help="stop after this many inputs (0: time only)")
    ap.add_argument("--round", type=int, default=200, help="inputs per target per round")
    ap.add_argument("--targets", default="", help="comma-separated target names (default: all)")
    ap.add_argument("--write", action="store_true", help="write the summary into docs/benchmarks.md")
    ap.add_argument("--json", default="", help="also save the full record as JSON")
    ap.add_argument("--worker", default="", help=argparse.SUPPRESS)  # state directory of a worker process
    ap.add_argument("--until", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    chosen = [t for t in TARGETS if not args.targets or t.name in args.targets.split(",")]
    if args.worker:
        worker(args, chosen, Path(args.worker) / "state.json", Path(args.worker) / "current.txt")
        return 0
    # the supervisor: a native crash (a signal) kills only the worker; its input is recorded and a new
    # worker goes on with the remaining time
    started = time.time()
    until = started + args.minutes * 60
    names = [t.name for t in chosen]
    with tempfile.TemporaryDirectory() as tmp:
        state, current = Path(tmp) / "state.json", Path(tmp) / "current.txt"
        while time.time() < until:
            cmd = [sys.executable, __file__, "--worker", tmp, "--until", str(until), "--round", str(args.round),
                   "--inputs", str(args.inputs), "--targets", ",".join(names)]
            proc = subprocess.run(cmd)
            if proc.returncode == 0:
                break
            stats = _load(state, names)
            target, _, value = current.read_text().partition("\n") if current.is_file() else ("?", "", "")
            if target in stats:
                stats[target].tried += 1
                stats[target].crashes.append(f"native crash (exit {proc.returncode}): {value.strip()[:300]}")
                print(f"CRASH {target}: {stats[target].crashes[-1]}", flush=True)
            _save(state, stats)
        stats = _load(state, names)
    elapsed = time.time() - started
    table = _table(stats, elapsed, args)
    print(table)
    for name, s in stats.items():
        for c in s.crashes[:20]:
            print(f"CRASH {name}: {c}")
        for c in s.slow[:20]:
            print(f"SLOW {name}: {c}")
    if args.json:
        Path(args.json).write_text(json.dumps({n: s.__dict__ for n, s in stats.items()}, indent=1))
    if args.write:
        write_block("fuzz", table)
    return 1 if any(s.crashes for s in stats.values()) else 0


def _table(stats: dict[str, Stats], elapsed: float, args: argparse.Namespace) -> str:
    lines = ["## Fuzzing (issue 18)", "",
             f"`nice -n 19 python bench/fuzz.py --minutes {args.minutes:g}"
             + (f" --inputs {args.inputs}" if args.inputs else "") + "` — " + now() + ", " + machine()
             + f"; {elapsed / 60:.1f} min wall clock. Targets and checks: `bench/fuzztargets.py` (a bounded run of"
             " the same targets is `tests/test_fuzz_targets.py`).", "",
             "| target | inputs | CPU s | crashes | inputs over 10 CPU s | slowest input (CPU s) |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, s in stats.items():
        lines.append(f"| {name} | {s.tried} | {s.seconds:.0f} | {len(s.crashes)} | {len(s.slow)} | {s.slowest:.2f} |")
    total = sum(s.tried for s in stats.values())
    lines.append(f"| **all** | {total} | {sum(s.seconds for s in stats.values()):.0f} "
                 f"| {sum(len(s.crashes) for s in stats.values())} | {sum(len(s.slow) for s in stats.values())} "
                 f"| {max((s.slowest for s in stats.values()), default=0):.2f} |")
    worst = max(stats.items(), key=lambda kv: kv[1].slowest, default=None)
    if worst is not None:
        lines += ["", f"Slowest input ({worst[0]}, {worst[1].slowest:.2f} CPU s): `{worst[1].slowest_input[:200]}`"]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
