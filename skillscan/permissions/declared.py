"""Declared capabilities (REFERENCE §4.4): every manifest field of every format that grants or
discloses a capability, mapped onto skillcap/v1. An execution surface (hook, MCP command, install
spec, `!` block, bin/ entry) declares only itself — `agent.hook[event]` or `proc.exec[argv0]` — never
what its command goes on to do (DESIGN.md "Permit and decide")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from skillscan.capabilities.grammar import (
    TOP,
    agent_tool_capabilities,
    normalize,
    normalize_host,
    normalize_path,
)
from skillscan.formats import declarable, tool_only
from skillscan.formats.agent_skill import OPENCLAW_KEYS, allowed_tools
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import Capability, Package
from skillscan.permissions.surfaces import strings, surface_capabilities

ENV_REF = re.compile(r"\$\{(?:env:)?([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)\b")
KNOWN_BINARIES = frozenset({
    "git", "gh", "docker", "jq", "curl", "wget", "node", "npm", "npx", "python", "python3", "pip", "uv", "uvx",
    "ffmpeg", "pandoc", "make", "go", "cargo", "rustc", "java", "kubectl", "terraform", "aws", "gcloud", "az",
    "bun", "deno", "yarn", "pnpm", "ruby", "brew", "sqlite3", "psql", "mysql", "redis-cli", "rg", "fd", "yq",
    "imagemagick", "convert", "magick", "tesseract", "libreoffice", "soffice", "chromium", "playwright", "sox",
})


def _m(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _l(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


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
class Declared:
    declarations: tuple[Declaration, ...]
    negatives: tuple[Capability, ...]
    declarable: frozenset[str]

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(d.capability for d in self.declarations)

    def has_field(self, kind: str, fmt: str, channels: Iterable[str]) -> bool:
        """Could the package's format declare this kind, for evidence seen in these channels?"""
        if kind not in self.declarable:
            return False
        chans = set(channels)
        return not (kind in tool_only(fmt) and chans and chans <= {"code"})


class _Out:
    def __init__(self) -> None:
        self.items: list[Declaration] = []
        self.negatives: list[Capability] = []

    def add(self, cap: Capability | str, source: str, path: str, line: int, fld: str) -> None:
        c = cap if isinstance(cap, Capability) else Capability.parse(cap)
        self.items.append(Declaration(normalize(c), source, path, max(1, line), fld))

    def tool(self, entry: str, source: str, path: str, line: int, fld: str) -> None:
        for c in sorted(agent_tool_capabilities(entry), key=str):
            self.add(c, source, path, line, fld)


def _line_of(text: str | None, needle: str, default: int = 1) -> int:
    if not text or not needle:
        return default
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else default


def tool_entries(value: Any) -> list[str]:
    return allowed_tools(value)


def _meta_block(meta: Any) -> tuple[str, dict[str, Any]] | None:
    if isinstance(meta, str):
        import json

        try:
            meta = json.loads(meta)
        except ValueError:
            from skillscan.yamlsafe import YamlError, load_yaml

            try:
                meta = load_yaml(meta)
            except YamlError:
                return None
    if not isinstance(meta, Mapping):
        return None
    for key in OPENCLAW_KEYS:
        block = meta.get(key)
        if isinstance(block, str):
            import json

            try:
                block = json.loads(block)
            except ValueError:
                block = None
        if isinstance(block, Mapping):
            return key, dict(block)
    return None


# ---------------------------------------------------------------------------------------------------
# SKILL.md-style frontmatter (Agent Skills, Claude, OpenClaw, Codex, plugin skills/commands/agents)


