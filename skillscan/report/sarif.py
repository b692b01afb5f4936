"""SARIF 2.1.0 that GitHub code scanning accepts (STYLE.md §7.1, §10.3): relative URIs,
`security-severity` strings, precision, CWE and capability tags, our own partialFingerprints key."""

from __future__ import annotations

import json
import posixpath
from typing import Any

from skillscan import __version__
from skillscan.catalog import get_catalog
from skillscan.model import Confidence, Finding, Report, Rule, Severity
from skillscan.report.json import fingerprints

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
         Severity.INFO: "note"}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
HELP_BASE = "https://github.com/skillscan/skillscan/blob/main/docs/rules.md#"


def rule_markdown(rule: Rule) -> str:
    d = rule.docs
    refs = "\n".join(f"- {r}" for r in d.references)
    return (f"## What it does\n{d.what}\n\n## Why is this bad?\n{d.why}\n\n## Example\n{d.example}\n\n"
            f"## Remediation\n{d.remediation}\n\n## References\n{refs}\n")


def rule_tags(rule: Rule) -> list[str]:
    tags = ["security"]
    for cwe in rule.cwe:
        tags.append(f"external/cwe/{cwe.lower()}")
    if rule.capability:
        tags.append(f"capability/{rule.capability}")
    tags.extend(t for t in rule.tags if t not in tags)
    return tags


def sarif_rule(rule: Rule) -> dict[str, Any]:
    props: dict[str, Any] = {"tags": rule_tags(rule), "precision": PRECISION[rule.confidence],
                             "problem.severity": "error" if rule.severity >= Severity.HIGH else
                             ("warning" if rule.severity == Severity.MEDIUM else "recommendation"),
                             "class": rule.rule_class.value}
    if rule.severity in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": "".join(p.capitalize() for p in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.docs.what.strip()},
        "help": {"text": rule.docs.remediation.strip(), "markdown": rule_markdown(rule)},
        "helpUri": HELP_BASE + rule.id,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": props,
    }


def artifact_uri(root: str, path: str) -> tuple[str, bool]:
    """(URI relative to the working directory, whether the location is inside an archive)."""
    if "!" in root:
        return root.split("!", 1)[0], True
    if root in (".", ""):
        return path, False
    if posixpath.basename(root) == path:  # a single file given directly
        return root, False
    return posixpath.normpath(posixpath.join(root, path)), False


def result(f: Finding, root: str, fp: str, rule_index: int) -> dict[str, Any]:
    uri, in_archive = artifact_uri(root, f.location.path)
    message = f.message if not in_archive else f"{f.message} (in {root.split('!', 1)[1].strip('/') or '.'}" \
        f"/{f.location.path}:{f.location.line})".replace("//", "/")
    region: dict[str, Any] = {"startLine": 1 if in_archive else f.location.line}
    if not in_archive:
        region["startColumn"] = f.location.column
        if f.location.snippet:
            region["snippet"] = {"text": f.location.snippet}
    res: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                            "region": region}}],
        "partialFingerprints": {"skillscan/v1": fp},
        "properties": {"confidence": f.confidence.label, "channel": f.channel.value,
                       "capabilities": [str(c) for c in f.capabilities]},
    }
    if f.severity in SECURITY_SEVERITY:
        res["properties"]["security-severity"] = SECURITY_SEVERITY[f.severity]
    if f.related:
        related = []
        for i, loc in enumerate(f.related, start=1):
            ruri, rin = artifact_uri(root, loc.path)
            related.append({"id": i, "message": {"text": f"{loc.path}:{loc.line}"},
                            "physicalLocation": {"artifactLocation": {"uri": ruri, "uriBaseId": "%SRCROOT%"},
                                                 "region": {"startLine": 1 if rin else loc.line}}})
        res["relatedLocations"] = related
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    catalog = get_catalog()
    used = sorted({f.rule_id for r in report.results for f in r.findings})
    rules = [catalog.rule(rid) for rid in used]
    index = {rid: i for i, rid in enumerate(used)}
    results = []
    notifications = []
    for r in report.results:
        for f, fp in zip(r.findings, fingerprints(r.findings), strict=True):
            results.append(result(f, r.package.root, fp, index[f.rule_id]))
        for err in r.errors:
            notifications.append({"level": "error", "message": {"text": f"{r.package.input}: {err}"}})
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "skillscan", "semanticVersion": __version__, "version": __version__,
                            "informationUri": "https://github.com/skillscan/skillscan",
                            "rules": [sarif_rule(rule) for rule in rules]}},
        "automationDetails": {"id": "skillscan/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The working directory of the scan"}}},
        "results": results,
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
