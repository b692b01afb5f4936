"""Where a scan's CPU goes, per stage and per engine, over the real corpora (issue 23).

    python bench/profile_stages.py [--sets calib,msb-train,dev] [--shared ../shared] [--top 20]
                                   [--no-serial] [--write]

Two measurements:

1. One in-process scan with one job and no cache (so every stage runs in this process, in order):
   the stages and engines are wrapped with CPU timers by this script only — the product carries
   no instrumentation. Stages: load (discovery, reading, format detection), analyze (each per-file
   engine, each package engine, semgrep — its own process's CPU counted from `RUSAGE_CHILDREN`),
   roles (`with_roles`), permit, decide (the rest of `judge`), place/merge/filter/fold (the rest of
   `finish`), report (the JSON renderer). Inside the engines, the parsers are timed too:
   libcst `parse_module`, markdown-it block parses (by caller: the instructions engine or roles),
   tree-sitter-bash parses, the YARA engine's Python blob scan; and the fixed set-up: regex compiles
   (after the on-disk regex cache the CLI installs) and the instruction detector set. JavaScript/TypeScript
   parses are counted by who asks (the package's module facts, the js-decode engine, the semgrep Resolver)
   against the tree-sitter parses done: in one process a file is parsed once and its tree shared
   (skillscan/analyzers/js/parse.py). With
   several jobs the js-decode engine runs in worker processes and a tree cannot cross to the main process
   (tree-sitter nodes do not pickle), so the Resolver's requests are the upper bound of the files parsed
   twice there — the table gives their count and the CPU of those parses. `bench/startup_speed.py` breaks down the fixed
   cost of one process. The 20 costliest (engine, file) pairs are listed.
2. The serial share: whole `python -m skillscan scan --no-cache` processes over the same inputs
   with `--jobs 1` and `--jobs 2`, paired (1 2 1 2), wall and CPU of the process tree. With an
   ideal 2-way split, wall(2)/wall(1) = 1 − p/2 where p is the parallel fraction; the serial share
   is 1 − p.

`--write` puts the tables into docs/benchmarks.md between `<!-- profile-stages:start -->` and
`<!-- profile-stages:end -->`.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now, write_block

sys.path.insert(0, str(REPO))

CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
PER_FILE: dict[tuple[str, str], float] = defaultdict(float)
SIZES: dict[str, int] = {}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(label: str, fn: Callable[..., Any], children: bool = False) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        c0 = _children_cpu() if children else 0.0
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[label] += time.process_time() - t0 + ((_children_cpu() - c0) if children else 0.0)
            CALLS[label] += 1
    return wrapper


def _timed_iter(label: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        it = fn(*args, **kwargs)
        while True:
            t0 = time.process_time()
            try:
                item = next(it)
            except StopIteration:
                CPU[label] += time.process_time() - t0
                return
            CPU[label] += time.process_time() - t0
            CALLS[label] += 1
            yield item
    return wrapper


class _TimedProxy:
    """An object whose `parse` (and `inline.parse`) are timed under `label`."""

    def __init__(self, inner: Any, label: str) -> None:
        self._inner, self._label = inner, label
        self.parse = _timed(label, inner.parse)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def instrument() -> None:
    import re._compiler as re_compiler

    import libcst

    try:  # as the CLI does: regex opcodes read back from the on-disk cache (skillscan/lazyre_cache.py)
        from skillscan import lazyre_cache
        lazyre_cache.install()
    except ImportError:  # a tree before the cache
        pass
    re_compiler.compile = _timed("  regex compile (what the on-disk cache leaves)", re_compiler.compile)

    from skillscan import engine
    from skillscan.analyzers import batch_analyzers, file_analyzers, package_analyzers, roles
    from skillscan.analyzers.instructions import document
    from skillscan.analyzers.shell import syntax

    engine.iter_inputs = _timed_iter("load", engine.iter_inputs)
    # the facts found once per package before the workers start (followed files, JS modules, shared values)
    engine.with_facts = _timed("analyze: package facts (with_facts)", engine.with_facts)
    for a in file_analyzers():
        label = f"analyze: file engine {a.name}"
        inner = a.analyze_file

        def per_file(package: Any, f: Any, _inner: Any = inner, _label: str = label) -> Any:
            t0 = time.process_time()
            try:
                return _inner(package, f)
            finally:
                dt = time.process_time() - t0
                CPU[_label] += dt
                CALLS[_label] += 1
                key = f"{package.root}/{f.path}"
                PER_FILE[(_label.rsplit(" ", 1)[-1], key)] += dt
                SIZES[key] = f.size
        a.analyze_file = per_file
    for a in package_analyzers():
        a.analyze_package = _timed(f"analyze: package engine {a.name}", a.analyze_package)
    for a in batch_analyzers():
        a.analyze_batch = _timed(f"analyze: batch engine {a.name} (incl. its processes)", a.analyze_batch, True)
    engine.with_roles = _timed("roles (with_roles at decide time)", engine.with_roles)
    engine.permit = _timed("permit", engine.permit)
    engine.decide = _timed("decide: policy.decide", engine.decide)
    engine.adjust = _timed("decide: verdicts.adjust", engine.adjust)
    engine.place = _timed("finish: place", engine.place)
    engine.fold_report = _timed("finish: fold_report", engine.fold_report)
    engine.merge_findings = _timed("finish: merge", engine.merge_findings)
    engine.filter_findings = _timed("finish: filter", engine.filter_findings)  # engine_findings.py, imported by name
    engine._Scan.finish = _timed("finish (all of permit/decide/roles/fold)", engine._Scan.finish)
    # parsers inside the engines (nested in the engine figures above)
    import skillscan.analyzers.python.tokens as pytokens
    import skillscan.analyzers.python.visitor as pyvisitor

    libcst.parse_module = _timed("  parser: libcst parse_module", libcst.parse_module)
    pyvisitor.walk = _timed("  python: visitor walk", pyvisitor.walk)
    pytokens.scan_tokens = _timed("  python: scan_tokens pre-pass", pytokens.scan_tokens)
    doc_label = "  parser: markdown-it (instructions engine)"
    if hasattr(document, "markdown_parser"):  # the block parser shared through markdown_inline
        doc_md = document.markdown_parser()
        document.markdown_parser = lambda: _TimedProxy(doc_md, doc_label)
    else:  # a tree before markdown_inline
        doc_md = document._markdown()
        document._markdown = lambda: _TimedProxy(doc_md, doc_label)
    roles_md = roles._markdown()
    roles._markdown = lambda: _TimedProxy(roles_md, "  parser: markdown-it (roles)")
    from skillscan.analyzers.instructions import detectors
    detectors.load_detector_set = _timed("  instructions: detector set compiled", detectors.load_detector_set)
    ts_parser = syntax._parser()
    syntax._parser = lambda: _TimedProxy(ts_parser, "  parser: tree-sitter-bash")
    from skillscan.analyzers import blobs  # the YARA engine imports scan_blobs at each call
    blobs.scan_blobs = _timed("  yara: blob scan (Python, beside the YARA match)", blobs.scan_blobs)
    _count_js_parses()
    timed_roles = _timed("  roles: assign_roles (computed, not remembered)", roles.assign_roles)
    try:
        from skillscan.analyzers import roles_share
        roles_share.assign_roles = timed_roles
    except ImportError:  # before roles were shared: every caller imported assign_roles itself
        import skillscan.analyzers.instructions.analyzer as instr
        from skillscan import policy_roles
        instr.assign_roles = policy_roles.assign_roles = timed_roles  # type: ignore[attr-defined]


JS_ASKS: dict[str, int] = defaultdict(int)  # JS/TS parse requests by the module asking


def _count_js_parses() -> None:
    try:
        from skillscan.analyzers.js import modules as js_modules
        from skillscan.analyzers.js import parse as js_parse
    except ImportError:  # a tree before the JS room
        return
    inner = js_parse.parse
    label = "  parser: tree-sitter JS/TS (requests answered by a kept tree included)"

    def asked(text: str, path: str, language: str) -> Any:
        frame = sys._getframe(1)
        while frame.f_back is not None and frame.f_globals.get("__name__") in ("__main__", "profile_stages"):
            frame = frame.f_back  # past this script's own timing wrappers
        caller = frame.f_globals.get("__name__", "?").rsplit(".", 1)[-1]
        JS_ASKS[caller] += 1
        return inner(text, path, language)

    js_parse.parse = _timed(label, asked)
    js_modules.parse = js_parse.parse


def js_parse_lines() -> list[str]:
    try:
        from skillscan.analyzers.js.parse import PARSES
    except ImportError:
        return []
    asks = ", ".join(f"{k} {n}" for k, n in sorted(JS_ASKS.items()))
    return ["", f"JavaScript/TypeScript: {sum(JS_ASKS.values())} parse requests ({asks or 'none'}); "
            f"{PARSES['parsed']} tree-sitter parses, {PARSES['shared']} requests answered by a tree parsed before. "
            "With several jobs, the js-decode requests run in worker processes and the js_values (semgrep Resolver) "
            "requests parse again in the main process."]


def corpus_inputs(shared: Path, sets: list[str]) -> list[str]:
    out: list[str] = []
    for name in sets:
        base = shared / "corpus" / name
        for sub in sorted(base.iterdir()):
            if sub.is_dir():
                out.extend(sorted(str(p) for p in sub.iterdir()))
    return out


def profile(inputs: list[str]) -> tuple[float, int, int]:
    """(total CPU s of the scan and rendering, packages, bytes)."""
    instrument()
    from skillscan.engine import ScanOptions, scan
    from skillscan.report.json import render_chunks

    t0 = time.process_time()
    c0 = _children_cpu()
    report = _timed("scan (total)", scan)(inputs, ScanOptions(jobs=1, use_cache=False))
    _timed("report: JSON render", lambda r: "".join(x.decode() if isinstance(x, bytes) else x
                                                     for x in render_chunks(r)))(report)
    total = time.process_time() - t0 + _children_cpu() - c0
    size = sum(f.size for r in report.results for f in r.package.files)
    return total, len(report.results), size


def _process(args: list[str]) -> tuple[float, float]:
    """(wall, CPU of the process tree) of one whole CLI process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "skillscan", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=REPO, env=env)
    _, _, ru = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime


def serial_share(inputs: list[str], pairs: int) -> list[str]:
    base = ["scan", "--format", "json", "--no-cache", "--no-config", "--fail-on", "never", "--quiet"]
    w1, w2, c1, c2 = [], [], [], []
    for _ in range(pairs):
        for jobs, walls, cpus in (("1", w1, c1), ("2", w2, c2)):
            w, c = _process([*base, "--jobs", jobs, *inputs])
            walls.append(w)
            cpus.append(c)
    m1, m2 = min(w1), min(w2)
    p = max(0.0, min(1.0, 2 * (1 - m2 / m1)))
    return [f"| jobs | wall s (best of {pairs}) | CPU s of the tree |", "|---|---|---|",
            f"| 1 | {m1:.1f} | {min(c1):.1f} |", f"| 2 | {m2:.1f} | {min(c2):.1f} |", "",
            f"Speed-up with 2 workers: {m1 / m2:.2f}× → parallel fraction ≈ {p:.0%}, serial share ≈ {1 - p:.0%} "
            "(paired runs 1 2 1 2; the machine is shared, so read the ratio, not the seconds)."]


def table(total: float, packages: int, size: int, top: int) -> list[str]:
    lines = [f"{packages} packages, {size / 1e6:.1f} MB; CPU of the in-process one-job scan and JSON rendering: "
             f"{total:.1f} s.", "", "| stage / engine | CPU s | share | calls |", "|---|---|---|---|"]
    for label, secs in sorted(CPU.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {secs:.2f} | {secs / total:.1%} | {CALLS[label]} |")
    lines += ["", f"The {top} costliest files (engine, file, bytes, CPU s):", "",
              "| engine | file | KB | CPU s |", "|---|---|---|---|"]
    for (eng, key), secs in sorted(PER_FILE.items(), key=lambda kv: -kv[1])[:top]:
        short = "/".join(key.split("/")[-4:])
        lines.append(f"| {eng} | …/{short} | {SIZES.get(key, 0) / 1024:.0f} | {secs:.2f} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="calib,msb-train,dev")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--no-serial", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    inputs = corpus_inputs(args.shared, args.sets.split(","))
    total, packages, size = profile(inputs)
    lines = table(total, packages, size, args.top) + js_parse_lines()
    if not args.no_serial:
        lines += ["", *serial_share(inputs, args.pairs)]
    print("\n".join(lines))
    if args.write:
        cmd = f"python bench/profile_stages.py --sets {args.sets} --write"
        body = "\n".join(["## Profile by stage and engine (issue 23)", "",
                          f"`{cmd}` — {now()}, {machine()}.", "", *lines])
        write_block("profile-stages", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