def _frontmatter(out: _Out, path: str, text: str) -> None:
    fm = parse_frontmatter(text)
    if not fm.present:  # invalid YAML is read leniently, as the host agents read it
        return
    data = fm.data
    for key in ("allowed-tools", "allowed_tools", "allowedTools", "tools"):
        if key in data:
            line = fm.key_lines.get(key, 1)
            for entry in tool_entries(data[key]):
                out.tool(entry, "grant", path, line, key)
    for key in ("disallowed-tools", "disallowed_tools", "disallowedTools"):
        for entry in tool_entries(data.get(key)):
            out.negatives.extend(agent_tool_capabilities(entry))
    if str(data.get("shell", "")).lower() == "powershell":
        out.add(Capability("proc.exec", "powershell"), "grant", path, fm.key_lines.get("shell", 1), "shell")
    compat = data.get("compatibility")
    if isinstance(compat, str):
        line = fm.key_lines.get("compatibility", 1)
        for word in re.findall(r"[A-Za-z][\w.+-]*", compat):
            if word.lower() in KNOWN_BINARIES:
                out.add(Capability("proc.exec", word.lower()), "weak", path, line, "compatibility")
        if re.search(r"\b(internet|network|online|web access)\b", compat, re.IGNORECASE):
            out.add(Capability("net.egress", "*"), "weak", path, line, "compatibility")
    claw = _meta_block(data.get("metadata"))
    if claw is None:
        for key in OPENCLAW_KEYS:
            if isinstance(data.get(key), Mapping):
                claw = (key, dict(data[key]))
                break
    if claw is not None:
        _openclaw(out, path, text, claw[0], claw[1])


def _openclaw(out: _Out, path: str, text: str, key: str, block: Mapping[str, Any]) -> None:
    fld = f"metadata.{key}"
    requires = _m(block.get("requires"))
    for sub in ("bins", "anyBins"):
        for b in strings(requires.get(sub)):
            out.add(Capability("proc.exec", b), "grant", path, _line_of(text, b), f"{fld}.requires.{sub}")
    for name in strings(requires.get("env")):
        out.add(Capability("env.read", name), "grant", path, _line_of(text, name), f"{fld}.requires.env")
    for item in _l(block.get("envVars")):
        var: Any = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(var, str) and var:
            out.add(Capability("env.read", var), "grant", path, _line_of(text, var), f"{fld}.envVars")
    primary = block.get("primaryEnv")
    if isinstance(primary, str) and primary:
        out.add(Capability("env.read", primary), "grant", path, _line_of(text, primary), f"{fld}.primaryEnv")
        out.add(Capability("secrets.read", f"env:{primary}"), "grant", path, _line_of(text, primary),
                f"{fld}.primaryEnv")
    for cfg in strings(requires.get("config")):
        out.add(Capability("host.api", f"openclaw.config:{cfg}"), "grant", path, _line_of(text, cfg),
                f"{fld}.requires.config")
    if block.get("always") is True:
        out.add(Capability("persist", "always-on"), "grant", path, _line_of(text, "always"), f"{fld}.always")
    eco = {"brew": "brew", "node": "npm", "npm": "npm", "go": "go", "uv": "pypi", "pip": "pypi"}
    for spec in _l(block.get("install")):
        if not isinstance(spec, Mapping):
            continue
        kind = str(spec.get("kind") or "")
        if kind == "download" and isinstance(spec.get("url"), str):
            url = spec["url"]
            line = _line_of(text, url)
            out.add(Capability("net.egress", normalize_host(url)), "surface", path, line, f"{fld}.install")
            out.add(Capability("pkg.install", f"url:{url}"), "surface", path, line, f"{fld}.install")
            target = spec.get("targetDir")
            out.add(Capability("fs.write", normalize_path(str(target)) if isinstance(target, str) and target
                               else "~/.openclaw/tools/**"), "surface", path, line, f"{fld}.install")
        elif kind:
            target = spec.get("formula") or spec.get("package") or spec.get("module") or "*"
            out.add(Capability("pkg.install", f"{eco.get(kind, kind)}:{target}"), "surface", path,
                    _line_of(text, str(target)), f"{fld}.install")
        for b in strings(spec.get("bins")):
            out.add(Capability("proc.exec", b), "grant", path, _line_of(text, b), f"{fld}.install.bins")


# ---------------------------------------------------------------------------------------------------
# per-format manifest fields


