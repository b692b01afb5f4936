"""What a format's manifest can declare, as records the permit stage reads: each format module has a
reader that adds `Declaration`s to a `Fields` collector from the manifest the loader parsed, and may
name risky fields as `FieldNote`s for the manifest analyzer. Formats sit below permit and the analyzers,
so this is the whole interface they share with them (plus the shared shapes of MCP server
configs and user-config options that several formats embed)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skillscan.capabilities.grammar import agent_tool_capabilities, normalize
from skillscan.model import Capability

ENV_REF = re.compile(r"\$\{(?:env:)?([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)\b")


@dataclass(frozen=True)
class Declaration:
    capability: Capability
    # grant (can be unused) | surface (declares itself) | weak (prose, low confidence) | user (user-chosen scope)
    # | coarse (the narrowest the field can say, e.g. Codex `network: true`)
    source: str
    path: str
    line: int
    field: str


@dataclass(frozen=True)
class FieldNote:
    """A manifest field the manifest analyzer reports as a finding: its rule id, the sentence, the line of
    the manifest it cites and the capabilities it evidences."""

    rule: str
    message: str
    line: int
    capabilities: tuple[Capability, ...] = ()


def scoped(kind: str, scope: str | None = None) -> Capability:
    """A capability whose scope came from package text: one scope, no separators, bounded."""
    if scope is None:
        return Capability(kind)
    clean = re.sub(r"[,\[\]\s]+", "_", scope).strip("_")[:200]
    return Capability(kind, clean or "*")


class Fields:
    """The declarations and negatives (tools a manifest excludes) read from one package."""

    def __init__(self) -> None:
        self.items: list[Declaration] = []
        self.negatives: list[Capability] = []

    def add(self, cap: Capability | str, source: str, path: str, line: int, fld: str) -> None:
        c = cap if isinstance(cap, Capability) else Capability.parse(cap)
        self.items.append(Declaration(normalize(c), source, path, max(1, line), fld))

    def tool(self, entry: str, source: str, path: str, line: int, fld: str) -> None:
        for c in sorted(agent_tool_capabilities(entry), key=str):
            self.add(c, source, path, line, fld)


def mapping_of(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def list_of(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def strings(value: Any) -> list[str]:
    """A manifest's list of names: a YAML/JSON list, or a space/comma separated string."""
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int)) and str(v).strip()]
    return []


def line_of(text: str | None, needle: str, default: int = 1) -> int:
    if not text or not needle:
        return default
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else default


def mcp_config_env(out: Fields, cfg: Mapping[str, Any], path: str, text: str | None, fld: str,
                   sensitive: set[str]) -> None:
    """An MCP server config's `env` and `headers` (Claude plugins, MCPB, Gemini extensions)."""
    env = cfg.get("env")
    if isinstance(env, Mapping):
        for k, v in env.items():
            out.add(Capability("env.read", str(k)), "grant", path, line_of(text, str(k)), f"{fld}.env")
            refs = {m.group(1) or m.group(2) for m in ENV_REF.finditer(str(v))}
            if any(s in str(v) for s in sensitive) or "user_config" in str(v) and any(r in sensitive for r in refs):
                out.add(Capability("secrets.read", f"env:{k}"), "grant", path, line_of(text, str(k)), f"{fld}.env")
            for r in refs:
                out.add(Capability("env.read", r), "grant", path, line_of(text, r), f"{fld}.env")
    headers = cfg.get("headers")
    if isinstance(headers, Mapping):
        for v in headers.values():
            for m in ENV_REF.finditer(str(v)):
                name = m.group(1) or m.group(2)
                out.add(Capability("env.read", name), "grant", path, line_of(text, name), f"{fld}.headers")
                out.add(Capability("secrets.read", f"env:{name}"), "grant", path, line_of(text, name), f"{fld}.headers")


def servers(value: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """`mcpServers` as (name, config) pairs, whether a mapping, a wrapped mapping or a list."""
    if isinstance(value, Mapping) and isinstance(value.get("mcpServers"), Mapping):
        value = value["mcpServers"]
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items() if isinstance(v, Mapping)]
    if isinstance(value, list):
        return [(str(v.get("name", i)), v) for i, v in enumerate(value) if isinstance(v, Mapping)]
    return []


def user_config(out: Fields, uc: Any, path: str, text: str | None, fld: str, plugin: bool = False) -> set[str]:
    """User-config options (MCPB `user_config`, Claude plugin `userConfig`): the names of the sensitive ones."""
    sensitive: set[str] = set()
    if not isinstance(uc, Mapping):
        return sensitive
    for key, spec in uc.items():
        if not isinstance(spec, Mapping):
            continue
        line = line_of(text, f'"{key}"', line_of(text, str(key)))
        kind = str(spec.get("type", ""))
        if kind in ("directory", "file"):
            out.add(Capability("fs.read", "*"), "user", path, line, f"{fld}.{key}")
            if kind == "directory":
                out.add(Capability("fs.write", "*"), "user", path, line, f"{fld}.{key}")
        if spec.get("sensitive") is True:
            sensitive.add(str(key))
            out.add(Capability("secrets.read", f"user-config:{key}"), "user", path, line, f"{fld}.{key}")
        if plugin:  # Claude Code exposes every option to hooks and servers as CLAUDE_PLUGIN_OPTION_<KEY>
            env_name = f"CLAUDE_PLUGIN_OPTION_{str(key).upper()}"
            out.add(Capability("env.read", env_name), "user", path, line, f"{fld}.{key}")
    return sensitive
