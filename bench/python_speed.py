"""Throughput of the Python engine (libcst parse + one visitor pass, token fallback where needed).

Generates a deterministic set of Python files (fixed seed) into a temporary directory, then times:
  1. the engine over every `.py` file under `fixtures/`, one process;
  2. the engine over the generated files, one process and through a process pool of `--jobs`;
  3. parse-only libcst and stdlib `ast` on the generated files, for reference;
  4. on `--provider-sample` files: our located-on-demand positions vs libcst's PositionProvider.

Usage: python bench/python_speed.py [--files 1000] [--jobs 2] [--seed 7] [--provider-sample 100]
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillscan.analyzers.python import PythonAnalyzer
from skillscan.loaders.files import make_file
from skillscan.model import Package

from benchlib import tree_cpu

PKG = Package(input="bench", root="bench", format="agent-skill", name="bench")

IMPORTS = ["import os", "import json", "import subprocess", "import requests", "from pathlib import Path",
           "import base64", "import socket", "import shutil", "import tempfile", "import httpx as hx",
           "from subprocess import run as sh_run", "import urllib.request", "import logging", "import re"]
STATEMENTS = [
    'resp = requests.get(f"https://api{n}.example.com/v1/items", timeout=10)',
    'data = json.loads(Path(os.path.dirname(__file__), "data{n}.json").read_text())',
    'subprocess.run(["git", "log", "-n", "{n}"], check=True, capture_output=True)',
    'token = os.environ.get("SERVICE{n}_API_TOKEN", "")',
    'with open(os.path.join(tempfile.gettempdir(), "out{n}.txt"), "w") as fh:\n        fh.write(str(value))',
    'sh_run(["soffice", "--headless", "--convert-to", "pdf", name])',
    'hx.post("https://hooks.example.org/{n}", json={{"v": value}})',
    'items = [x * {n} for x in range(10) if x % 3]',
    'msg = "%s-%d" % (name, {n})',
    'logging.info("processed %s", name)',
    'matches = re.findall(r"[a-z]+{n}", text)',
    'value = base64.b64encode(str(value).encode()).decode()',
    'conn = socket.create_connection(("db{n}.internal", 5432))',
    'shutil.copy(name, os.path.join(tempfile.gettempdir(), "copy{n}"))',
    'result = {{"id": {n}, "name": name, "tags": ["a", "b"], "value": value}}',
    'if value and len(str(value)) > {n}:\n        value = str(value)[:{n}]',
]


def generate(directory: Path, files: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    out = []
    for i in range(files):
        lines = [f'"""Generated module {i}."""'] + rng.sample(IMPORTS, k=rng.randint(3, 8)) + [""]
        for f in range(rng.randint(4, 30)):
            lines.append(f"def func_{f}(name, text='', value=None):")
            lines.append(f'    """Function {f}."""')
            for _ in range(rng.randint(3, 14)):
                stmt = rng.choice(STATEMENTS).format(n=rng.randint(1, 999))
                lines.append("    " + stmt)
            lines.append("    return value")
            lines.append("")
        lines.append('if __name__ == "__main__":\n    func_0("x")\n')
        path = directory / f"pkg{i // 100}" / f"mod_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines))
        out.append(path)
    return out


def _analyze(paths: list[str]) -> int:
    analyzer = PythonAnalyzer()
    n = 0
    for p in paths:
        f = make_file(os.path.basename(p), Path(p).read_bytes())
        n += len(analyzer.analyze_file(PKG, f).findings)
    return n


def timed(label: str, paths: list[Path], jobs: int = 1) -> None:
    size = sum(p.stat().st_size for p in paths)
    cpu0 = tree_cpu()
    start = time.perf_counter()
    if jobs <= 1:
        findings = _analyze([str(p) for p in paths])
    else:
        chunks = [[str(p) for p in paths[i::jobs * 8]] for i in range(jobs * 8)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            findings = sum(pool.map(_analyze, chunks))
    secs = time.perf_counter() - start
    cpu = tree_cpu() - cpu0
    print(f"| {label} | {len(paths)} | {size / 1e6:.2f} | {jobs} | {secs:.2f} | {cpu:.2f} | {len(paths) / secs:.1f} | "
          f"{size / 1e6 / secs:.3f} | {len(paths) / cpu:.1f} | {size / 1e6 / cpu:.3f} | {findings} |")


def parse_only(paths: list[Path]) -> None:
    import libcst as cst

    texts = [p.read_text() for p in paths]
    size = sum(len(t.encode()) for t in texts)
    for name, fn in (("libcst.parse_module", cst.parse_module), ("ast.parse", ast.parse)):
        cpu0 = tree_cpu()
        start = time.perf_counter()
        for t in texts:
            fn(t)
        secs = time.perf_counter() - start
        cpu = tree_cpu() - cpu0
        print(f"| parse only: {name} | {len(texts)} | {size / 1e6:.2f} | 1 | {secs:.2f} | {cpu:.2f} | "
              f"{len(texts) / secs:.1f} | {size / 1e6 / secs:.3f} | {len(texts) / cpu:.1f} | {size / 1e6 / cpu:.3f} | – |")


def providers(paths: list[Path]) -> None:
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    texts = [p.read_text() for p in paths]
    start = tree_cpu()
    modules = [cst.parse_module(t) for t in texts]
    parse = tree_cpu() - start
    start = tree_cpu()
    for m in modules:
        MetadataWrapper(m, unsafe_skip_copy=True).resolve(PositionProvider)
    pos = tree_cpu() - start
    start = tree_cpu()
    _analyze([str(p) for p in paths])
    ours = tree_cpu() - start
    print(f"\n{len(paths)} files (CPU seconds): libcst parse {parse:.2f}; PositionProvider over the whole tree "
          f"{pos:.2f}; our whole engine (tokenize pre-check + parse + walk + on-demand positions + checks) {ours:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--provider-sample", type=int, default=100)
    args = ap.parse_args()
    fixtures = sorted((ROOT / "fixtures").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(Path(tmp), args.files, args.seed)
        _analyze([str(generated[0])])  # warm-up: imports, rule catalog, capability map
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, seed {args.seed}\n")
        print("| set | files | MB | processes | wall s | CPU s | files/s (wall) | MB/s (wall) | files/CPU-s | MB/CPU-s "
              "| findings |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        timed("fixtures/**/*.py", fixtures)
        timed("generated", generated)
        timed("generated", generated, jobs=args.jobs)
        parse_only(generated)
        providers(generated[: args.provider_sample])


if __name__ == "__main__":
    main()