def _mcp_config_env(out: _Out, cfg: Mapping[str, Any], path: str, text: str | None, fld: str,
                    sensitive: set[str]) -> None:
    env = cfg.get("env")
    if isinstance(env, Mapping):
        for k, v in env.items():
            out.add(Capability("env.read", str(k)), "grant", path, _line_of(text, str(k)), f"{fld}.env")
            refs = {m.group(1) or m.group(2) for m in ENV_REF.finditer(str(v))}
            if any(s in str(v) for s in sensitive) or "user_config" in str(v) and any(r in sensitive for r in refs):
                out.add(Capability("secrets.read", f"env:{k}"), "grant", path, _line_of(text, str(k)), f"{fld}.env")
            for r in refs:
                out.add(Capability("env.read", r), "grant", path, _line_of(text, r), f"{fld}.env")
    headers = cfg.get("headers")
    if isinstance(headers, Mapping):
        for v in headers.values():
            for m in ENV_REF.finditer(str(v)):
                name = m.group(1) or m.group(2)
                out.add(Capability("env.read", name), "grant", path, _line_of(text, name), f"{fld}.headers")
                out.add(Capability("secrets.read", f"env:{name}"), "grant", path, _line_of(text, name), f"{fld}.headers")


def _servers(value: Any) -> list[tuple[str, Mapping[str, Any]]]:
    if isinstance(value, Mapping) and isinstance(value.get("mcpServers"), Mapping):
        value = value["mcpServers"]
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items() if isinstance(v, Mapping)]
    if isinstance(value, list):
        return [(str(v.get("name", i)), v) for i, v in enumerate(value) if isinstance(v, Mapping)]
    return []


def _user_config(out: _Out, uc: Any, path: str, text: str | None, fld: str, plugin: bool = False) -> set[str]:
    sensitive: set[str] = set()
    if not isinstance(uc, Mapping):
        return sensitive
    for key, spec in uc.items():
        if not isinstance(spec, Mapping):
            continue
        line = _line_of(text, f'"{key}"', _line_of(text, str(key)))
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


def _claude_plugin(out: _Out, package: Package) -> None:
    m = package.manifest
    pj = package.file(".claude-plugin/plugin.json")
    text = pj.text if pj is not None else None
    path = pj.path if pj is not None else package.manifest_path or ".claude-plugin/plugin.json"
    sensitive = _user_config(out, m.get("userConfig"), path, text, "userConfig", plugin=True)
    comps = _m(m.get("_components"))
    servers = comps.get("mcpServers", m.get("mcpServers"))
    mcp_file = package.file(".mcp.json")
    for name, cfg in _servers(servers):
        src = mcp_file if mcp_file is not None and name in (mcp_file.text or "") else pj
        _mcp_config_env(out, cfg, src.path if src else path, src.text if src else None, f"mcpServers.{name}",
                        sensitive)


def _mcpb(out: _Out, package: Package) -> None:
    m = package.manifest
    f = package.file("manifest.json")
    text = f.text if f is not None else None
    path = "manifest.json"
    sensitive = _user_config(out, m.get("user_config"), path, text, "user_config")
    server = _m(m.get("server"))
    cfg = _m(server.get("mcp_config"))
    _mcp_config_env(out, cfg, path, text, "server.mcp_config", sensitive)
    args = " ".join(str(a) for a in cfg.get("args") or [] if isinstance(a, (str, int)))
    if "${HOME}" in args:
        out.add(Capability("fs.read", "~/**"), "grant", path, _line_of(text, "${HOME}"), "server.mcp_config.args")
    if server.get("type") == "binary":
        out.add(Capability("code.dynamic", "native"), "grant", path, _line_of(text, '"binary"'), "server.type")
    for tool in _l(m.get("tools")):
        if isinstance(tool, Mapping) and isinstance(tool.get("name"), str):
            out.add(Capability("agent.tool", f"mcp:{m.get('name', '*')}/{tool['name']}"), "surface", path,
                    _line_of(text, tool["name"]), "tools")
    if m.get("privacy_policies"):
        out.add(Capability("net.egress", "*"), "weak", path, _line_of(text, "privacy_policies"), "privacy_policies")


