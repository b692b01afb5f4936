"""Proof that a change to the instructions analyzer keeps every finding and verdict as it was.

    /work/venv/bin/python bench/instructions_equivalence.py --out /tmp/before.json
    … change the code …
    /work/venv/bin/python bench/instructions_equivalence.py --out /tmp/after.json --compare /tmp/before.json

Scans the dev corpus (`../shared/corpus/dev/*/`), every `fixtures/*/` package and `tests/rules/`
in-process (`jobs=1`, no cache) and writes every finding (package root, rule, path, line, column,
message, severity, confidence, capabilities, channel, snippet, decoded, related, engine) and every
verdict to a JSON file, in a stable order. `--compare` prints the differences and exits 1 if any.
With `--instructions-only`, only the per-file instructions engine runs over the loaded packages (a
quicker check that does not depend on the other engines).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "corpus" / "dev"


def inputs() -> list[str]:
    out = sorted(str(p) + "/" for p in DEV.glob("*/") if p.is_dir())
    out += sorted(str(p) + "/" for p in (REPO / "fixtures").glob("*/") if p.is_dir())
    out.append(str(REPO / "tests" / "rules"))
    return out


def _finding(root: str, f: Any) -> dict[str, Any]:
    return {
        "root": root, "rule": f.rule_id, "path": f.location.path, "line": f.location.line,
        "column": f.location.column, "message": f.message, "severity": str(f.severity),
        "confidence": str(f.confidence), "capabilities": [str(c) for c in f.capabilities],
        "channel": str(f.channel), "snippet": f.location.snippet, "decoded": f.decoded,
        "related": [[r.path, r.line, r.column] for r in f.related], "engine": f.engine,
    }


def dump_scan() -> dict[str, Any]:
    from skillscan.engine import ScanOptions, scan

    report = scan(inputs(), ScanOptions(jobs=1, use_cache=False))
    findings: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    for r in report.results:
        root = str(r.package.root)
        findings += [_finding(root, f) for f in r.findings]
        findings += [_finding(root, f) for f in r.verdict.findings]
        v = r.verdict
        verdicts.append({
            "root": root, "decision": str(v.decision), "reasons": list(v.reasons), "risk": v.risk_level,
            "inferred": sorted(f"{i.capability}:{i.confidence}" for i in v.inferred),
            "undeclared": sorted(map(str, v.undeclared)), "combinations": list(v.combinations),
            "errors": list(r.errors),
        })
    return {"findings": sorted(findings, key=lambda d: json.dumps(d, sort_keys=True)),
            "verdicts": sorted(verdicts, key=lambda d: json.dumps(d, sort_keys=True))}


def dump_instructions() -> dict[str, Any]:
    from skillscan.analyzers.instructions import InstructionLinksAnalyzer, InstructionsAnalyzer
    from skillscan.analyze import _context
    from skillscan.loaders.discover import load_inputs
    from skillscan.loaders.files import Limits

    analyzer = InstructionsAnalyzer()
    links = InstructionLinksAnalyzer()
    findings: list[dict[str, Any]] = []
    virtual: list[str] = []
    for pkg in load_inputs(inputs(), Limits()):
        root = str(pkg.root)
        ctx_pkg = _context(pkg)
        for f in pkg.files:
            if not analyzer.applies(f):
                continue
            res = analyzer.analyze_file(ctx_pkg, f)
            findings += [_finding(root, x) for x in res.findings]
            virtual += [f"{root}:{v.path}:{v.max_confidence}:{len(v.data)}" for v in res.virtual_files]
        findings += [_finding(root, x) for x in links.analyze_package(pkg)]
    return {"findings": sorted(findings, key=lambda d: json.dumps(d, sort_keys=True)), "virtual": sorted(virtual)}


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    diffs = 0
    for key in sorted(set(before) | set(after)):
        a = {json.dumps(x, sort_keys=True) for x in before.get(key, [])}
        b = {json.dumps(x, sort_keys=True) for x in after.get(key, [])}
        if len(before.get(key, [])) != len(after.get(key, [])):
            print(f"{key}: {len(before.get(key, []))} before, {len(after.get(key, []))} after")
            diffs += 1
        for x in sorted(a - b):
            print(f"- {key}: {x}")
            diffs += 1
        for x in sorted(b - a):
            print(f"+ {key}: {x}")
            diffs += 1
    print(f"{sum(len(v) for v in after.values())} records; {diffs} difference(s)")
    return 1 if diffs else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--compare")
    ap.add_argument("--instructions-only", action="store_true")
    args = ap.parse_args(argv)
    data = dump_instructions() if args.instructions_only else dump_scan()
    Path(args.out).write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{args.out}: {sum(len(v) for v in data.values())} records")
    if args.compare:
        return compare(json.loads(Path(args.compare).read_text(encoding="utf-8")), data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
