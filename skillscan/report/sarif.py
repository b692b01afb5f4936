"""SARIF 2.1.0 that GitHub code scanning accepts (STYLE.md §7.1, §10.3): URIs relative to the working
directory, `security-severity` strings, precision, CWE and capability tags, our own
`partialFingerprints` key (never `primaryLocationLineHash`: upload-sarif computes it), and GitHub's
documented limits (results per run, locations per result, tags per rule)."""

from __future__ import annotations

import json
import os
import posixpath
import re
from typing import Any
from urllib.parse import quote

from skillscan._version import __version__
from skillscan.catalog import get_catalog
from skillscan.docs import help_uri, rule_markdown
from skillscan.model import Confidence, Finding, Location, PackageResult, Report, Rule, Severity
from skillscan.report.json import fingerprints

__all__ = ["SARIF_SCHEMA", "artifact_uri", "render", "rule_markdown", "sarif_dict"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "skillscan/v1"
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
         Severity.INFO: "note"}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
# GitHub code scanning limits (docs: "SARIF support for code scanning", "Validating your SARIF file")
MAX_RESULTS = 25_000
MAX_LOCATIONS = 1_000  # per result, locations + relatedLocations
MAX_TAGS = 20
MAX_SHORT_DESCRIPTION = 1024
MAX_NAME = 255
# characters kept literally in a relative URI path (RFC 3986 pchar minus ':' so the first segment
# never reads as a scheme)
_URI_SAFE = "/-._~!$&'()*+,;=@"


def rule_tags(rule: Rule) -> list[str]:
    tags = ["security"]
    for cwe in rule.cwe:
        tag = f"external/cwe/{cwe.strip().lower()}"
        if tag not in tags:
            tags.append(tag)
    if rule.capability:
        tags.append(f"capability/{rule.capability}")
    tags.append(f"class/{rule.rule_class.value}")
    tags.extend(t for t in rule.tags if t not in tags)
    return tags[:MAX_TAGS]


def rule_text(rule: Rule) -> str:
    d = rule.docs
    refs = "\n".join(f"- {r}" for r in d.references)
    return (f"What it does: {d.what}\n\nWhy is this bad? {d.why}\n\nRemediation: {d.remediation}\n\n"
            f"References:\n{refs}")


def sarif_rule(rule: Rule) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tags": rule_tags(rule),
        "precision": PRECISION[rule.confidence],
        "problem.severity": "error" if rule.severity >= Severity.HIGH else
        ("warning" if rule.severity == Severity.MEDIUM else "recommendation"),
        "class": rule.rule_class.value,
        "engine": rule.engine,
    }
    if rule.severity in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": "".join(p.capitalize() for p in rule.id.split("-"))[:MAX_NAME],
        "shortDescription": {"text": rule.title[:MAX_SHORT_DESCRIPTION]},
        "fullDescription": {"text": rule.docs.what.strip()},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "helpUri": help_uri(rule.id),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": props,
    }


def _encode(path: str) -> str:
    return quote(path, safe=_URI_SAFE)


def artifact_uri(root: str, path: str) -> tuple[str, bool, bool]:
    """(URI, whether the location is inside an archive/remote input, whether the URI is relative).

    Under the working directory: a POSIX path relative to it, percent-encoded, no `./`. Outside it:
    an absolute `file://` URI (GitHub relativises those against the checkout)."""
    in_archive = "!" in root
    if in_archive:
        target = root.split("!", 1)[0]
    elif root in (".", ""):
        target = path
    elif path in (".", "") or (posixpath.basename(root) == path and not os.path.isdir(root)):
        target = root  # the package root itself, or a single file given directly
    else:
        target = posixpath.join(root, path)
    target = posixpath.normpath(target) if target else "."
    if target.startswith("/"):
        return "file://" + _encode(target), in_archive, False
    if "://" in target or target.split("/", 1)[0].endswith(":"):  # a remote input such as github:owner/repo
        return _encode(target.replace("://", "/")), in_archive, True
    return _encode(target), in_archive, True


def end_column(loc: Location, end_line: int) -> int:
    """Exclusive 1-based end column. Engines that know the span set `end_column`; otherwise the
    region runs to the end of the snippet's first line (at least one character)."""
    if loc.end_column is not None and (end_line > loc.line or loc.end_column > loc.column):
        return loc.end_column
    first = loc.snippet.splitlines()[0].rstrip() if loc.snippet.strip() else ""
    return loc.column + max(1, len(first))


