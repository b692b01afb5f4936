"""The JSON report, schema `skillscan.report/v1` (DESIGN.md). Field names are a contract."""

from __future__ import annotations

import gc
import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skillscan._version import __version__
from skillscan.model import (
    Channel,
    Confidence,
    Finding,
    InferredCapability,
    PackageResult,
    Report,
    RuleClass,
    Severity,
    fingerprints,
)

SCHEMA_ID = "skillscan.report/v1"


def schema_path() -> Path:
    """The JSON Schema of this report, shipped with the rules (`rules/schemas/report-v1.schema.json`)."""
    from skillscan.catalog import rules_dir

    return rules_dir() / "schemas" / "report-v1.schema.json"


# enum member → its JSON text, looked up once instead of through the enum descriptors per finding
_LABEL: dict[Any, str] = {s: s.label for s in Severity}
_CONF_LABEL: dict[Any, str] = {c: c.label for c in Confidence}
_VALUE: dict[Any, str] = {**{c: c.value for c in RuleClass}, **{c: c.value for c in Channel}}


def finding_dict(f: Finding, fingerprint: str) -> dict[str, Any]:
    loc = f.location
    caps = [str(c) for c in f.capabilities]
    d: dict[str, Any] = {
        "rule_id": f.rule_id,
        "class": _VALUE[f.rule_class],
        "severity": _LABEL[f.severity],
        "confidence": _CONF_LABEL[f.confidence],
        "message": f.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "capability": caps[0] if caps else None,
        "capabilities": caps,
        "channel": _VALUE[f.channel],
        "role": f.role,
        "snippet": loc.snippet,
        "fingerprint": fingerprint,
    }
    if loc.end_line is not None:
        d["end_line"] = max(loc.end_line, loc.line)
    if loc.end_column is not None:
        d["end_column"] = max(1, loc.end_column)
    if f.decoded is not None:
        d["decoded"] = f.decoded
    if f.flow is not None:
        d["flow"] = {k: v for k, v in (("source", f.flow.source), ("names", list(f.flow.names)), ("sink", f.flow.sink),
                                       ("host", f.flow.host), ("part", f.flow.part), ("service", f.flow.service))
                     if v is not None}
        if f.flow.carriers:
            d["flow"]["carriers"] = [{"kind": c.kind, "value": c.value, "name": c.name, "path": c.path, "line": c.line}
                                     for c in f.flow.carriers]
    if f.related:
        d["related"] = [{"path": r.path, "line": r.line, "column": r.column, "snippet": r.snippet} for r in f.related]
    if f.baselined:
        d["baselined"] = True
    return d


def inferred_dict(ic: InferredCapability) -> dict[str, Any]:
    return {
        "capability": str(ic.capability),
        "confidence": _CONF_LABEL[ic.confidence],
        "evidence": [{"path": e.path, "line": e.line, "rule_id": e.rule_id, "channel": _VALUE[e.channel],
                      "confidence": _CONF_LABEL[e.confidence]} for e in ic.evidence],
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


def report_dict(report: Report, packages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    counts = Counter(r.verdict.decision.value for r in report.results)
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "skillscan", "version": __version__, "rules_digest": report.rules_digest,
                 "engines": dict(report.engines)},
        "packages": [package_dict(r) for r in report.results] if packages is None else packages,
        "summary": {"packages": len(report.results), "allow": counts["allow"], "review": counts["review"],
                    "block": counts["block"], "errors": counts["error"], "seconds": report.seconds},
    }


def render(report: Report) -> str:
    return b"".join(render_chunks(report)).decode("utf-8")


