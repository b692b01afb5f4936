"""One catalog for every rule of every engine: Python-side checks (rules/checks/*.yaml), YARA `meta`
and semgrep `metadata`. A rule id has one definition file: an instructions rule's prose detector is
the `detect:` section of its rules/checks/<id>.yaml (read by analyzers/instructions/detectors.py). Loaded and validated once per process; a duplicate id or a missing docs
section is an error."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.capabilities import decoding
from skillscan.lazyre import lazy
from skillscan.model import Confidence, Rule, RuleClass, RuleDocs, Severity

ID_RE = lazy(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
DOC_SECTIONS = ("what", "why", "example", "remediation")


class CatalogError(ValueError):
    pass


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """`skillscan/rules` inside a wheel, `rules/` beside the package in a source tree. Found once per process:
    resolving the path takes a `realpath` walk, and the decide stage asks for it thousands of times."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "checks").is_dir():
            return candidate
    raise CatalogError("rule data directory not found")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip()) if "," in value else (value.strip(),)
    return tuple(str(v) for v in value)


def rule_from_metadata(meta: dict[str, Any], engine: str, source: str) -> Rule:
    """Validate one rule's metadata (same keys whatever the engine) and build the Rule."""
    rid = str(meta.get("id", ""))
    if not ID_RE.match(rid):
        raise CatalogError(f"{source}: rule id {rid!r} is not kebab-case")
    docs_in = meta.get("docs") if isinstance(meta.get("docs"), dict) else meta
    missing = [s for s in DOC_SECTIONS if not str(docs_in.get(s, "")).strip()]
    refs = _as_tuple(docs_in.get("references"))
    if not refs:
        missing.append("references")
    if missing:
        raise CatalogError(f"{source}: rule {rid} lacks docs sections: {', '.join(missing)}")
    for key in ("title", "class", "severity", "confidence"):
        if not str(meta.get(key, "")).strip():
            raise CatalogError(f"{source}: rule {rid} lacks {key}")
    try:
        rule_class = RuleClass(str(meta["class"]).strip())
        severity = Severity.parse(meta["severity"])
        confidence = Confidence.parse(meta["confidence"])
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"{source}: rule {rid}: bad class/severity/confidence: {exc}") from exc
    capability = meta.get("capability") or None
    return Rule(
        id=rid,
        title=str(meta["title"]).strip(),
        rule_class=rule_class,
        severity=severity,
        confidence=confidence,
        engine=engine,
        docs=RuleDocs(
            what=str(docs_in["what"]).strip(),
            why=str(docs_in["why"]).strip(),
            example=str(docs_in["example"]).rstrip(),
            remediation=str(docs_in["remediation"]).strip(),
            references=refs,
        ),
        capability=str(capability) if capability else None,
        cwe=_as_tuple(meta.get("cwe")),
        tags=_as_tuple(meta.get("tags")),
        source=source,
    )


_YARA_HEADER_RE = lazy(r"^[ \t]*((?:(?:private|global)\s+)*)rule\s+(\w+)", re.M)
_YARA_META_START_RE = lazy(r"\bmeta\s*:")
_YARA_META_RE = lazy(r'^\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(true|false|-?\d+))\s*(?://.*)?$')
_YARA_ESCAPE_RE = lazy(r'\\(["\\nt]|x[0-9a-fA-F]{2})')


_YARA_SIMPLE = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _yara_unescape(raw: str) -> str:
    return decoding.string_unescape(raw, _YARA_ESCAPE_RE, _YARA_SIMPLE)[0]


