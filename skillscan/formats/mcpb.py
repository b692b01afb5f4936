"""MCP bundles (MCPB, formerly DXT): `manifest.json` at the root of a `.mcpb` zip — `server.type`,
`server.mcp_config{command,args,env,platform_overrides}`, `user_config`, `tools[]`/`tools_generated`."""

from __future__ import annotations

import json
from typing import Any

from skillscan.formats.common import (
    ManifestError,
    command_line,
    file_map,
    key_line,
    mapping,
    read_json,
    root_name,
    unreadable_manifest,
    value_line,
)
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import PackageFile, Surface

MANIFEST = "manifest.json"


def is_mcpb_manifest(f: PackageFile) -> bool:
    if f.text is None or f.truncated:
        return False
    head = f.text[:200_000]
    if '"server"' not in head or not any(k in head for k in ('"manifest_version"', '"dxt_version"', '"mcp_config"')):
        return False
    try:
        data = read_json(f)
    except ManifestError:
        return False
    return isinstance(data, dict) and isinstance(data.get("server"), dict)


def server_surfaces(server: dict[str, Any], text: str | None) -> list[Surface]:
    out: list[Surface] = []
    cfg = mapping(server.get("mcp_config"))
    stype = str(server.get("type") or "")
    entry = str(server.get("entry_point") or "")
    configs = [("", cfg)] + [(plat, mapping(o)) for plat, o in mapping(cfg.get("platform_overrides")).items()]
    for plat, c in configs:
        command = command_line(c.get("command"), c.get("args"))
        if not command:
            continue
        extra = [("server", "mcp_config"), ("transport", "stdio"), ("type", stype)]
        if plat:
            extra.append(("platform", plat))
        if isinstance(c.get("env"), dict) and c["env"]:
            extra.append(("env", ",".join(sorted(str(k) for k in c["env"]))))
        out.append(Surface(kind="mcp-server", path=MANIFEST, command=command,
                           line=value_line(text, json.dumps(c.get("command"))[1:-1]) if isinstance(c.get("command"), str)
                           else key_line(text, "mcp_config"), extra=tuple(extra)))
    if not out and entry:
        out.append(Surface(kind="mcp-server", path=MANIFEST, command=entry, line=key_line(text, "entry_point"),
                           extra=(("server", "entry_point"), ("type", stype))))
    if stype == "uv":
        out.append(Surface(kind="install", path=MANIFEST, command="uv sync", line=key_line(text, "type"),
                           extra=(("installer", "uv"), ("from", "pyproject.toml"))))
    return out


def parse_mcpb(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    f = file_map(files)[MANIFEST]
    try:
        manifest = mapping(read_json(f))
    except ManifestError as exc:
        return unreadable_manifest(root, "mcpb", MANIFEST, exc)
    surfaces = server_surfaces(mapping(manifest.get("server")), f.text)
    return Parsed(name=str(manifest.get("name") or root_name(root)), format="mcpb",
                  version=str(manifest.get("version") or ""), manifest=manifest, manifest_path=MANIFEST,
                  surfaces=tuple(surfaces))


MCPB = FormatSpec(name="mcpb", markers=(MANIFEST,), parse=parse_mcpb, priority=25, probe=is_mcpb_manifest,
                  declarable={"mcpb": frozenset({"proc.exec", "env.read", "secrets.read", "fs.read", "fs.write",
                                                 "code.dynamic", "agent.tool"})})
