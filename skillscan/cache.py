"""The result cache: analysis results (findings of the per-file and batch engines) keyed by the
package's content digest, the tool version, the rules digest, the engine versions and the load
limits. A second entry, keyed by that key and the digest of the package's context (its root, input,
format, skipped and nested entries — what the package engines read besides the files), holds the
same findings plus the package engines': a re-scan of the same tree reads one entry per package, and
the same content elsewhere still finds the first. Permit and decide are never cached: policy,
author mode, baselines and previous verdicts change them. Entries are JSON (never pickle: a cache
directory must not become a code path)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.diskcache import atomic_write, cache_subdir, make_private_dir, refuse, trusted
from skillscan.model import Capability, Carrier, Channel, Confidence, Finding, Flow, Location, RuleClass, Severity

FORMAT = 6


def default_cache_dir() -> Path | None:
    return cache_subdir("results")


def cache_key(package_sha256: str, *, version: str, rules_digest: str, engines: dict[str, str],
              limits: Any) -> str:
    material = json.dumps({"format": FORMAT, "package": package_sha256, "tool": version, "rules": rules_digest,
                           "engines": engines, "limits": asdict(limits)}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def _loc(loc: Location) -> dict[str, Any]:
    return asdict(loc)


def _carriers(flow: Flow) -> list[tuple[str, str, str, str, int]]:
    return [(c.kind, c.value, c.name, c.path, c.line) for c in flow.carriers]


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id, "message": f.message, "location": _loc(f.location), "severity": int(f.severity),
        "confidence": int(f.confidence), "rule_class": f.rule_class.value,
        "capabilities": [[c.kind, c.scope] for c in f.capabilities], "channel": f.channel.value,
        "related": [_loc(r) for r in f.related], "decoded": f.decoded, "engine": f.engine,
        "flow": None if f.flow is None else [f.flow.source, list(f.flow.names), f.flow.sink, f.flow.host, f.flow.part,
                                             f.flow.service, [list(c) for c in _carriers(f.flow)]],
        "role": f.role,
    }


_SEVERITY = {int(x): x for x in Severity}
_CONFIDENCE = {int(x): x for x in Confidence}
_CLASS = {x.value: x for x in RuleClass}
_CHANNEL = {x.value: x for x in Channel}


@lru_cache(maxsize=4096)
def _capability(kind: str, scope: str | None) -> Capability:
    return Capability(kind, scope)


def finding_from_json(d: dict[str, Any]) -> Finding:
    # lookups rather than enum calls, and shared Capability objects: a warm re-scan of a registry
    # turns tens of thousands of entries back into findings
    return Finding(
        rule_id=d["rule_id"], message=d["message"], location=Location(**d["location"]),
        severity=_SEVERITY[d["severity"]], confidence=_CONFIDENCE[d["confidence"]], rule_class=_CLASS[d["rule_class"]],
        capabilities=tuple(_capability(k, s) for k, s in d["capabilities"]), channel=_CHANNEL[d["channel"]],
        related=tuple(Location(**r) for r in d["related"]), decoded=d["decoded"], engine=d["engine"],
        flow=None if d.get("flow") is None else Flow(d["flow"][0], tuple(d["flow"][1]), *d["flow"][2:6],
                                                     tuple(Carrier(*c) for c in d["flow"][6])),
        role=d.get("role"),
    )


@dataclass(frozen=True)
class Entry:
    findings: tuple[Finding, ...]  # the per-file and batch engines'
    package_findings: tuple[Finding, ...] | None = None  # the package engines', in a context entry


def context_key(key: str, context: str) -> str:
    return hashlib.sha256(f"{key}\0{context}".encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.writable = False
        if directory is not None and not trusted(directory):
            self.directory = None  # another user could write the entries: no cache (diskcache.trusted)
            refuse(directory)
        elif directory is not None:
            try:
                make_private_dir(directory)
                self.writable = os.access(directory, os.W_OK)
            except OSError:
                self.writable = False

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Entry | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT or doc.get("key") != key:
                return None
            pkg = doc.get("package_findings")
            return Entry(tuple(finding_from_json(d) for d in doc["findings"]),
                         None if pkg is None else tuple(finding_from_json(d) for d in pkg))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # a missing or damaged entry is a miss, never an error

    def put(self, key: str, findings: list[Finding] | tuple[Finding, ...],
            package_findings: list[Finding] | tuple[Finding, ...] | None = None) -> None:
        path = self._path(key)
        if path is None or not self.writable:
            return
        doc: dict[str, Any] = {"format": FORMAT, "key": key, "findings": [finding_to_json(f) for f in findings]}
        if package_findings is not None:
            doc["package_findings"] = [finding_to_json(f) for f in package_findings]

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, separators=(",", ":"))

        atomic_write(path, write)
