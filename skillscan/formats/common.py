"""Helpers shared by the format parsers: bounded JSON/YAML/TOML loading, key line lookup, and the
surface builders for the shapes several formats reuse (hook maps, MCP server maps)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from skillscan.formats.spec import Parsed
from skillscan.lines import line_at
from skillscan.model import PackageFile, Surface
from skillscan.yamlsafe import YamlError, load_yaml

MAX_JSON_DEPTH = 200
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class ManifestError(ValueError):
    pass


def json_depth(text: str) -> int:
    """Maximum bracket nesting of a JSON text, strings ignored (no recursion, linear time)."""
    depth = best = 0
    for ch in _STRING.sub("", text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def load_json_text(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    if json_depth(text) > max_depth:
        raise ManifestError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"invalid JSON: {exc}") from None


def load_yaml_text(text: str) -> Any:
    try:
        return load_yaml(text)
    except YamlError as exc:
        raise ManifestError(str(exc)) from None


def load_toml_text(text: str) -> dict[str, Any]:
    if json_depth(text) > MAX_JSON_DEPTH:  # arrays/inline tables nest with the same brackets
        raise ManifestError(f"TOML nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ManifestError(f"invalid TOML: {exc}") from None


def load_data_text(text: str, kind: str) -> Any:
    """A data file's text parsed by its kind ("json", "yaml" or "yml", "toml"), by the bounded loaders above;
    ManifestError when it is not valid or nests too deep."""
    if kind == "json":
        return load_json_text(text)
    if kind in ("yaml", "yml"):
        return load_yaml_text(text)
    if kind == "toml":
        return load_toml_text(text)
    raise ManifestError(f"not a data file kind: {kind}")


def read_json(f: PackageFile) -> Any:
    return load_json_text(_text(f))


def read_yaml(f: PackageFile) -> Any:
    return load_yaml_text(_text(f))


def read_toml(f: PackageFile) -> dict[str, Any]:
    return load_toml_text(_text(f))


def _text(f: PackageFile) -> str:
    if f.text is None:
        raise ManifestError(f"{f.path} is not text")
    if f.truncated:
        raise ManifestError(f"{f.path} is larger than the parse cap")
    return f.text


def file_map(files: Iterable[PackageFile]) -> dict[str, PackageFile]:
    return {f.path: f for f in files if not f.virtual}


def key_line(text: str | None, key: str, start: int = 0) -> int:
    """1-based line of the first `"key"` / `key:` / `key =` at or after character `start`, else 1."""
    if not text or not key:
        return 1
    m = re.compile(r'(?:"' + re.escape(key) + r'"\s*:|(?m:^[ \t-]*)' + re.escape(key) + r"\s*[:=])").search(text, start)
    return line_at(text, m.start()) if m else 1


def value_line(text: str | None, value: str, start: int = 0) -> int:
    """1-based line of the first occurrence of `value` (or its JSON-escaped form) at or after `start`,
    else of the first anywhere, else 1."""
    i = value_pos(text, value, start)
    return line_at(text, i) if text and i >= 0 else 1


def value_pos(text: str | None, value: str, start: int = 0) -> int:
    if not text or not value:
        return -1
    for needle in (value, json.dumps(value)[1:-1]):
        i = text.find(needle, start)
        if i < 0 and start:
            i = text.find(needle, 0, start + len(needle))
        if i >= 0:
            return i
    return -1


def command_line(command: Any, args: Any = None) -> str:
    """`command` plus `args` as one shell-quoted string (a string command is kept verbatim)."""
    parts: list[str] = []
    if isinstance(command, list):
        parts = [str(c) for c in command]
    elif command is not None and str(command).strip():
        base = str(command).strip()
        if not isinstance(args, list) or not args:
            return base
        parts = [base]
    if isinstance(args, list):
        parts += [str(a) for a in args if isinstance(a, (str, int, float))]
    if not parts:
        return ""
    head = parts[0] if " " in parts[0] and len(parts) == 1 else shlex.quote(parts[0])
    return " ".join([head] + [shlex.quote(p) for p in parts[1:]])


def resolve(root_rel: str, ref: str) -> str | None:
    """A manifest path (`./x`, `x`) as a package-relative POSIX path; None if absolute or escaping."""
    ref = ref.strip().replace("\\", "/")
    if not ref or ref.startswith("/") or re.match(r"^[A-Za-z]:", ref) or "://" in ref:
        return None
    parts: list[str] = [p for p in root_rel.split("/") if p]
    for part in ref.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


TOOL_EVENTS = {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied",
               "BeforeTool", "AfterTool"}
BROAD_MATCHERS = {"", "*", ".*", ".+"}


def hook_surfaces(hooks: Any, path: str, text: str | None, origin: str = "") -> list[Surface]:
    """Surfaces for a hooks map `{Event: [{matcher, hooks: [{type, command|url|...}]}]}` (Claude Code and
    Gemini CLI share this shape; a `{"hooks": {...}}` wrapper is accepted)."""
    if isinstance(hooks, Mapping) and isinstance(hooks.get("hooks"), Mapping):
        hooks = hooks["hooks"]
    out: list[Surface] = []
    if not isinstance(hooks, Mapping):
        return out
    cursor = 0  # hooks are listed in document order: each command is looked for after the previous one
    for event, groups in hooks.items():
        if isinstance(groups, Mapping):
            groups = [groups]
        if not isinstance(groups, list):
            continue
        ev_line = key_line(text, str(event))
        for group in groups:
            if not isinstance(group, Mapping):
                continue
            matcher = group.get("matcher")
            matcher_s = "" if matcher is None else str(matcher)
            entries = group.get("hooks") if isinstance(group.get("hooks"), list) else [group]
            for h in entries:
                if not isinstance(h, Mapping):
                    continue
                htype = str(h.get("type") or ("http" if h.get("url") else "command"))
                command = command_line(h.get("command"), h.get("args")) if htype == "command" else ""
                if htype == "mcp_tool":
                    command = ""
                condition = str(h.get("if") or "")
                gated = bool(condition) or (str(event) in TOOL_EVENTS and matcher_s.strip() not in BROAD_MATCHERS)
                extra = [("type", htype)]
                if condition:
                    extra.append(("if", condition))
                if origin:
                    extra.append(("origin", origin))
                for key in ("server", "tool", "prompt", "shell", "async"):
                    if key in h and isinstance(h[key], (str, int, float, bool)):
                        extra.append((key, str(h[key])))
                if h.get("allowedEnvVars"):
                    extra.append(("allowedEnvVars", ",".join(str(v) for v in h["allowedEnvVars"]
                                                             if isinstance(v, str))))
                line = ev_line
                if h.get("command") or h.get("url"):
                    pos = value_pos(text, str(h.get("command") or h.get("url") or ""), cursor)
                    if text and pos >= 0:
                        line, cursor = line_at(text, pos), pos + 1
                out.append(Surface(kind="hook", path=path, command=command, event=str(event), matcher=matcher_s,
                                   url=str(h.get("url") or ""), gated=gated, line=line, extra=tuple(extra)))
    return out


def mcp_surfaces(servers: Any, path: str, text: str | None, kind: str = "mcp-server") -> list[Surface]:
    """Surfaces for an MCP (or LSP) server map `{name: {command, args, env, url, type, headersHelper}}`; a
    `{"mcpServers": {...}}` wrapper and a list of named entries are accepted."""
    if isinstance(servers, Mapping) and isinstance(servers.get("mcpServers"), Mapping):
        servers = servers["mcpServers"]
    if isinstance(servers, list):
        servers = {str(s.get("name", i)): s for i, s in enumerate(servers) if isinstance(s, Mapping)}
    out: list[Surface] = []
    if not isinstance(servers, Mapping):
        return out
    for name, cfg in servers.items():
        if not isinstance(cfg, Mapping):
            continue
        line = key_line(text, str(name))
        command = command_line(cfg.get("command"), cfg.get("args"))
        url = str(cfg.get("url") or cfg.get("httpUrl") or cfg.get("serverUrl") or "")
        transport = str(cfg.get("type") or cfg.get("transport") or ("stdio" if command else "http" if url else ""))
        extra = [("server", str(name)), ("transport", transport)]
        env = cfg.get("env")
        if isinstance(env, Mapping) and env:
            extra.append(("env", ",".join(sorted(str(k) for k in env))))
        if command or url:
            out.append(Surface(kind=kind, path=path, command=command, url=url, line=line, extra=tuple(extra)))
        helper = cfg.get("headersHelper")
        if isinstance(helper, str) and helper.strip():
            out.append(Surface(kind=kind, path=path, command=helper.strip(), url=url,
                               line=value_line(text, helper.strip()),
                               extra=(("server", str(name)), ("role", "headersHelper"))))
    return out


def mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def root_name(root: str) -> str:
    """The package's directory name, the fallback name when a manifest has none."""
    return root.rstrip("/").rsplit("/", 1)[-1] or root


def unreadable_manifest(root: str, fmt: str, path: str, exc: Exception) -> Any:
    """The Parsed result for a package whose main manifest cannot be read: the format is known, the error
    is reported, nothing else is claimed."""
    return Parsed(name=root_name(root), format=fmt, manifest_path=path, errors=(f"{path}: {exc}",))
