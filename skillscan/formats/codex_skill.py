"""OpenAI Codex skills: an Agent Skills folder plus `agents/openai.yaml` (interface, policy, MCP tool
dependencies, experimental permission profile)."""

from __future__ import annotations

from typing import Any

from skillscan.formats.agent_skill import parse_agent_skill
from skillscan.formats.common import ManifestError, command_line, file_map, mapping, read_yaml, value_line
from skillscan.formats.spec import SKILL_KINDS, FormatSpec, Parsed
from skillscan.model import PackageFile, Surface

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


CODEX_SKILL = FormatSpec(name="codex-skill", markers=(OPENAI_YAML,), parse=parse_codex_skill, priority=20,
                         declarable={"codex-skill": SKILL_KINDS})