def _mcp_server(out: _Out, package: Package) -> None:
    m = package.manifest
    f = package.file("server.json")
    text = f.text if f is not None else None
    path = "server.json"
    eco = {"npm": "npm", "pypi": "pypi", "oci": "oci", "nuget": "nuget", "mcpb": "url", "cargo": "cargo", "go": "go"}
    for pkg in _l(m.get("packages")):
        if not isinstance(pkg, Mapping):
            continue
        ident = str(pkg.get("identifier", "*"))
        ver = str(pkg.get("version", "")) if pkg.get("version") else ""
        rt = str(pkg.get("registryType", ""))
        line = _line_of(text, ident)
        out.add(Capability("pkg.install", f"{eco.get(rt, rt or 'npm')}:{ident}{'@' + ver if ver else ''}"),
                "surface", path, line, "packages")
        if pkg.get("runtimeHint"):
            out.add(Capability("proc.exec", str(pkg["runtimeHint"])), "surface", path, line, "packages.runtimeHint")
        for ev in _l(pkg.get("environmentVariables")):
            if isinstance(ev, Mapping) and isinstance(ev.get("name"), str):
                n = ev["name"]
                out.add(Capability("env.read", n), "grant", path, _line_of(text, n), "environmentVariables")
                if ev.get("isSecret") is True:
                    out.add(Capability("secrets.read", f"env:{n}"), "grant", path, _line_of(text, n),
                            "environmentVariables")
        for arg in _l(pkg.get("packageArguments")) + _l(pkg.get("runtimeArguments")):
            if isinstance(arg, Mapping) and arg.get("format") == "filepath":
                out.add(Capability("fs.read", "*"), "user", path, line, "packageArguments")
                out.add(Capability("fs.write", "*"), "user", path, line, "packageArguments")
        transport = pkg.get("transport")
        if isinstance(transport, Mapping) and isinstance(transport.get("url"), str) and "://" in transport["url"]:
            out.add(Capability("net.egress", normalize_host(transport["url"])), "surface", path,
                    _line_of(text, transport["url"]), "packages.transport")
    for remote in _l(m.get("remotes")):
        if isinstance(remote, Mapping) and isinstance(remote.get("url"), str):
            out.add(Capability("net.egress", normalize_host(remote["url"])), "surface", path,
                    _line_of(text, remote["url"]), "remotes")


def _gemini(out: _Out, package: Package) -> None:
    m = package.manifest
    f = package.file("gemini-extension.json")
    text = f.text if f is not None else None
    path = "gemini-extension.json"
    for s in _l(m.get("settings")):
        if isinstance(s, Mapping) and isinstance(s.get("envVar"), str):
            n = s["envVar"]
            out.add(Capability("env.read", n), "grant", path, _line_of(text, n), "settings.envVar")
            if s.get("sensitive") is True:
                out.add(Capability("secrets.read", f"env:{n}"), "grant", path, _line_of(text, n), "settings.envVar")
    for name, cfg in _servers(m.get("mcpServers")):
        _mcp_config_env(out, cfg, path, text, f"mcpServers.{name}", set())
    for entry in strings(_l(m.get("excludeTools"))):
        out.negatives.extend(agent_tool_capabilities(entry))


def _dify(out: _Out, package: Package) -> None:
    m = package.manifest
    f = package.file("manifest.yaml")
    text = f.text if f is not None else None
    path = "manifest.yaml"
    resource = _m(m.get("resource"))
    perm = _m(resource.get("permission"))
    for key, spec in perm.items():
        if not isinstance(spec, Mapping) or not spec.get("enabled", True):
            continue
        line = _line_of(text, f"{key}:")
        if key == "endpoint":
            out.add(Capability("net.listen", "dify-endpoint"), "grant", path, line, "resource.permission.endpoint")
        elif key == "model":
            out.add(Capability("host.api", "dify:model"), "grant", path, line, "resource.permission.model")
            for sub, val in spec.items():
                if sub != "enabled" and val is True:
                    out.add(Capability("host.api", f"dify:model.{sub}"), "grant", path, line, "resource.permission.model")
        else:
            out.add(Capability("host.api", f"dify:{key}"), "grant", path, line, f"resource.permission.{key}")
    network = _m(m.get("network"))
    if not network and isinstance(resource.get("network"), Mapping):
        network = resource["network"]
    for d in strings(network.get("domains")):
        out.add(Capability("net.egress", d), "grant", path, _line_of(text, d), "network.domains")
    if package.file("requirements.txt") is not None:
        out.add(Capability("pkg.install", "pypi:*"), "surface", "requirements.txt", 1, "requirements.txt")


