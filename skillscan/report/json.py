"""The JSON report, schema `skillscan.report/v1` (DESIGN.md). Field names are a contract."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from skillscan import __version__
from skillscan.model import Finding, InferredCapability, PackageResult, Report

SCHEMA_ID = "skillscan.report/v1"


def schema_path() -> Path:
    """The JSON Schema of this report, shipped with the rules (`rules/schemas/report-v1.schema.json`)."""
    from skillscan.catalog import rules_dir

    return rules_dir() / "schemas" / "report-v1.schema.json"


def fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """Stable fingerprints: repeated identical findings in one file get an occurrence index."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in findings:
        key = (f.rule_id, f.location.path, " ".join(f.location.snippet.split()))
        out.append(f.fingerprint(seen[key]))
        seen[key] += 1
    return out


def finding_dict(f: Finding, fingerprint: str) -> dict[str, Any]:
    d: dict[str, Any] = {
        "rule_id": f.rule_id,
        "class": f.rule_class.value,
        "severity": f.severity.label,
        "confidence": f.confidence.label,
        "message": f.message,
        "path": f.location.path,
        "line": f.location.line,
        "column": f.location.column,
        "capability": str(f.capabilities[0]) if f.capabilities else None,
        "capabilities": [str(c) for c in f.capabilities],
        "channel": f.channel.value,
        "snippet": f.location.snippet,
        "fingerprint": fingerprint,
    }
    if f.location.end_line is not None:
        d["end_line"] = max(f.location.end_line, f.location.line)
    if f.location.end_column is not None:
        d["end_column"] = max(1, f.location.end_column)
    if f.decoded is not None:
        d["decoded"] = f.decoded
    if f.related:
        d["related"] = [{"path": r.path, "line": r.line, "column": r.column, "snippet": r.snippet} for r in f.related]
    return d


def inferred_dict(ic: InferredCapability) -> dict[str, Any]:
    return {
        "capability": str(ic.capability),
        "confidence": ic.confidence.label,
        "evidence": [{"path": e.path, "line": e.line, "rule_id": e.rule_id, "channel": e.channel.value,
                      "confidence": e.confidence.label} for e in ic.evidence],
    }


def package_dict(r: PackageResult) -> dict[str, Any]:
    p, v = r.package, r.verdict
    suggestions = [{"format": fmt, "text": text, "path": v.suggested_paths[i] if i < len(v.suggested_paths) else ""}
                   for i, (fmt, text) in enumerate(v.suggested_declaration)]
    fps = fingerprints(r.findings)
    surfaces = []
    for s in p.surfaces:
        sd: dict[str, Any] = {"kind": s.kind, "path": s.path, "line": s.line, "event": s.event, "command": s.command,
                              "gated": s.gated}
        if s.matcher:
            sd["matcher"] = s.matcher
        if s.url:
            sd["url"] = s.url
        for k, val in s.extra:
            sd.setdefault(k, val)
        surfaces.append(sd)
    out: dict[str, Any] = {
        "input": p.input,
        "root": p.root,
        "format": p.format,
        "name": p.name,
        "version": p.version,
        "sha256": p.sha256,
        "files": len([f for f in p.files if not f.virtual]),
        "verdict": v.decision.value,
        "reasons": list(v.reasons),
        "risk_level": v.risk_level,
        "surfaces": surfaces,
        "disclosures": {"external_network": False, "downloads_software": False, **dict(v.disclosures)},
        "findings": [finding_dict(f, fp) for f, fp in zip(r.findings, fps, strict=True)],
        "capabilities": {
            "declared": [str(c) for c in v.declared],
            "inferred": [inferred_dict(ic) for ic in v.inferred],
            "undeclared": [str(c) for c in v.undeclared],
            "unused": [str(c) for c in v.unused],
            "combinations": list(v.combinations),
            "new_since_previous": [str(c) for c in v.new_since_previous],
        },
        "suggested_declaration": suggestions[0] if suggestions else None,
        "suggested_declarations": suggestions,
        "nested": list(p.nested),
        "skipped": list(p.skipped),
        "errors": list(r.errors),
    }
    return out


def report_dict(report: Report) -> dict[str, Any]:
    packages = [package_dict(r) for r in report.results]
    counts = Counter(r.verdict.decision.value for r in report.results)
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "skillscan", "version": __version__, "rules_digest": report.rules_digest,
                 "engines": dict(report.engines)},
        "packages": packages,
        "summary": {"packages": len(packages), "allow": counts["allow"], "review": counts["review"],
                    "block": counts["block"], "errors": counts["error"], "seconds": report.seconds},
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
