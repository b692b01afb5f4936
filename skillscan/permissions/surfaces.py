"""What an execution surface declares (DESIGN.md "Permit and decide"): a hook, MCP command, install
spec, `!` block or bin/ entry declares only itself — `agent.hook[event]` or `proc.exec[argv0]` — never
what its command goes on to do."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

from skillscan.capabilities import commands
from skillscan.capabilities.grammar import normalize, normalize_host
from skillscan.formats.declare import strings
from skillscan.model import Capability, Surface


@lru_cache(maxsize=4096)
def argv0(command: str) -> str:
    """The program a command line runs (capabilities/commands.program)."""
    return commands.program(command)


def surface_capabilities(s: Surface) -> list[Capability]:
    caps: list[Capability] = []
    extra = dict(s.extra)
    if s.kind == "hook":
        caps.append(Capability("agent.hook", s.event or "*"))
        htype = extra.get("type", "command")
        if htype == "http" and s.url:
            caps.append(Capability("net.egress", normalize_host(s.url)))
            for name in strings(extra.get("allowedEnvVars", "")):
                caps.append(Capability("env.read", name))
        elif htype == "mcp_tool":
            caps.append(Capability("agent.tool", f"mcp:{extra.get('server', '*')}/{extra.get('tool', '*')}"))
    elif s.kind == "monitor":
        caps.append(Capability("proc.daemon"))
    elif s.kind == "bin":
        caps.append(Capability("proc.exec", PurePosixPath(s.path).name))
    elif s.kind == "install":
        if s.url:
            caps.append(Capability("net.egress", normalize_host(s.url)))
            caps.append(Capability("pkg.install", f"url:{s.url}"))
        elif s.command:
            # an install spec that names a URL declares installing (running) that URL's code
            for word in s.command.split():
                w = word.strip("'\"")
                if re.match(r"^(?:git\+)?https?://", w):
                    caps.append(Capability("pkg.install", f"url:{w}"))
                    caps.append(Capability("code.remote", w.removeprefix("git+")))
            prog = argv0(s.command)
            eco = {"pip": "pypi", "uv": "pypi", "npm": "npm", "pnpm": "npm", "yarn": "npm", "bun": "npm", "brew": "brew",
                   "go": "go", "cargo": "cargo", "gem": "gem"}.get(prog)
            if eco:
                caps.append(Capability("pkg.install", f"{eco}:*"))
    if s.kind in ("mcp-server", "lsp-server", "marketplace-source") and s.url and not s.command:
        caps.append(Capability("net.egress", normalize_host(s.url)) if "://" in s.url else Capability(
            "agent.tool", f"mcp:{extra.get('server', s.url)}/*"))
    if s.kind in ("mcp-server", "lsp-server") and s.url and s.command and extra.get("role") != "headersHelper":
        caps.append(Capability("net.egress", normalize_host(s.url)))
    if s.command and s.kind != "bin":
        prog = argv0(s.command)
        if prog and not prog.startswith("$"):
            caps.append(Capability("proc.exec", prog))
    return [normalize(c) for c in caps]
