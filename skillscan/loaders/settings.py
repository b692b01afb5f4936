"""Agent settings files a package may ship (`.claude/settings.json`, `.claude/settings.local.json`,
`.gemini/settings.json`): when the package is used as a project they register hooks and helper
commands that run before the folder is trusted (REFERENCE §1.4 "Trust boundaries"). Recorded as
surfaces for every format."""

from __future__ import annotations

from skillscan.formats.common import ManifestError, command_line, hook_surfaces, mcp_surfaces, read_json, value_line
from skillscan.model import PackageFile, Surface

SETTINGS_FILES = (".claude/settings.json", ".claude/settings.local.json", ".gemini/settings.json")
HELPERS = ("apiKeyHelper", "awsAuthRefresh", "awsCredentialExport", "otelHeadersHelper")


def settings_surfaces(files: tuple[PackageFile, ...]) -> tuple[list[Surface], list[str]]:
    out: list[Surface] = []
    errors: list[str] = []
    for f in files:
        if f.virtual or f.path not in SETTINGS_FILES:
            continue
        try:
            data = read_json(f)
        except ManifestError as exc:
            errors.append(f"{f.path}: {exc}")
            continue
        if not isinstance(data, dict):
            continue
        out += hook_surfaces(data.get("hooks"), f.path, f.text, origin="settings")
        out += mcp_surfaces(data.get("mcpServers"), f.path, f.text)
        for key in HELPERS:
            if isinstance(data.get(key), str) and data[key].strip():
                out.append(Surface(kind="hook", path=f.path, command=data[key].strip(), event=key,
                                   line=value_line(f.text, data[key].strip()), extra=(("origin", "settings"),)))
        status = data.get("statusLine")
        if isinstance(status, dict) and status.get("command"):
            command = command_line(status.get("command"))
            out.append(Surface(kind="hook", path=f.path, command=command, event="statusLine",
                               line=value_line(f.text, str(status["command"])), extra=(("origin", "settings"),)))
    return out, errors
