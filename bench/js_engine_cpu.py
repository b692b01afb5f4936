"""CPU of the JavaScript/TypeScript engine (js-decode: the parse, decoded payloads, flows and the rule families of
js/checks.py) over every JS/TS file of the corpora, in one process: each file's tree is parsed afresh (the shared
tree cache is emptied before each file, as a scan's worker sees it), and the findings each rule made are counted.

    python bench/js_engine_cpu.py [--sets calib,msb-train] [--shared ../shared] [--repeat 3]

Prints the files, their size, the CPU seconds (`time.process_time`, the least of `--repeat` runs) and the findings
per rule. Run it on two commits under the same load (A B A B) to compare.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillscan.analyzers.js import parse as js_parse  # noqa: E402
from skillscan.analyzers.js_decode import JsDecodeAnalyzer  # noqa: E402
from skillscan.loaders.files import make_file  # noqa: E402

SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")


def files(shared: Path, sets: list[str]) -> list[tuple[str, bytes]]:
    out = []
    for s in sets:
        root = shared / "corpus" / s
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix.lower() in SUFFIXES:
                out.append((str(p.relative_to(root)), p.read_bytes()))
    return out


def run(found: list[tuple[str, bytes]]) -> tuple[float, Counter[str]]:
    engine = JsDecodeAnalyzer()
    package = SimpleNamespace(js_modules={})
    rules: Counter[str] = Counter()
    cpu = 0.0
    for path, data in found:
        f = make_file(path, data)
        if not engine.applies(f):
            continue
        js_parse._SHARED.clear()
        start = time.process_time()
        result = engine.analyze_file(package, f)
        cpu += time.process_time() - start
        rules.update(x.rule_id for x in result.findings)
    return cpu, rules


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    found = files(Path(args.shared), args.sets.split(","))
    best = None
    rules: Counter[str] = Counter()
    for _ in range(max(1, args.repeat)):
        cpu, rules = run(found)
        best = cpu if best is None else min(best, cpu)
    size = sum(len(d) for _, d in found)
    print(f"files {len(found)}  bytes {size:,}  cpu {best:.3f} s (least of {args.repeat})")
    for rule, n in sorted(rules.items()):
        print(f"  {rule:32} {n}")


if __name__ == "__main__":
    main()
