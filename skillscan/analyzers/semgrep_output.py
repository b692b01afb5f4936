"""semgrep's JSON output → matches on our own targets (byte offsets mapped to lines and columns, duplicates
dropped), and analysis-incomplete findings for files it could not analyse. Anything that makes a run
untrustworthy raises `SemgrepError`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.catalog import get_catalog
from skillscan.model import Channel, Finding, PackageFile, Severity

FATAL_ERROR_TYPES = ("Timeout", "OutOfMemory", "Out of memory", "Fatal", "Syntax error", "Lexical error",
                     "Parse", "Other syntax error", "Unknown language")


class SemgrepError(RuntimeError):
    """semgrep could not produce a trustworthy result for a batch."""


@dataclass(frozen=True)
class Target:
    package: int  # index into the batch's packages
    file: PackageFile
    name: str  # file name inside the temporary batch directory
    data: bytes  # exactly what semgrep reads (UTF-8 of the decoded text)


@dataclass(frozen=True)
class Match:
    rule_id: str
    target: Target
    start: int  # byte offsets into target.data
    end: int
    text: str  # the matched source
    line: int
    column: int

    @property
    def path(self) -> str:
        return self.target.file.path



def line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1



def _error_type(err: dict[str, Any]) -> str:
    t = err.get("type")
    if isinstance(t, list):
        return str(t[0]) if t else ""
    return str(t or "")


def parse_output(returncode: int, stdout: bytes, stderr: bytes,
                 by_name: dict[str, Target]) -> tuple[list[Match], list[tuple[Target, Finding]]]:
    """semgrep's JSON → matches on our targets, and analysis-incomplete findings for files it could not
    analyse. Anything that makes the whole run untrustworthy raises SemgrepError."""
    tail = stderr.decode("utf-8", "replace").strip()[-400:]
    try:
        doc = json.loads(stdout.decode("utf-8", "replace") or "null")
    except ValueError:
        raise SemgrepError(f"semgrep exited {returncode} without JSON output: {tail or 'no message'}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise SemgrepError(f"semgrep exited {returncode} with unexpected output: {tail or 'no message'}")
    incomplete: dict[str, str] = {}
    raw_errors = doc.get("errors")
    errors: list[Any] = raw_errors if isinstance(raw_errors, list) else []
    for err in errors:
        if not isinstance(err, dict):
            continue
        etype = _error_type(err)
        path = err.get("path")
        name = PurePosixPath(str(path)).name if path else None
        if name in by_name:
            if str(err.get("level", "")).lower() == "error" or any(k.lower() in etype.lower()
                                                                   for k in FATAL_ERROR_TYPES):
                incomplete.setdefault(name, f"{etype or 'error'}: {str(err.get('message', ''))[:200]}".strip())
            continue
        if str(err.get("level", "error")).lower() == "error":
            raise SemgrepError(f"semgrep failed: {etype or 'error'}: {str(err.get('message', ''))[:300]}")
    if returncode not in (0, 1) and not doc["results"] and errors:
        raise SemgrepError(f"semgrep exited {returncode}: {tail or 'no message'}")
    scanned = doc.get("paths", {}).get("scanned") if isinstance(doc.get("paths"), dict) else None
    if isinstance(scanned, list):
        seen = {PurePosixPath(str(p)).name for p in scanned}
        for name in by_name:
            if name not in seen and name not in incomplete:
                incomplete[name] = "semgrep did not scan it"
    matches: list[Match] = []
    for r in doc["results"]:
        if not isinstance(r, dict):
            continue
        rule_id = str(r.get("check_id", "")).rsplit(".", 1)[-1]
        target = by_name.get(PurePosixPath(str(r.get("path", ""))).name)
        if target is None or rule_id not in get_catalog():
            continue
        try:
            start = int(r["start"]["offset"])
            end = int(r["end"]["offset"])
        except (KeyError, TypeError, ValueError):
            continue
        start = max(0, min(start, len(target.data)))
        end = max(start, min(end, len(target.data)))
        line, column = line_col(target.data, start)
        text = target.data[start:end].decode("utf-8", "replace")
        matches.append(Match(rule_id, target, start, end, text, line, column))
    # a code fence of a Markdown document (virtual file on the instruction channel) is often a partial
    # snippet: that it does not parse leaves no part of the package unanalysed
    findings = [(by_name[n], finding("analysis-incomplete", f"semgrep could not fully analyse {by_name[n].file.path}: "
                                     f"{why}", by_name[n].file.path, severity=Severity.LOW))
                for n, why in sorted(incomplete.items())
                if not (by_name[n].file.channel is Channel.INSTRUCTION and "#fence-" in by_name[n].file.path)]
    matches.sort(key=lambda m: (m.target.package, m.path, m.start, m.rule_id))
    return _dedupe(matches), findings


def _dedupe(matches: list[Match]) -> list[Match]:
    seen: set[tuple[int, str, str, int, int]] = set()
    out = []
    for m in matches:
        key = (m.target.package, m.path, m.rule_id, m.start, m.end)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out