def yara_metadata(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The `meta:` block of each YARA rule, read without compiling (compiling is the engine's job).
    A rule's text runs to the next rule header, so a one-line rule never swallows its neighbour.
    Private rules are helpers that never report a match: they need no catalog entry and are skipped."""
    headers = list(_YARA_HEADER_RE.finditer(text))
    for index, header in enumerate(headers):
        if "private" in header.group(1).split():
            continue
        body = text[header.end() : headers[index + 1].start() if index + 1 < len(headers) else len(text)]
        meta: dict[str, Any] = {}
        start = _YARA_META_START_RE.search(body)
        if start is not None:
            for line in body[start.end() :].splitlines():
                if not line.strip() or line.strip().startswith("//"):
                    continue
                m = _YARA_META_RE.match(line)
                if m is None:
                    break  # `strings:`, `condition:` or the end of the block
                raw = m.group(2)
                value: Any = _yara_unescape(raw) if raw is not None else m.group(3)
                key = m.group(1)
                if key == "references" or key.startswith("reference"):
                    meta.setdefault("references", [])
                    meta["references"].append(value)
                else:
                    meta[key] = value
        yield header.group(2), meta


def _load_rule_yaml(path: Path) -> Any:
    """Our own rule files: the C safe loader when built (about 10x faster than the pure-Python one,
    and the catalog is loaded by every process)."""
    import yaml  # lazily: a rule-data cache hit parses no YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


@dataclass(frozen=True)
class Catalog:
    rules: dict[str, Rule]
    digest: str

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise CatalogError(f"unknown rule id {rule_id!r}") from None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def sorted(self) -> list[Rule]:
        return [self.rules[k] for k in sorted(self.rules)]


def _data_files(root: Path) -> list[tuple[tuple[str, ...], str]]:
    """Every file under the rule root (but `__pycache__`), as (relative parts, path), in `Path` order."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        rel = Path(dirpath).relative_to(root).parts
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full):
                out.append(((*rel, name), full))
    out.sort(key=lambda item: item[0])
    return out


def data_digest(root: Path) -> str:
    """The digest of every rule data file (relative path and bytes): `Catalog.digest`."""
    digest = hashlib.sha256()
    for parts, full in _data_files(root):
        with open(full, "rb") as fh:
            digest.update("/".join(parts).encode() + b"\0" + fh.read() + b"\0")
    return digest.hexdigest()


def _parse_rules(root: Path) -> list[Rule]:
    """Read and validate every rule's metadata (the slow part that the rule-data cache skips)."""
    rules: dict[str, Rule] = {}

    def add(rule: Rule) -> None:
        if rule.id in rules:
            raise CatalogError(f"duplicate rule id {rule.id!r} in {rule.source} and {rules[rule.id].source}")
        rules[rule.id] = rule

    for path in sorted((root / "checks").glob("*.yaml")):
        meta = _load_rule_yaml(path)
        if not isinstance(meta, dict):
            raise CatalogError(f"{path}: not a mapping")
        if path.stem != meta.get("id"):
            raise CatalogError(f"{path}: file name must be the rule id")
        add(rule_from_metadata(meta, str(meta.get("engine", "python")), path.name))
    for path in sorted((root / "yara").glob("*.yar")) if (root / "yara").is_dir() else []:
        for name, meta in yara_metadata(path.read_text(encoding="utf-8")):
            if not meta.get("id"):
                raise CatalogError(f"{path.name}: YARA rule {name} has no meta id")
            add(rule_from_metadata(meta, "yara", f"{path.name}:{name}"))
    for path in sorted((root / "semgrep").glob("*.yaml")) if (root / "semgrep").is_dir() else []:
        doc = _load_rule_yaml(path) or {}
        for entry in doc.get("rules", []):
            meta = dict(entry.get("metadata") or {})
            meta.setdefault("id", entry.get("id"))
            if meta["id"] != entry.get("id"):
                raise CatalogError(f"{path.name}: semgrep id and metadata id differ")
            add(rule_from_metadata(meta, "semgrep", path.name))
    return list(rules.values())


def _rule_to_plain(rule: Rule) -> dict[str, Any]:
    d = rule.docs
    return {"id": rule.id, "title": rule.title, "class": rule.rule_class.value, "severity": int(rule.severity),
            "confidence": int(rule.confidence), "engine": rule.engine,
            "docs": [d.what, d.why, d.example, d.remediation, list(d.references)],
            "capability": rule.capability, "cwe": list(rule.cwe), "tags": list(rule.tags), "source": rule.source}


def _strings(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(v) is str for v in value):
        raise TypeError("expected a list of strings")
    return tuple(value)


def _rules_from_plain(data: Any) -> dict[str, Rule]:
    """The cached form back to Rules; any surprise raises (the entry is then rebuilt)."""
    rules: dict[str, Rule] = {}
    for d in data:
        what, why, example, remediation, refs = d["docs"]
        rule = Rule(id=str(d["id"]), title=str(d["title"]), rule_class=RuleClass(d["class"]),
                    severity=Severity(d["severity"]), confidence=Confidence(d["confidence"]),
                    engine=str(d["engine"]),
                    docs=RuleDocs(what=str(what), why=str(why), example=str(example),
                                  remediation=str(remediation), references=_strings(refs)),
                    capability=str(d["capability"]) if d["capability"] is not None else None,
                    cwe=_strings(d["cwe"]), tags=_strings(d["tags"]), source=str(d["source"]))
        if rule.id in rules:
            raise ValueError("duplicate id in a cache entry")
        rules[rule.id] = rule
    return rules


def load_catalog(root: Path | None = None) -> Catalog:
    """Parse and validate every rule's metadata — or read it back from the rule-data cache, keyed by
    the digest of the same files (and of this code), so a changed rule file is always re-read."""
    from skillscan import model, ruledata

    root = root or rules_dir()
    digest = data_digest(root)
    rules = ruledata.cached("catalog", digest, lambda: [_rule_to_plain(r) for r in _parse_rules(root)],
                            code=(__file__, model.__file__), decode=_rules_from_plain)
    return Catalog(rules=dict(rules), digest=digest)


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The process-wide catalog (each pool worker loads it once)."""
    return load_catalog()