def _physical(root: str, loc: Location, *, line_only: bool = False) -> tuple[dict[str, Any], bool]:
    uri, in_archive, relative = artifact_uri(root, loc.path)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    if in_archive:
        return {"artifactLocation": artifact, "region": {"startLine": 1}}, True
    region: dict[str, Any] = {"startLine": loc.line}
    if not line_only:
        region["startColumn"] = loc.column
        end_line = max(loc.end_line or loc.line, loc.line)
        region["endLine"] = end_line
        region["endColumn"] = end_column(loc, end_line)
        if loc.snippet:
            region["snippet"] = {"text": loc.snippet}
    return {"artifactLocation": artifact, "region": region}, False


_VIRTUAL_RE = re.compile(r"^(?P<real>.+?)(?P<suffix>(?:#[a-z]+-\d+)+)$")


def virtual_origin(path: str, r: PackageResult) -> str | None:
    """The real file a decoded payload (`scripts/a.py#decoded-1`, `x.md#blob-2`) came from, if any."""
    m = _VIRTUAL_RE.match(path)
    if m is None or r.package.file(path) is not None or r.package.file(m.group("real")) is None:
        return None
    return m.group("real")


def _primary_location(f: Finding, r: PackageResult) -> Location:
    """GitHub can only show committed files: a finding about the whole package (path ".") is placed
    on its manifest, one inside a decoded payload on the file the payload was decoded from."""
    loc = f.location
    if loc.path in (".", "") and r.package.manifest_path:
        return Location(r.package.manifest_path, 1, 1)
    real = virtual_origin(loc.path, r)
    if real is not None:
        return Location(real, 1, 1)
    return loc


def result(f: Finding, r: PackageResult, fp: str, rule_index: int) -> dict[str, Any]:
    root = r.package.root
    loc = _primary_location(f, r)
    physical, in_archive = _physical(root, loc)
    message = f.message
    if loc is not f.location and virtual_origin(f.location.path, r):
        message = f"{message} (in the payload decoded as {f.location.path}:{f.location.line})"
    if in_archive:
        inner = root.split("!", 1)[1].strip("/")
        member = posixpath.join(inner, f.location.path) if inner else f.location.path
        message = f"{f.message} (in {member}:{f.location.line})"
    res: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
        "properties": {"confidence": f.confidence.label, "severity": f.severity.label, "channel": f.channel.value,
                       "role": f.role, "capabilities": [str(c) for c in f.capabilities], "package": root},
    }
    if f.severity in SECURITY_SEVERITY:
        res["properties"]["security-severity"] = SECURITY_SEVERITY[f.severity]
    if f.decoded is not None:
        res["properties"]["decoded"] = f.decoded[:1000]
    if f.related:
        related = []
        for i, loc in enumerate(f.related[: MAX_LOCATIONS - 1], start=1):
            rphys, _ = _physical(root, loc, line_only=True)
            related.append({"id": i, "message": {"text": f"{loc.path}:{loc.line}"}, "physicalLocation": rphys})
        res["relatedLocations"] = related
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    catalog = get_catalog()
    used = sorted({f.rule_id for r in report.results for f in r.findings})
    rules = [catalog.rule(rid) for rid in used]
    index = {rid: i for i, rid in enumerate(used)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    dropped = 0
    for r in report.results:
        for f, fp in zip(r.findings, fingerprints(r.findings), strict=True):
            if len(results) >= MAX_RESULTS:
                dropped += 1
                continue
            results.append(result(f, r, fp, index[f.rule_id]))
        for err in r.errors:
            notifications.append({"level": "error", "message": {"text": f"{r.package.input}: {err}"}})
    if dropped:
        notifications.append({"level": "warning", "message": {
            "text": f"{dropped} results left out: GitHub accepts at most {MAX_RESULTS} results per run"}})
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "skillscan", "semanticVersion": __version__, "version": __version__,
                            "informationUri": "https://github.com/skillscan/skillscan",
                            "rules": [sarif_rule(rule) for rule in rules]}},
        "automationDetails": {"id": "skillscan/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The working directory of the scan"}}},
        "results": results,
        "invocations": [{"executionSuccessful": not any(n["level"] == "error" for n in notifications),
                         "toolExecutionNotifications": notifications}],
        "properties": {"rules_digest": report.rules_digest},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
