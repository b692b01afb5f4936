"""Claude Code plugins: `.claude-plugin/plugin.json` (optional) plus `hooks/hooks.json`, `.mcp.json`,
`.lsp.json`, `monitors/monitors.json`, `commands/`, `agents/`, `bin/` and nested `skills/` (reported
inside the plugin). Every component path in plugin.json may also be a path, a list of paths or inline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.agent_skill import frontmatter_hook_surfaces, load_time_commands
from skillscan.formats.claude_rules import allowed_tools_entries
from skillscan.formats.common import (
    ManifestError,
    command_line,
    file_map,
    hook_surfaces,
    mapping,
    mcp_surfaces,
    read_json,
    resolve,
    value_line,
)
from skillscan.formats.declare import Fields, mapping_of, mcp_config_env, servers, user_config
from skillscan.formats.emit import Suggestion, yaml_suggestion
from skillscan.formats.spec import SKILL_KINDS, SKILL_TOOL_ONLY, FormatSpec, Parsed
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface

PLUGIN_JSON = ".claude-plugin/plugin.json"
DEFAULTS = {"hooks": "hooks/hooks.json", "mcpServers": ".mcp.json", "lspServers": ".lsp.json",
            "monitors": "monitors/monitors.json"}
MARKERS = (PLUGIN_JSON, "hooks/hooks.json", ".mcp.json", ".lsp.json", "monitors/monitors.json")


def _refs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class _Collector:
    def __init__(self, files: tuple[PackageFile, ...]) -> None:
        self.by_path = file_map(files)
        self.errors: list[str] = []
        self.surfaces: list[Surface] = []
        self.components: dict[str, Any] = {}

    def json(self, path: str) -> Any:
        f = self.by_path.get(path)
        if f is None:
            self.errors.append(f"{path}: referenced by the manifest but missing")
            return None
        try:
            return read_json(f)
        except ManifestError as exc:
            self.errors.append(f"{path}: {exc}")
            return None

    def component(self, key: str, declared: Any, manifest_text: str | None) -> None:
        """Load one component (hooks, mcpServers, lspServers, monitors) from the default file and from
        whatever plugin.json declares (paths or inline)."""
        sources: list[tuple[str, Any, str | None]] = []
        default = DEFAULTS[key]
        paths = [resolve("", r) for r in _refs(declared)] if declared is not None else []
        if any(p is None for p in paths):
            self.errors.append(f"{PLUGIN_JSON}: `{key}` points outside the plugin")
        wanted = [p for p in paths if p]
        if default in self.by_path and default not in wanted:
            wanted.insert(0, default)
        for p in wanted:
            if p.endswith(".mcpb"):
                self.surfaces.append(Surface(kind="mcp-server", path=PLUGIN_JSON, command="",
                                             url=p, line=value_line(manifest_text, p), extra=(("bundle", p),)))
                continue
            data = self.json(p)
            if data is not None:
                f = self.by_path[p]
                sources.append((p, data, f.text))
        if isinstance(declared, (dict, list)) and not _refs(declared):
            sources.append((PLUGIN_JSON, declared, manifest_text))
        merged: Any = [] if key == "monitors" else {}
        for path, data, text in sources:
            if key == "hooks":
                self.surfaces += hook_surfaces(data, path, text)
                inner = data.get("hooks", data) if isinstance(data, dict) else {}
                if isinstance(inner, dict):
                    merged.update(inner)
            elif key in ("mcpServers", "lspServers"):
                kind = "mcp-server" if key == "mcpServers" else "lsp-server"
                self.surfaces += mcp_surfaces(data, path, text, kind=kind)
                inner = data.get(key, data) if isinstance(data, dict) else {}
                if isinstance(inner, dict):
                    merged.update(inner)
            else:
                self.surfaces += monitor_surfaces(data, path, text)
                inner = data.get("monitors", data) if isinstance(data, dict) else data
                if isinstance(inner, list):
                    merged.extend(inner)
        if merged:
            self.components[key] = merged


def monitor_surfaces(data: Any, path: str, text: str | None) -> list[Surface]:
    if isinstance(data, dict):
        data = data.get("monitors", [])
    out = []
    for m in data if isinstance(data, list) else []:
        if not isinstance(m, dict) or not m.get("command"):
            continue
        when = str(m.get("when") or "always")
        command = command_line(m.get("command"), m.get("args"))
        out.append(Surface(kind="monitor", path=path, command=command, event=when,
                           gated=when != "always", line=value_line(text, str(m["command"])),
                           extra=(("name", str(m.get("name", ""))),)))
    return out


def markdown_components(files: tuple[PackageFile, ...], collector: _Collector) -> dict[str, dict[str, Any]]:
    """Frontmatter of commands/*.md, agents/*.md and skills/*/SKILL.md; `!` blocks and frontmatter hooks
    become surfaces."""
    found: dict[str, dict[str, Any]] = {}
    for f in files:
        if f.virtual or f.text is None or f.truncated:
            continue
        p = PurePosixPath(f.path)
        top = p.parts[0] if p.parts else ""
        is_md = p.suffix.lower() == ".md"
        if not is_md or top not in ("commands", "agents", "skills") or (top == "skills" and p.name.upper() != "SKILL.MD"):
            continue
        fm = parse_frontmatter(f.text)
        found[f.path] = fm.data if fm.present and not fm.error else {}
        if top in ("commands", "skills"):
            collector.surfaces += load_time_commands(f.text, f.path)
        collector.surfaces += frontmatter_hook_surfaces(fm, f)
    return found


def bin_surfaces(files: tuple[PackageFile, ...]) -> list[Surface]:
    return [Surface(kind="bin", path=f.path, command=PurePosixPath(f.path).name, extra=(("executable", str(f.executable).lower()),))
            for f in files if not f.virtual and f.path.startswith("bin/") and f.path.count("/") == 1]


def parse_claude_plugin(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    c = _Collector(files)
    manifest: dict[str, Any] = {}
    manifest_text = None
    pj = c.by_path.get(PLUGIN_JSON)
    if pj is not None:
        try:
            manifest = mapping(read_json(pj))
            if not manifest and pj.text and pj.text.strip():
                c.errors.append(f"{PLUGIN_JSON}: not a JSON object")
        except ManifestError as exc:
            c.errors.append(f"{PLUGIN_JSON}: {exc}")
        manifest_text = pj.text
    for key in DEFAULTS:
        c.component(key, manifest.get(key), manifest_text)
    for key in ("commands", "agents", "skills"):
        for ref in _refs(manifest.get(key)):
            if resolve("", ref) is None:
                c.errors.append(f"{PLUGIN_JSON}: `{key}` path {ref!r} points outside the plugin")
    md = markdown_components(files, c)
    c.surfaces += bin_surfaces(files)
    components = dict(c.components)
    if md:
        components["markdown"] = md
    if components:
        manifest["_components"] = components
    name = str(manifest.get("name") or PurePosixPath(root.rstrip("/")).name or root)
    surfaces = tuple(sorted(c.surfaces, key=lambda s: (s.path, s.line, s.kind, s.command)))
    return Parsed(name=name, format="claude-plugin", version=str(manifest.get("version") or ""), manifest=manifest,
                  manifest_path=PLUGIN_JSON if pj is not None else "", surfaces=surfaces, errors=tuple(c.errors))


def declare_plugin(out: Fields, package: Package) -> None:
    """`userConfig` options and the env/headers of the plugin's MCP servers."""
    m = package.manifest
    pj = package.file(PLUGIN_JSON)
    text = pj.text if pj is not None else None
    path = pj.path if pj is not None else package.manifest_path or PLUGIN_JSON
    sensitive = user_config(out, m.get("userConfig"), path, text, "userConfig", plugin=True)
    comps = mapping_of(m.get("_components"))
    configs = comps.get("mcpServers", m.get("mcpServers"))
    mcp_file = package.file(".mcp.json")
    for name, cfg in servers(configs):
        src = mcp_file if mcp_file is not None and name in (mcp_file.text or "") else pj
        mcp_config_env(out, cfg, src.path if src else path, src.text if src else None, f"mcpServers.{name}",
                       sensitive)


def write_plugin(caps: Sequence[Capability], package: Package,
            inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """`allowed-tools` for the plugin's skills (the rest is disclosed in the generic block)."""
    out: tuple[Suggestion, ...] = ()
    if any(f.path.startswith("skills/") and f.path.endswith("/SKILL.md") for f in package.files):
        entries, _ = allowed_tools_entries([c for c in caps if c.kind in ("proc.exec", "proc.shell", "net.egress",
                                                                           "fs.read", "fs.write", "fs.delete")],
                                           package, inferred)
        if entries:
            out = (yaml_suggestion(package.format, "skills/<name>/SKILL.md", {"allowed-tools": " ".join(entries)}),)
    return out, list(caps)


CLAUDE_PLUGIN = FormatSpec(name="claude-plugin", names_itself=True, markers=MARKERS, parse=parse_claude_plugin, priority=30,
                           owns_nested=True,
                           declarable={"claude-plugin": SKILL_KINDS | {"agent.hook", "proc.daemon", "env.read",
                                                                       "secrets.read"}},
                           # a monitor declares the background process the host runs, never one a script starts
                           tool_only={"claude-plugin": SKILL_TOOL_ONLY | {"proc.daemon"}}, declare=declare_plugin,
                           write_suggestion=write_plugin)
