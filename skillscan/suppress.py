"""Suppressions and baselines.

Inline `skillscan: ignore[rule-id,…] reason` comments are honoured only in author mode (`--author`):
at a registry gate the package author is the adversary. In Markdown the same text goes inside an
HTML comment. A comment applies to its own line, or — alone on its line — to the next line.

A baseline is a file of content fingerprints (never line numbers) written by
`skillscan baseline create`; `--baseline FILE` keeps those findings out of the verdict and SARIF.
Neither removes an inferred capability: the gate still sees what the package can do."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from skillscan.capabilities.fingerprint import baseline_key
from skillscan.lines import text_lines
from skillscan.model import Finding, Package, PackageResult, RuleClass, Severity, fingerprints

BASELINE_FORMAT = "skillscan-baseline/v1"
# strict: the rule ids are required and named; a reason is free text after the bracket
IGNORE_RE = re.compile(r"skillscan:\s*ignore\[([a-z0-9][a-z0-9,\s-]*)\](?:\s+([^\n]*?))?\s*(?:-->|\*/)?\s*$")
MAX_LINE = 2000  # a suppression comment is short; longer lines are not searched (bounded regex work)
COMMENT_ONLY = re.compile(r"^\s*(#|//|<!--|/\*|--|;|REM\b)")


class BaselineError(ValueError):
    pass


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int  # the line the suppression applies to
    rule_ids: frozenset[str]
    reason: str


def inline_suppressions(package: Package) -> list[Suppression]:
    out: list[Suppression] = []
    for f in package.files:
        if f.text is None or f.virtual or "skillscan:" not in f.text:
            continue
        lines = text_lines(f.text)
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_LINE or "skillscan:" not in line:
                continue
            m = IGNORE_RE.search(line)
            if not m:
                continue
            ids = frozenset(i.strip() for i in m.group(1).split(",") if i.strip())
            reason = (m.group(2) or "").strip()
            target = number + 1 if COMMENT_ONLY.match(line) else number
            out.append(Suppression(f.path, target, ids, reason))
            if target != number:
                out.append(Suppression(f.path, number, ids, reason))
    return out


def is_suppressed(finding: Finding, suppressions: Iterable[Suppression]) -> bool:
    return any(s.path == finding.location.path and s.line == finding.location.line and finding.rule_id in s.rule_ids
               for s in suppressions)


def as_evidence(finding: Finding) -> Finding:
    """A removed finding keeps its capabilities as plain evidence (info, class capability)."""
    return replace(finding, severity=Severity.INFO, rule_class=RuleClass.CAPABILITY)


@dataclass(frozen=True)
class Baseline:
    keys: frozenset[str]

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT or \
                not isinstance(data.get("fingerprints"), dict):
            raise BaselineError(f"{path}: not a {BASELINE_FORMAT} file")
        return cls(frozenset(str(k) for k in data["fingerprints"]))

    def __contains__(self, key: object) -> bool:
        return key in self.keys


def baseline_document(results: Sequence[PackageResult]) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for r in results:
        for f, fp in zip(r.findings, fingerprints(r.findings), strict=True):
            entries[baseline_key(r.package.root, fp)] = {"rule": f.rule_id, "package": r.package.root,
                                                        "path": f.location.path, "fingerprint": fp}
    return {"format": BASELINE_FORMAT, "fingerprints": dict(sorted(entries.items()))}