def _codex(out: _Out, package: Package) -> None:
    data = package.manifest.get("_openai")
    f = package.file("agents/openai.yaml")
    text = f.text if f is not None else None
    path = "agents/openai.yaml"
    if not isinstance(data, Mapping):
        return
    deps = _m(data.get("dependencies"))
    for tool in _l(deps.get("tools")):
        if isinstance(tool, Mapping) and tool.get("value"):
            out.add(Capability("agent.tool", f"mcp:{tool['value']}/*"), "surface", path, _line_of(text, str(tool["value"])),
                    "dependencies.tools")
    for key in ("permissions", "permission_profile"):
        perms = data.get(key)
        if not isinstance(perms, Mapping):
            continue
        line = _line_of(text, key)
        if perms.get("network") is True:
            out.add(Capability("net.egress", "*"), "coarse", path, line, f"{key}.network")  # a bool: the narrowest
        elif isinstance(perms.get("network"), Mapping):
            for d in strings(perms["network"].get("allow") or perms["network"].get("domains")):
                out.add(Capability("net.egress", d), "grant", path, _line_of(text, d), f"{key}.network")
        fsys = _m(perms.get("file_system"))
        for mode, kind in (("read", "fs.read"), ("write", "fs.write")):
            for p in strings(fsys.get(mode)):
                out.add(Capability(kind, codex_path(p)), "grant", path, _line_of(text, p), f"{key}.file_system.{mode}")


def codex_path(p: str) -> str:
    """Codex resolves relative permission paths against the skill directory."""
    if p.startswith(("$", "~", "/")):
        return normalize_path(p)
    return normalize_path("$PKG/" + p.removeprefix("./")) if p not in (".", "./") else "$PKG"


FORMAT_FIELDS = {"claude-plugin": _claude_plugin, "mcpb": _mcpb, "mcp-server": _mcp_server,
                 "gemini-extension": _gemini, "dify-plugin": _dify, "codex-skill": _codex}


def _skill_like_files(package: Package) -> Iterable[tuple[str, str]]:
    for f in package.files:
        if f.virtual or f.text is None or f.truncated or ".md" not in f.path.lower():  # both tests need `.md`
            continue
        p = PurePosixPath(f.path)
        if p.name.lower() == "skill.md" or (p.suffix == ".md" and len(p.parts) >= 2 and p.parts[-2] in ("commands", "agents")):
            yield f.path, f.text


def declared_capabilities(package: Package) -> Declared:
    out = _Out()
    for path, text in _skill_like_files(package):
        _frontmatter(out, path, text)
    handler = FORMAT_FIELDS.get(package.format)
    if handler is not None:
        try:
            handler(out, package)
        except (TypeError, AttributeError, ValueError):  # hostile manifest shapes never crash the gate
            pass
    for s in package.surfaces:
        for c in surface_capabilities(s):
            out.add(c, "surface", s.path, s.line, f"surface:{s.kind}")
    negatives = tuple(sorted({normalize(n) for n in out.negatives}, key=str))
    kept = [d for d in out.items if not any(_neg_covers(n, d.capability) for n in negatives)]
    uniq: dict[tuple[str, str], Declaration] = {}
    for d in sorted(kept, key=lambda d: (str(d.capability), d.source != "grant", d.path, d.line)):
        uniq.setdefault((str(d.capability), d.source), d)
    return Declared(tuple(uniq.values()), negatives, declarable(package.format))


def _neg_covers(neg: Capability, cap: Capability) -> bool:
    from skillscan.capabilities.grammar import covers

    if neg == TOP:
        return cap == TOP
    return covers(neg, cap)