def render_chunks(report: Report) -> list[bytes]:
    """The report as UTF-8 pieces to write one after the other. Each package is encoded on its own and
    kept as bytes: a registry sweep's report is never held as one tree, nor as Python text (up to four
    bytes a character once one emoji appears), nor joined."""
    # the report is a tree (no reference cycles): the cycle collector has nothing to find in it, and
    # walking the scan's heap while it is built cost a fifth of the rendering
    enabled = gc.isenabled()
    gc.disable()
    try:
        # one package's dictionary at a time, as an item of the top-level "packages" list (two levels deep)
        items: list[bytes] = []
        for r in report.results:
            parts: list[str] = []
            _write(package_dict(r), PACKAGE_NL, parts.append)
            items.append("".join(parts).encode("utf-8"))
        head, sep, tail = dumps(report_dict(report, [])).partition(EMPTY_PACKAGES)
        assert sep, "the report's layout changed"
        out = [head.encode("utf-8"), b'"packages": ']
        if items:
            out.append(b"[" + PACKAGE_NL.encode())
            for k, item in enumerate(items):
                out += [b"," + PACKAGE_NL.encode(), item] if k else [item]
            out.append(b"\n  ]")
        else:
            out.append(b"[]")
        out.append((tail + "\n").encode("utf-8"))
        return out
    finally:
        if enabled:
            gc.enable()


PACKAGE_NL = "\n    "  # newline and indent of an item of the top-level "packages" list
EMPTY_PACKAGES = '"packages": []'  # its place in the report rendered without packages (keys before it
# — schema and tool — cannot contain that text: their values are JSON strings, where a quote is escaped)


# ---------------------------------------------------------------------------------------------------
# `json.dumps(obj, indent=2, ensure_ascii=False)`, byte for byte, at C-encoder speed for the strings:
# with `indent` set, the standard library falls back to its pure-Python generator encoder, which
# costs more than building the report itself on a registry sweep.

_enc = json.encoder.encode_basestring  # the C implementation when available


def _float(o: float) -> str:
    if math.isnan(o):
        return "NaN"
    if o == math.inf:
        return "Infinity"
    if o == -math.inf:
        return "-Infinity"
    return float.__repr__(o)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return _enc(k)
    if isinstance(k, float):
        return _enc(_float(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return _enc(int.__repr__(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


# indent → (key → its text as the first item of a mapping, key → its text after a comma): report keys
# repeat for every finding, and their text is the same each time
_KEY_TEXT: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
MAX_KEY_TEXTS = 512  # per indent and position (surface keys come from packages)


def _write(o: Any, nl: str, append: Callable[[str], None]) -> None:
    """Append the encoding of `o`, whose first line is already indented by `nl` (newline + indent)."""
    if isinstance(o, str):
        append(_enc(o))
    elif o is None:
        append("null")
    elif o is True:
        append("true")
    elif o is False:
        append("false")
    elif isinstance(o, int):
        append(int.__repr__(o))
    elif isinstance(o, float):
        append(_float(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for v in o:
            if type(v) is str:
                append(sep + _enc(v))
            else:
                append(sep)
                _write(v, inner, append)
            sep = "," + inner
        append(nl + "]")
    elif isinstance(o, dict):
        if not o:
            append("{}")
            return
        inner = nl + "  "
        tables = _KEY_TEXT.get(inner)
        if tables is None:
            tables = _KEY_TEXT[inner] = ({}, {})
        first, rest = tables
        table = first
        for k, v in o.items():
            key = table.get(k) if type(k) is str else None
            if key is None:
                key = ("{" if table is first else ",") + inner + (_enc(k) if type(k) is str else _key(k)) + ": "
                if type(k) is str and len(table) < MAX_KEY_TEXTS:
                    table[k] = key
            table = rest
            t = type(v)
            if t is str:
                append(key + _enc(v))
            elif t is int:
                append(key + int.__repr__(v))
            elif v is None:
                append(key + "null")
            elif t is bool:
                append(key + ("true" if v else "false"))
            else:
                append(key)
                _write(v, inner, append)
        append(nl + "}")
    else:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(obj: Any) -> str:
    """`json.dumps(obj, indent=2, ensure_ascii=False)` for trees of dicts, lists, strings, numbers,
    booleans and None (no cycles, no custom types: the report has neither)."""
    parts: list[str] = []
    _write(obj, "\n", parts.append)
    return "".join(parts)
