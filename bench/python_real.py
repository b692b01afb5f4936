"""The Python engine on real code (issue 23): every `.py` file of the corpora and every ```python fence of their
Markdown (found by a regex here, close to what the instructions engine hands over), CPU seconds in one process.

    python bench/python_real.py [--shared ../shared] [--sets dev,calib,msb-train] [--rounds 2]

1. With and without the pre-filter (analyzers/python/prefilter.py), alternated `--rounds` times (A B A B), the
   results compared text by text (any difference is printed and the exit code is 1): how many texts it skips,
   their CPU in the full analysis, and the engine's CPU either way (the lowest of the rounds).
2. The largest Python file: the token pre-pass, libcst's parse (with the garbage collector on and off) and the
   walk with the checks, on its first quarter, half and all of it (cut at a top-level `def`/`class`), to show
   which part grows faster than the file.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillscan.analyzers.python import _shell_module, analyze_source, prefilter, skipped
from skillscan.analyzers.python.capmap import load_capmap

FENCE = re.compile(r"^```[ \t]*(?:python3?|py)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def texts(shared: Path, sets: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in sets:
        base = shared / "corpus" / name
        for p in sorted(base.rglob("*.md")):
            try:
                text = p.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            out += [(f"{p}#fence-{i}.py", m.group(1)) for i, m in enumerate(FENCE.finditer(text))]
        for p in sorted(base.rglob("*.py")):
            try:
                out.append((str(p), p.read_text("utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return out


def engine(items: list[tuple[str, str]], on: bool) -> tuple[float, list[str], list[float]]:
    real = prefilter.candidate
    if not on:
        prefilter.candidate = lambda text, capmap: None  # type: ignore[assignment]
    capmap = load_capmap(None)
    results, each = [], []
    try:
        start = time.process_time()
        for path, text in items:
            t = time.process_time()
            res, shell, mode = analyze_source(text, path, capmap)
            each.append(time.process_time() - t)
            results.append(repr((res.events, res.payloads, res.dropped, shell, mode)))
        return time.process_time() - start, results, each
    finally:
        prefilter.candidate = real  # type: ignore[assignment]


def big_file(items: list[tuple[str, str]]) -> None:
    import libcst as cst

    from skillscan.analyzers.python.tokens import scan_tokens
    from skillscan.analyzers.python.visitor import ModuleVisitor, walk

    path, text = max(items, key=lambda kv: len(kv[1]))
    print(f"\nThe largest file: {path} ({len(text) // 1024} KB)\n")
    print("| part of the file | KB | token pre-pass s | libcst parse s (gc on) | parse s (gc off) | walk + checks s |")
    print("|---|---|---|---|---|---|")
    lines = text.split("\n")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 12_000))
    capmap = load_capmap(None)
    for frac in (0.25, 0.5, 1.0):
        n = len(lines)
        if frac < 1:
            n = int(len(lines) * frac)
            while n < len(lines) and not lines[n].startswith(("def ", "class ", "@")):
                n += 1
        part = "\n".join(lines[:n])
        t0 = time.process_time()
        scan_tokens(part, keep=False)
        t1 = time.process_time()
        module = cst.parse_module(part)
        t2 = time.process_time()
        del module
        gc.disable()
        try:
            t3 = time.process_time()
            module = cst.parse_module(part)
            t4 = time.process_time()
        finally:
            gc.enable()
        visitor = ModuleVisitor(module, part, path, capmap, _shell_module())
        walk(visitor, module)
        t5 = time.process_time()
        print(f"| {frac:.0%} | {len(part) // 1024} | {t1 - t0:.2f} | {t2 - t1:.2f} | {t4 - t3:.2f} | {t5 - t4:.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sets", default="dev,calib,msb-train")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    items = texts(args.shared, args.sets.split(","))
    capmap = load_capmap(None)
    engine(items[:50], True)  # imports and caches, outside the timing
    full, on = [], []
    base_results: list[str] = []
    for _ in range(args.rounds):
        t, base_results, each = engine(items, False)
        full.append(t)
        t, results, _ = engine(items, True)
        on.append(t)
        diff = [items[i][0] for i, (a, b) in enumerate(zip(base_results, results, strict=True)) if a != b]
        if diff:
            print("results differ with the pre-filter:", *diff[:20], sep="\n  ")
            return 1
    skips = [i for i, (_, text) in enumerate(items) if skipped(text, capmap)]
    print(f"Python texts: {len(items)} ({sum(len(t) for _, t in items) // 1024} KB); results identical with and "
          f"without the pre-filter over {args.rounds} rounds\n")
    print("| | CPU s |")
    print("|---|---|")
    print(f"| engine, full analysis of every text (lowest of {args.rounds}) | {min(full):.2f} |")
    print(f"| engine with the pre-filter (lowest of {args.rounds}) | {min(on):.2f} |")
    print(f"| texts the pre-filter skips: {len(skips)}, their full analysis | {sum(each[i] for i in skips):.2f} |")
    big_file(items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
