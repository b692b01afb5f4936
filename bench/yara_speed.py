"""YARA throughput on generated data: compile time of `rules/yara/*.yar`, and MB/s of
`rules.match(data=...)` over files shaped like a skill package (Markdown, Python, shell, JSON, a few
binaries), versus matching by path, and the same rules under yara-x when it is installed.

    python bench/yara_speed.py [--mb 64] [--file-kb 32] [--repeat 3]

Data are generated from a fixed seed and contain no indicator, so the numbers measure scanning, not
reporting. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yara  # noqa: E402

from skillscan.analyzers.yara import rule_files  # noqa: E402

WORDS = ("the skill reads a file and writes a summary for the user with care about paths tokens "
         "request response import json def return class self print open with for in if else").split()


def gen_file(rnd: random.Random, size: int) -> bytes:
    kind = rnd.random()
    if kind < 0.05:  # binary
        return bytes(rnd.getrandbits(8) for _ in range(size))
    lines: list[str] = []
    total = 0
    while total < size:
        n = rnd.randint(3, 14)
        words = " ".join(rnd.choice(WORDS) for _ in range(n))
        if kind < 0.4:
            line = f"- {words}, see https://docs.example.com/{rnd.randint(1, 999)}"
        elif kind < 0.7:
            line = f"    value_{rnd.randint(0, 99)} = call(\"{words}\", {rnd.randint(0, 9999)})"
        elif kind < 0.9:
            line = f"echo \"{words}\" | grep -c {rnd.choice(WORDS)} > /tmp/out.{rnd.randint(0, 99)}"
        else:
            line = f'  "{rnd.choice(WORDS)}": "{words}",'
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode()[:size]


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--file-kb", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rnd = random.Random(20260101)
    size = args.file_kb * 1024
    files = [gen_file(rnd, size) for _ in range(max(1, args.mb * 1024 // args.file_kb))]
    total_mb = sum(map(len, files)) / 1e6
    paths = {p.stem: str(p) for p in rule_files()}
    n_rules = sum(p.read_text().count("\nrule ") + p.read_text().startswith("rule ") for p in rule_files())

    compile_s = timed(lambda: yara.compile(filepaths=paths, error_on_warning=True), args.repeat)
    rules = yara.compile(filepaths=paths, error_on_warning=True)
    data_s = timed(lambda: [rules.match(data=d, timeout=60) for d in files], args.repeat)
    rows = [("yara-python " + yara.__version__, "match(data=...)", compile_s, data_s)]

    with tempfile.TemporaryDirectory() as tmp:
        fps = []
        for i, d in enumerate(files):
            fp = os.path.join(tmp, f"f{i}")
            with open(fp, "wb") as fh:
                fh.write(d)
            fps.append(fp)
        path_s = timed(lambda: [rules.match(fp, timeout=60) for fp in fps], args.repeat)
    rows.append(("yara-python " + yara.__version__, "match(path)", compile_s, path_s))

    try:
        import yara_x
    except ImportError:
        yara_x = None
    if yara_x is not None:
        def build():  # type: ignore[no-untyped-def]
            c = yara_x.Compiler()
            for p in rule_files():
                c.new_namespace(p.stem)
                c.add_source(p.read_text(encoding="utf-8"), origin=p.name)
            return c.build()
        x_compile = timed(build, args.repeat)
        scanner = yara_x.Scanner(build())
        x_s = timed(lambda: [scanner.scan(d) for d in files], args.repeat)
        rows.append((f"yara-x {getattr(yara_x, '__version__', '')}".strip(), "Scanner.scan(bytes)", x_compile, x_s))

    print(f"{len(files)} files x {args.file_kb} KiB = {total_mb:.1f} MB, {n_rules} rules, "
          f"median of {args.repeat}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")
    print("| engine | call | compile | scan | MB/s |")
    print("|---|---|---|---|---|")
    for engine, call, c, s in rows:
        print(f"| {engine} | `{call}` | {c * 1000:.0f} ms | {s:.2f} s | {total_mb / s:.0f} |")


if __name__ == "__main__":
    main()
