"""Gemini CLI extensions: `gemini-extension.json` (mcpServers, settings/envVar allowlist, excludeTools,
contextFileName, migratedTo), `commands/**/*.toml` (`!{…}` runs a shell command when the command is
expanded), `hooks/hooks.json`, `GEMINI.md`, nested `skills/` and `agents/` (reported inside)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.common import (
    ManifestError,
    file_map,
    hook_surfaces,
    mapping,
    mcp_surfaces,
    read_json,
    read_toml,
    value_line,
)
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import PackageFile, Surface

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


GEMINI = FormatSpec(name="gemini-extension", markers=(MANIFEST,), parse=parse_gemini, priority=32,
                    owns_nested=True,
                    declarable={"gemini-extension": frozenset({"env.read", "secrets.read", "agent.hook", "agent.tool"})})
