"""The public view of a verdict record: evidence reduced to rule ids and file:line. Decisions,
reasons, capabilities and digests stay; messages, snippets, decoded text, commands and URLs go.
Owners of the name and moderators read the full record."""

from __future__ import annotations

from typing import Any


def _where(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ("rule_id", "severity", "path", "line") if k in item}


def redact(record: dict[str, Any]) -> dict[str, Any]:
    packages = []
    for p in record.get("packages", []):
        caps = dict(p.get("capabilities", {}))
        caps["inferred"] = [{"capability": ic.get("capability"), "confidence": ic.get("confidence"),
                             "evidence": [_where(e) for e in ic.get("evidence", [])]}
                            for ic in caps.get("inferred", [])]
        packages.append(dict(p, findings=[_where(f) for f in p.get("findings", [])], capabilities=caps,
                             surfaces=[{k: s.get(k) for k in ("kind", "path", "line")} for s in p.get("surfaces", [])]))
    return dict(record, packages=packages, evidence="redacted")
