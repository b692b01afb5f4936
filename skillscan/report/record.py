"""The verdict record, schema `skillscan.verdict/v1`: what a marketplace stores next to a published
version. Deterministic: the same package, policy and date give byte-identical JSON (sorted keys and
lists, no timestamps but the evaluation date)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from skillscan._version import __version__
from skillscan.model import Decision, PackageResult, Report, Severity
from skillscan.policy import Policy

SCHEMA_ID = "skillscan.verdict/v1"


def schema_path() -> Path:
    from skillscan.catalog import rules_dir

    return rules_dir() / "schemas" / "verdict-v1.schema.json"


def package_record(r: PackageResult) -> dict[str, Any]:
    from skillscan.report.json import package_dict

    base = package_dict(r)
    v = r.verdict
    findings = [f for f in base["findings"] if f["severity"] != Severity.INFO.label]
    return {
        "input": base["input"],
        "root": base["root"],
        "format": base["format"],
        "name": base["name"],
        "version": base["version"],
        "sha256": base["sha256"],
        "decision": v.decision.value,
        "reasons": list(v.reasons),
        "risk_level": v.risk_level,
        "disclosures": base["disclosures"],
        "capabilities": {
            "declared": base["capabilities"]["declared"],
            "inferred": base["capabilities"]["inferred"],
            "undeclared": base["capabilities"]["undeclared"],
            "unused": base["capabilities"]["unused"],
            "combinations": base["capabilities"]["combinations"],
            "new_since_previous": [str(c) for c in v.new_since_previous],
        },
        "surfaces": base["surfaces"],
        "suggested_declaration": base["suggested_declaration"],
        "suggested_declarations": base["suggested_declarations"],
        "findings": findings,
        "errors": base["errors"],
    }


def verdict_record(report: Report, policy: Policy, as_of: str,
                   previous: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    packages = []
    for r in report.results:
        rec = package_record(r)
        prev = (previous or {}).get(previous_key(rec))
        rec["previous"] = ({"version": str(prev.get("version", "")), "sha256": str(prev.get("sha256", "")),
                            "decision": str(prev.get("decision", prev.get("verdict", "")))} if prev else None)
        packages.append(rec)
    overall = max((Decision(p["decision"]) for p in packages), key=lambda d: d.rank, default=Decision.ALLOW)
    return {
        "schema": SCHEMA_ID,
        "as_of": as_of,
        "decision": overall.value,
        "tool": {"name": "skillscan", "version": __version__, "engines": dict(report.engines)},
        "rules": {"digest": report.rules_digest},
        "policy": {"name": policy.name, "version": policy.version, "digest": policy.digest},
        "packages": packages,
    }


def render(record: Mapping[str, Any]) -> str:
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def previous_key(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('format', '')}\0{entry.get('name', '')}"


def previous_entries(doc: Any) -> dict[str, dict[str, Any]]:
    """Package entries of a previous verdict record (or a `skillscan.report/v1` document, or one package
    entry), keyed by format and name."""
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")  # noqa: TRY004 - the CLI reports ValueError as a bad file
    entries: Sequence[Any]
    if isinstance(doc.get("packages"), list):
        entries = doc["packages"]
    elif "capabilities" in doc:
        entries = [doc]
    else:
        raise ValueError("neither a verdict record nor a report")
    out: dict[str, dict[str, Any]] = {}
    for e in entries:
        if isinstance(e, dict) and isinstance(e.get("capabilities"), dict):
            out[previous_key(e)] = e
    return out
