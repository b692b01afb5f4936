"""Gemini CLI extensions: `gemini-extension.json` (mcpServers, settings/envVar allowlist, excludeTools,
contextFileName, migratedTo), `commands/**/*.toml` (`!{…}` runs a shell command when the command is
expanded), `hooks/hooks.json`, `GEMINI.md`, nested `skills/` and `agents/` (reported inside)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from skillscan.capabilities.grammar import agent_tool_capabilities
from skillscan.formats.common import (
    ManifestError,
    file_map,
    hook_surfaces,
    key_line,
    mapping,
    mcp_surfaces,
    read_json,
    read_toml,
    value_line,
)
from skillscan.formats.declare import FieldNote, Fields, line_of, list_of, mcp_config_env, scoped, servers, strings
from skillscan.formats.emit import Suggestion, json_suggestion, needed_env, without_env
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface

MANIFEST = "gemini-extension.json"


def shell_injections(prompt: str) -> list[str]:
    """The bodies of `!{…}` blocks (braces inside balance, as Gemini CLI parses them)."""
    out: list[str] = []
    i = prompt.find("!{")
    while i >= 0:
        depth, j = 0, i + 1
        while j < len(prompt):
            if prompt[j] == "{":
                depth += 1
            elif prompt[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth != 0:
            break
        out.append(prompt[i + 2 : j].strip())
        i = prompt.find("!{", j)
    return out


def command_surfaces(f: PackageFile) -> tuple[list[Surface], dict[str, Any], str]:
    try:
        data = read_toml(f)
    except ManifestError as exc:
        return [], {}, f"{f.path}: {exc}"
    prompt = data.get("prompt")
    surfaces = []
    if isinstance(prompt, str):
        for cmd in shell_injections(prompt):
            first = cmd.splitlines()[0] if cmd else ""
            surfaces.append(Surface(kind="load-time-command", path=f.path, command=cmd,
                                    line=value_line(f.text, first) if first else 1, extra=(("syntax", "!{}"),)))
    return surfaces, data, ""


def parse_gemini(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    by_path = file_map(files)
    f = by_path[MANIFEST]
    errors: list[str] = []
    surfaces: list[Surface] = []
    try:
        manifest = mapping(read_json(f))
    except ManifestError as exc:
        manifest = {}
        errors.append(f"{MANIFEST}: {exc}")
    surfaces += mcp_surfaces(manifest.get("mcpServers"), MANIFEST, f.text)
    hooks_file = by_path.get("hooks/hooks.json")
    components: dict[str, Any] = {}
    if hooks_file is not None:
        try:
            hooks = read_json(hooks_file)
            surfaces += hook_surfaces(hooks, hooks_file.path, hooks_file.text)
            components["hooks"] = hooks
        except ManifestError as exc:
            errors.append(f"{hooks_file.path}: {exc}")
    commands: dict[str, Any] = {}
    for path, cf in sorted(by_path.items()):
        if path.startswith("commands/") and path.endswith(".toml"):
            s, data, err = command_surfaces(cf)
            surfaces += s
            commands[path] = data
            if err:
                errors.append(err)
    if commands:
        components["commands"] = commands
    context = str(manifest.get("contextFileName") or "GEMINI.md")
    if context in by_path:
        components["contextFile"] = context
    if components:
        manifest["_components"] = components
    name = str(manifest.get("name") or PurePosixPath(root.rstrip("/")).name)
    return Parsed(name=name, format="gemini-extension", version=str(manifest.get("version") or ""), manifest=manifest,
                  manifest_path=MANIFEST, surfaces=tuple(surfaces), errors=tuple(errors))


def declare_extension(out: Fields, package: Package) -> None:
    """`settings` (environment variables, sensitive or not), MCP server env/headers and `excludeTools`."""
    m = package.manifest
    f = package.file(MANIFEST)
    text = f.text if f is not None else None
    path = MANIFEST
    for s in list_of(m.get("settings")):
        if isinstance(s, Mapping) and isinstance(s.get("envVar"), str):
            n = s["envVar"]
            out.add(Capability("env.read", n), "grant", path, line_of(text, n), "settings.envVar")
            if s.get("sensitive") is True:
                out.add(Capability("secrets.read", f"env:{n}"), "grant", path, line_of(text, n), "settings.envVar")
    for name, cfg in servers(m.get("mcpServers")):
        mcp_config_env(out, cfg, path, text, f"mcpServers.{name}", set())
    for entry in strings(list_of(m.get("excludeTools"))):
        out.negatives.extend(agent_tool_capabilities(entry))


def extension_notes(package: Package, text: str | None) -> list[FieldNote]:
    moved = package.manifest.get("migratedTo")
    if not moved:
        return []
    return [FieldNote("extension-migrated-to", f"`migratedTo: {moved}` moves every install to another repository",
                      key_line(text, "migratedTo"), (scoped("code.remote", str(moved)),) if "," not in str(moved) else ())]


def write_extension(caps: Sequence[Capability], package: Package,
            inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """Each needed environment variable as a `settings` entry."""
    envs = needed_env(caps, inferred)
    if not envs:
        return (), list(caps)
    data = {"settings": [{"name": e, "description": f"value of {e}", "envVar": e, "sensitive": secret}
                         for e, secret in envs]}
    return (json_suggestion(package.format, MANIFEST, data),), without_env(caps)


GEMINI = FormatSpec(name="gemini-extension", names_itself=True, markers=(MANIFEST,), parse=parse_gemini, priority=32,
                    owns_nested=True,
                    declarable={"gemini-extension": frozenset({"env.read", "secrets.read", "agent.hook", "agent.tool"})},
                    declare=declare_extension, write_suggestion=write_extension,
                    field_notes=extension_notes)
