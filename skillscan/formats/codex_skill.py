"""OpenAI Codex skills: an Agent Skills folder plus `agents/openai.yaml` (interface, policy, MCP tool
dependencies, experimental permission profile)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skillscan.capabilities.grammar import normalize_path
from skillscan.formats.agent_skill import openclaw_notes, parse_agent_skill, write_skill
from skillscan.formats.common import ManifestError, command_line, file_map, mapping, read_yaml, value_line
from skillscan.formats.declare import Fields, line_of, list_of, mapping_of, strings
from skillscan.formats.emit import Suggestion, yaml_suggestion
from skillscan.formats.spec import SKILL_KINDS, FormatSpec, Parsed
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface

OPENAI_YAML = "agents/openai.yaml"


def dependency_surfaces(data: dict[str, Any], text: str | None) -> list[Surface]:
    out = []
    tools = mapping(data.get("dependencies")).get("tools")
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict):
            continue
        command = command_line(tool.get("command"), tool.get("args"))
        url = str(tool.get("url") or "")
        if not command and not url:
            continue
        name = str(tool.get("value") or tool.get("name") or "")
        out.append(Surface(kind="mcp-server", path=OPENAI_YAML, command=command, url=url,
                           line=value_line(text, str(tool.get("command") or url)),
                           extra=(("server", name), ("transport", str(tool.get("transport") or
                                                                     ("stdio" if command else "http"))))))
    return out


def parse_codex_skill(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    base = parse_agent_skill(root, files)
    f = file_map(files)[OPENAI_YAML]
    errors = list(base.errors)
    surfaces = list(base.surfaces)
    manifest = dict(base.manifest)
    try:
        data = mapping(read_yaml(f))
        manifest["_openai"] = data
        surfaces += dependency_surfaces(data, f.text)
    except ManifestError as exc:
        errors.append(f"{OPENAI_YAML}: {exc}")
    return Parsed(name=base.name, format="codex-skill", version=base.version, manifest=manifest,
                  manifest_path=base.manifest_path, surfaces=tuple(surfaces), errors=tuple(errors))


def declare_codex(out: Fields, package: Package) -> None:
    data = package.manifest.get("_openai")
    f = package.file(OPENAI_YAML)
    text = f.text if f is not None else None
    path = OPENAI_YAML
    if not isinstance(data, Mapping):
        return
    deps = mapping_of(data.get("dependencies"))
    for tool in list_of(deps.get("tools")):
        if isinstance(tool, Mapping) and tool.get("value"):
            out.add(Capability("agent.tool", f"mcp:{tool['value']}/*"), "surface", path, line_of(text, str(tool["value"])),
                    "dependencies.tools")
    for key in ("permissions", "permission_profile"):
        perms = data.get(key)
        if not isinstance(perms, Mapping):
            continue
        line = line_of(text, key)
        if perms.get("network") is True:
            out.add(Capability("net.egress", "*"), "coarse", path, line, f"{key}.network")  # a bool: the narrowest
        elif isinstance(perms.get("network"), Mapping):
            for d in strings(perms["network"].get("allow") or perms["network"].get("domains")):
                out.add(Capability("net.egress", d), "grant", path, line_of(text, d), f"{key}.network")
        fsys = mapping_of(perms.get("file_system"))
        for mode, kind in (("read", "fs.read"), ("write", "fs.write")):
            for p in strings(fsys.get(mode)):
                out.add(Capability(kind, codex_path(p)), "grant", path, line_of(text, p), f"{key}.file_system.{mode}")


def codex_path(p: str) -> str:
    """Codex resolves relative permission paths against the skill directory."""
    if p.startswith(("$", "~", "/")):
        return normalize_path(p)
    return normalize_path("$PKG/" + p.removeprefix("./")) if p not in (".", "./") else "$PKG"


def written_path(scope: str | None) -> str:
    """An anchored path as Codex writes it (relative to the skill directory)."""
    s = scope or "*"
    if s == "$PKG":
        return "."
    if s.startswith("$PKG/"):
        return "./" + s[5:]
    return s


def write_codex(caps: Sequence[Capability], package: Package,
                inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """The SKILL.md part as for any skill, then `permissions` in agents/openai.yaml."""
    out, leftover = write_skill(caps, package, inferred)
    perms: dict[str, Any] = {}
    if any(c.kind == "net.egress" for c in caps):
        perms["network"] = True
    reads = sorted({written_path(c.scope) for c in caps if c.kind == "fs.read"})
    writes = sorted({written_path(c.scope) for c in caps if c.kind in ("fs.write", "fs.delete")})
    fs = {k: v for k, v in (("read", reads), ("write", writes)) if v}
    if fs:
        perms["file_system"] = fs
    if perms:
        out += (yaml_suggestion(package.format, OPENAI_YAML, {"permissions": perms}),)
    return out, leftover


CODEX_SKILL = FormatSpec(name="codex-skill", skill_md_manifest=True, markers=(OPENAI_YAML,), parse=parse_codex_skill, priority=20,
                         declarable={"codex-skill": SKILL_KINDS}, declare=declare_codex, write_suggestion=write_codex,
                         field_notes=openclaw_notes)  # an OpenClaw block in its SKILL.md counts as in any skill
