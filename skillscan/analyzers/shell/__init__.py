"""The one shell-command analyzer (DESIGN "Analyze" → shell): every place a command appears goes
through `analyze_command` (a shell string) or `analyze_argv` (an exec-style argv).

- `ShellFileAnalyzer` ("shell"): shell, PowerShell and batch files (channel code), and the package managers'
  configuration files that steer the installs commands run (`.npmrc`, `pip.conf`, `requirements*.txt`).
- `ShellSurfaceAnalyzer` ("shell-surfaces"): the commands the host runs — hooks, MCP/LSP stdio
  commands, install specs, load-time `!` blocks, monitors, headersHelper (channel manifest).
- Other engines call `analyze_command`/`analyze_argv` with a `CommandContext` for subprocess calls,
  child_process strings, Markdown fences, inline code and "run …" sentences.

argv → capabilities is data: `rules/capabilities/shell.yaml` (see `capmap.load_capmap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from skillscan.analyzers.base import FileResult
from skillscan.analyzers.shell.bridge import Engines, read_inline
from skillscan.analyzers.shell.capmap import Capmap, load_capmap
from skillscan.analyzers.shell.infer import (
    CommandContext,
    analyze_argv,
    analyze_command,
    analyze_command_decoded,
    analyze_command_inline,
)
from skillscan.analyzers.shell.pkgindex import config_file_findings, is_config_file
from skillscan.analyzers.shell.sourced import annotate, sourced_env
from skillscan.model import Channel, Finding, Package, PackageFile

__all__ = [
    "Capmap",
    "CommandContext",
    "ShellFileAnalyzer",
    "ShellSurfaceAnalyzer",
    "analyze_argv",
    "analyze_command",
    "analyze_command_decoded",
    "analyze_command_inline",
    "dialect_of",
    "load_capmap",
]

LANG_DIALECT = {"shell": "bash", "powershell": "powershell", "batch": "batch"}

SURFACE_SOURCE = {
    "hook": "hook", "monitor": "hook", "mcp-server": "mcp", "lsp-server": "mcp", "install": "install",
    "load-time-command": "load-time", "marketplace-source": "install", "bin": "script",
}


def dialect_of(path: str, language: str = "") -> str:
    """bash | powershell | batch, from a file's language or extension."""
    if language in LANG_DIALECT:
        return LANG_DIALECT[language]
    suffix = PurePosixPath(path.lower()).suffix
    return {".ps1": "powershell", ".psm1": "powershell", ".bat": "batch", ".cmd": "batch"}.get(suffix, "bash")


def no_engines() -> tuple[()]:
    return ()


class ShellFileAnalyzer:
    """Shell, PowerShell and batch scripts (by extension or shebang). `file_engines` (the registry's file
    engines, handed in by skillscan/analyzers/__init__.py) read the inline programs of interpreters."""

    name = "shell"
    reads_inline_programs = True

    def __init__(self, capmap_path: str | None = None, file_engines: Engines = no_engines) -> None:
        self.capmap_path = capmap_path
        self.file_engines = file_engines

    def applies(self, file: PackageFile) -> bool:
        if file.text is None or file.truncated:
            return False
        return file.language in LANG_DIALECT or is_config_file(file.path)

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        if file.language not in LANG_DIALECT:  # a package manager's configuration file (pkgindex.py)
            return FileResult(findings=tuple(config_file_findings(file)))
        # Decoded payloads are analysed in place (Finding.decoded); they are not re-emitted as virtual
        # files because the blob decoder already hands encoded literals to the later engines. Inline
        # programs of interpreters (`python -c CODE`, `node -e CODE`) go to the code engines (bridge.py).
        assert file.text is not None
        ctx = CommandContext(path=file.path, line=1, column=1, channel=Channel.CODE, source="script")
        dialect = dialect_of(file.path, file.language)
        # the variables of a package file it sources (`. "$(dirname "$0")/env.sh"`: sourced.py)
        src = sourced_env(package, file) if dialect == "bash" and package.shared_values else None
        findings, inline = analyze_command_inline(file.text, ctx, capmap=load_capmap(self.capmap_path),
                                                  dialect=dialect, env=src.env if src is not None else None)
        if src is not None:
            findings = annotate(findings, src, file.text) + src.cuts
        findings += read_inline(package, file.path, inline, self.file_engines)
        return FileResult(findings=tuple(findings))


class ShellSurfaceAnalyzer:
    """Every command a host runs on the package's behalf (`package.surfaces`), channel manifest."""

    name = "shell-surfaces"
    reads_inline_programs = True

    def __init__(self, capmap_path: str | None = None, file_engines: Engines = no_engines) -> None:
        self.capmap_path = capmap_path
        self.file_engines = file_engines

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        capmap = load_capmap(self.capmap_path)
        out: list[Finding] = []
        for surface in package.surfaces:
            command = surface.command.strip() if surface.command else ""
            if not command or surface.kind == "bin":
                continue
            extra = dict(surface.extra)
            source = SURFACE_SOURCE.get(surface.kind, "hook")
            ctx = CommandContext(path=surface.path, line=max(1, surface.line), column=1, channel=Channel.MANIFEST,
                                 source=source)
            dialect = "powershell" if extra.get("shell", "").lower() in ("powershell", "pwsh") else "bash"
            found, inline = analyze_command_inline(command, ctx, capmap=capmap, dialect=dialect)
            out.extend(found)
            out.extend(read_inline(package, surface.path, inline, self.file_engines, Channel.MANIFEST))
        return out
