"""Detection quality of the instructions analyzer per threat category on a labelled corpus.

    /work/venv/bin/python bench/instructions_quality.py [CORPUS_DIR] [--markdown] [--details]

CORPUS_DIR defaults to ../shared/corpus/dev (MANIFEST.tsv: label, id, …, threat_categories). Every
package is loaded and run through the per-file engines (python → shell → instructions → yara); the
table counts, per category, the malicious packages where

* `instr` — the instructions engine reported a malicious-class finding at medium+ confidence
  (enough to block under the default policy);
* `instr any` — the instructions engine reported any malicious-class finding (low confidence = review);
* `channel` — any engine reported a malicious-class finding at medium+ on the `instruction` channel
  (commands found in prose and fences, analysed by the shell engine);

and, for benign packages, how many got a malicious-class medium+ finding from the instructions engine
(false blocks) or on the instruction channel. `--details` lists the rule ids per package.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from skillscan.analyze import analyze_files
from skillscan.loaders.discover import load_inputs
from skillscan.loaders.files import Limits
from skillscan.model import Channel, Confidence, Finding, RuleClass

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "corpus" / "dev"


def blocking(f: Finding) -> bool:
    return f.rule_class is RuleClass.MALICIOUS and f.confidence >= Confidence.MEDIUM


def scan_package(path: Path) -> list[Finding]:
    out: list[Finding] = []
    for pkg in load_inputs([str(path)], Limits()):
        if pkg.format == "unknown":
            continue
        findings, _ = analyze_files(pkg, pkg.files)
        out += findings
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT))
    ap.add_argument("--markdown", action="store_true", help="print the Markdown section for docs/benchmarks.md")
    ap.add_argument("--details", action="store_true", help="list instruction rule ids per package")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    rows = list(csv.DictReader((root / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    started = time.perf_counter()
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    benign = defaultdict(int)
    by_source: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lures: dict[str, set[str]] = defaultdict(set)
    details: list[str] = []
    for row in rows:
        label, pid = row["label"], row["id"]
        pkg_dir = root / label / pid
        if not pkg_dir.exists():
            continue
        findings = scan_package(pkg_dir)
        instr = [f for f in findings if f.engine == "instructions"]
        instr_block = [f for f in instr if blocking(f)]
        instr_any = [f for f in instr if f.rule_class is RuleClass.MALICIOUS]
        channel_block = [f for f in findings if f.channel is Channel.INSTRUCTION and blocking(f)]
        if args.details:
            ids = sorted({f"{f.rule_id}/{f.confidence.label}" for f in instr if f.rule_class is not RuleClass.CAPABILITY})
            chan = sorted({f.rule_id for f in channel_block if f.engine != "instructions"})
            details.append(f"{label}\t{pid}\t{row.get('threat_categories', '')}\t{' '.join(ids)}\t| {' '.join(chan)}")
        src = by_source[f"{label}: {pid.split('__', 1)[0]}"]
        src["total"] += 1
        src["instr"] += bool(instr_block)
        src["channel"] += bool(channel_block)
        if label == "malicious":
            for f in instr_block:
                lures[pid.split("__", 1)[0]].add(f.rule_id)
        if label == "benign":
            benign["total"] += 1
            benign["instr"] += bool(instr_block)
            benign["instr any"] += bool(instr_any)
            benign["channel"] += bool(channel_block)
            continue
        cats = [c.strip() for c in (row.get("threat_categories") or "").replace(";", ",").split(",") if c.strip()]
        for cat in cats + ["(all malicious)"]:
            s = stats[cat]
            s["total"] += 1
            s["instr"] += bool(instr_block)
            s["instr any"] += bool(instr_any)
            s["channel"] += bool(channel_block)
            s["either"] += bool(instr_block or channel_block)
    seconds = time.perf_counter() - started
    lines = [
        "| category | samples | instr (block) | instr (any) | instruction channel (block) | instr or channel (block) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    order = sorted((c for c in stats if c != "(all malicious)"), key=lambda c: (-stats[c]["total"], c))
    for cat in order + ["(all malicious)"]:
        s = stats[cat]
        lines.append(f"| {cat} | {s['total']} | {s['instr']} | {s['instr any']} | {s['channel']} | {s['either']} |")
    lines.append(f"| **benign (false)** | {benign['total']} | {benign['instr']} | {benign['instr any']} | "
                 f"{benign['channel']} | — |")
    lines += ["", "| source | packages | instr (block) | instruction channel (block) | instruction rules that fired (medium+) |",
              "|---|---:|---:|---:|---|"]
    for key in sorted(by_source):
        s = by_source[key]
        label, _, source = key.partition(": ")
        rules = ", ".join(f"`{r}`" for r in sorted(lures.get(source, ()))) if label == "malicious" else ""
        lines.append(f"| {key} | {s['total']} | {s['instr']} | {s['channel']} | {rules} |")
    table = "\n".join(lines)
    if args.markdown:
        print(table)
        print(f"\n{len(rows)} packages in {seconds:.1f} s.")
    else:
        print(table)
        print(f"{len(rows)} packages in {seconds:.1f} s", file=sys.stderr)
    if args.details:
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
