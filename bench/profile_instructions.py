"""Where the instructions engine's CPU goes, by pass and by detector, per corpus (issue 23).

    python bench/profile_instructions.py [--sets dev,calib,msb-train] [--shared ../shared] [--top 25]

Every package of each set is loaded as a scan loads it (discovery, facts) and each of its files the
instructions engine applies to goes through `InstructionsAnalyzer.analyze_file` in this process, then
the roles of each document are read as the decide stage reads them. This script (not the product)
wraps with CPU timers: the Markdown block parses (by caller), `parse_document`, the regex detector
passes (`run_detectors`, by segment kind), every other pass the analyzer calls (commands, links,
hidden text, …), each sentence detector of `sentence_detectors.DETECTORS`, and the roles. Figures are
inclusive (a pass's figure holds the parses it asks for); the `engine total` row is `analyze_file`
over all files. CPU seconds (`time.process_time`): read the ratios, the machine is shared.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO

sys.path.insert(0, str(REPO))

CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)

# the analyzer's passes, by the name it imports them under (skillscan/analyzers/instructions/analyzer.py)
PASSES = ("parse_document", "unicode_findings", "prose_view", "report", "commands", "commands_in",
          "prerequisite_links", "remote_script_runs", "trace_removal", "shipped_credentials", "hidden_findings",
          "lookalike_links", "config_payloads", "hook_configs", "hidden_sentences", "sentence_findings",
          "with_html_prose", "harvest", "tampering", "fence_files", "tag_sentences", "hidden_unicode_only",
          "latex_hidden", "dedupe", "with_roles", "mcp_sentences")


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[label] += time.process_time() - t0
            CALLS[label] += 1
    return wrapper


class _TimedProxy:
    def __init__(self, inner: Any, label: str) -> None:
        self._inner = inner
        self.parse = _timed(label, inner.parse)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def instrument() -> None:
    from skillscan.analyzers import roles, roles_share
    from skillscan.analyzers.instructions import analyzer, document, sentence_detectors
    from skillscan.analyzers.instructions.detectors import detector_set

    try:  # as the CLI does: regex opcodes read back from the on-disk cache (skillscan/lazyre_cache.py)
        from skillscan import lazyre_cache
        lazyre_cache.install()
    except ImportError:
        pass
    detector_set()  # compiled before timing: a fixed cost of the process, not of any document
    for name in PASSES:
        if hasattr(analyzer, name):
            setattr(analyzer, name, _timed(f"pass: {name}", getattr(analyzer, name)))
    inner_run = analyzer.run_detectors

    def run_detectors(text: str, kind: str, bounds: Any = None) -> Any:
        t0 = time.process_time()
        try:
            return inner_run(text, kind, bounds)
        finally:
            CPU[f"regex detectors: {kind}"] += time.process_time() - t0
            CALLS[f"regex detectors: {kind}"] += 1
    analyzer.run_detectors = run_detectors
    sentence_detectors.DETECTORS = tuple(
        type(d)(_timed(f"sentence detector: {d.fn.__name__}", d.fn), d.needs, d.everywhere)
        for d in sentence_detectors.DETECTORS)
    doc_md = document.markdown_parser()
    document.markdown_parser = lambda: _TimedProxy(doc_md, "markdown-it block parse: instructions engine")
    roles_md = roles._markdown()
    roles._markdown = lambda: _TimedProxy(roles_md, "markdown-it block parse: roles")
    roles_share.assign_roles = _timed("roles: assign_roles (computed)", roles_share.assign_roles)


def corpus_inputs(shared: Path, name: str) -> list[str]:
    base = shared / "corpus" / name
    return [str(p) for sub in sorted(base.iterdir()) if sub.is_dir() for p in sorted(sub.iterdir())]


def profile(inputs: list[str]) -> tuple[int, int, int]:
    """(packages, files read, bytes) — the timers fill CPU and CALLS."""
    from skillscan.analyze import with_facts
    from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
    from skillscan.loaders.discover import iter_inputs
    from skillscan.loaders.files import Limits
    from skillscan.policy_roles import with_roles

    engine = InstructionsAnalyzer()
    packages = files = size = 0
    for pkg in iter_inputs(inputs, Limits()):
        if getattr(pkg, "error", None):
            continue
        pkg = with_facts(pkg)
        packages += 1
        found = []
        for f in pkg.files:
            if not engine.applies(f):
                continue
            files += 1
            size += f.size
            t0 = time.process_time()
            result = engine.analyze_file(pkg, f)
            CPU["engine total (analyze_file)"] += time.process_time() - t0
            CALLS["engine total (analyze_file)"] += 1
            found += result.findings
        t0 = time.process_time()
        with_roles(pkg, found)
        CPU["decide-time roles (policy_roles.with_roles)"] += time.process_time() - t0
        CALLS["decide-time roles (policy_roles.with_roles)"] += 1
    return packages, files, size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="dev,calib,msb-train")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    instrument()
    per_set: dict[str, dict[str, float]] = {}
    heads: list[str] = []
    for name in args.sets.split(","):
        before = dict(CPU)
        packages, files, size = profile(corpus_inputs(args.shared, name))
        per_set[name] = {k: v - before.get(k, 0.0) for k, v in CPU.items()}
        heads.append(f"{name}: {packages} packages, {files} files, {size / 1e6:.1f} MB")
    names = list(per_set)
    print("; ".join(heads) + ".", "", "| pass / detector | " + " | ".join(f"{n} CPU s" for n in names)
          + " | all | calls |", "|---|" + "---|" * (len(names) + 2), sep="\n")
    rows = sorted(CPU.items(), key=lambda kv: -kv[1])
    for label, secs in rows[: args.top]:
        cells = " | ".join(f"{per_set[n].get(label, 0.0):.2f}" for n in names)
        print(f"| {label} | {cells} | {secs:.2f} | {CALLS[label]} |")
    rest = sum(s for _, s in rows[args.top:])
    print(f"\n{len(rows) - args.top} more rows, {rest:.2f} s together.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
