"""The Python API → capability map (`rules/capabilities/python.yaml`), loaded once per path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

HANDLERS = frozenset({"const", "url", "socket", "listen", "subprocess", "shell", "execv", "open", "path",
                      "path_self", "env", "env_write", "import"})
SINKS = frozenset({"network", "subprocess", "exec", "write"})
SOURCES = frozenset({"remote", "store", "cred"})


class CapMapError(ValueError):
    pass


@dataclass(frozen=True)
class ApiEntry:
    name: str
    capability: str  # `kind` or `kind[scope]`
    handler: str = "const"
    arg: int | None = None
    kw: str | None = None
    sink: str | None = None
    source: str | None = None
    rule: str | None = None

    @property
    def kind(self) -> str:
        return self.capability.split("[", 1)[0]

    @property
    def fixed_scope(self) -> str | None:
        if "[" in self.capability and self.capability.endswith("]"):
            return self.capability[self.capability.index("[") + 1 : -1]
        return None


@dataclass(frozen=True)
class CapMap:
    calls: dict[str, ApiEntry]
    prefixes: tuple[tuple[str, ApiEntry], ...]
    instances: dict[str, str]
    rules: dict[str, str]
    indicators: dict[str, Any] = field(default_factory=dict)

    def lookup(self, qualname: str) -> ApiEntry | None:
        entry = self.calls.get(qualname)
        if entry is not None:
            return entry
        for prefix, e in self.prefixes:
            if qualname.startswith(prefix):
                return e
        return None

    def rule_for(self, entry: ApiEntry | None, kind: str) -> str:
        if entry is not None and entry.rule:
            return entry.rule
        return self.rules.get(kind, self.rules.get("default", "py-api-capability"))

    def words(self, key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in self.indicators.get(key, []) or [])

    def pattern(self, key: str) -> re.Pattern[str] | None:
        text = self.indicators.get(key)
        return re.compile(text) if text else None


def _entry(name: str, raw: Any, where: str) -> ApiEntry:
    if not isinstance(raw, dict) or not raw.get("capability"):
        raise CapMapError(f"{where}: entry {name!r} needs a capability")
    handler = str(raw.get("handler", "const"))
    if handler not in HANDLERS:
        raise CapMapError(f"{where}: entry {name!r}: unknown handler {handler!r}")
    sink = raw.get("sink")
    if sink is not None and sink not in SINKS:
        raise CapMapError(f"{where}: entry {name!r}: unknown sink {sink!r}")
    source = raw.get("source")
    if source is not None and source not in SOURCES:
        raise CapMapError(f"{where}: entry {name!r}: unknown source {source!r}")
    arg = raw.get("arg")
    return ApiEntry(name=name, capability=str(raw["capability"]), handler=handler,
                    arg=int(arg) if arg is not None else None, kw=raw.get("kw"), sink=sink, source=source,
                    rule=raw.get("rule"))


def default_path() -> Path:
    from skillscan.catalog import rules_dir

    return rules_dir() / "capabilities" / "python.yaml"


@lru_cache(maxsize=8)
def load_capmap(path: str | None = None) -> CapMap:
    """Load and validate the map; `path` defaults to the shipped `rules/capabilities/python.yaml`."""
    from skillscan import ruledata  # the parsed YAML is cached on disk by content digest

    file = Path(path) if path else default_path()
    doc = ruledata.load_yaml_file(file)
    if not isinstance(doc, dict):
        raise CapMapError(f"{file}: not a mapping")
    calls = {str(k): _entry(str(k), v, file.name) for k, v in (doc.get("calls") or {}).items()}
    prefixes = tuple(sorted(((str(k), _entry(str(k), v, file.name)) for k, v in (doc.get("prefixes") or {}).items()),
                            key=lambda kv: -len(kv[0])))
    instances = {str(k): str(v) for k, v in (doc.get("instances") or {}).items()}
    rules = {str(k): str(v) for k, v in (doc.get("rules") or {}).items()}
    return CapMap(calls=calls, prefixes=prefixes, instances=instances, rules=rules,
                  indicators=dict(doc.get("indicators") or {}))
