"""Package formats: one module per format holds its markers, its parser, what its manifest can declare
and how a suggested declaration is written in it. `FORMATS` is the explicit list, highest priority
first (the highest-priority format present in a directory wins; ties keep this order)."""

from __future__ import annotations

from skillscan.formats.agent_skill import AGENT_SKILL
from skillscan.formats.claude_plugin import CLAUDE_PLUGIN
from skillscan.formats.codex_skill import CODEX_SKILL
from skillscan.formats.cursor_rules import CURSOR_RULES
from skillscan.formats.dify_plugin import DIFY
from skillscan.formats.gemini_extension import GEMINI
from skillscan.formats.marketplace import MARKETPLACE
from skillscan.formats.mcp_server import MCP_SERVER
from skillscan.formats.mcpb import MCPB
from skillscan.formats.spec import TREE, FormatSpec, Parsed

_ALL = (AGENT_SKILL, CLAUDE_PLUGIN, CODEX_SKILL, CURSOR_RULES, DIFY, GEMINI, MARKETPLACE, MCP_SERVER, MCPB)
FORMATS: tuple[FormatSpec, ...] = tuple(sorted(_ALL, key=lambda s: -s.priority))
assert len({s.name for s in FORMATS}) == len(FORMATS), "a format name is listed twice"

__all__ = ["FORMATS", "TREE", "FormatSpec", "Parsed", "code_elsewhere", "declarable", "find", "formats", "named_only",
           "spec_for", "tool_only"]


def formats() -> tuple[FormatSpec, ...]:
    return FORMATS


def find(name: str) -> FormatSpec:
    for spec in FORMATS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def spec_for(fmt: str) -> FormatSpec | None:
    """The format a package belongs to, by the format name its parser gave it (agent-skill also yields
    openclaw-skill); None for generic packages."""
    for spec in FORMATS:
        if spec.name == fmt or fmt in spec.declarable:
            return spec
    return None


def declarable(fmt: str) -> frozenset[str]:
    """The capability kinds a package of this format (as the parser named it) has a field for."""
    for spec in FORMATS:
        if fmt in spec.declarable:
            return spec.declarable[fmt]
    return frozenset()


def named_only(fmt: str) -> frozenset[str]:
    """The kinds whose field in this format only lists named scopes (no way to declare `kind[*]`)."""
    for spec in FORMATS:
        if fmt in spec.named_only:
            return spec.named_only[fmt]
    return frozenset()


def tool_only(fmt: str) -> frozenset[str]:
    for spec in FORMATS:
        if fmt in spec.tool_only:
            return spec.tool_only[fmt]
    return frozenset()


def code_elsewhere(fmt: str) -> bool:
    """A package of this format (as the parser named it) points at code published elsewhere."""
    spec = spec_for(fmt)
    return spec is not None and spec.code_elsewhere
