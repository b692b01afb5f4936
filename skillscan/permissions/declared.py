"""Declared capabilities (REFERENCE §4.4): every manifest field of every format that grants or
discloses a capability, mapped onto skillcap/v1. What each format's fields declare is the format's own
knowledge (`FormatSpec.declare` in skillscan/formats/<format>.py, and the SKILL.md frontmatter reader of
formats/agent_skill for every package), read from what the loader parsed and recorded on the Package.
This module gathers them, adds what execution surfaces declare, and applies the negatives. An
execution surface (hook, MCP command, install spec, `!` block, bin/ entry) declares only itself —
`agent.hook[event]` or `proc.exec[argv0]` — never what its command goes on to do (DESIGN.md "Permit
and decide")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from skillscan.capabilities.grammar import TOP, covers, normalize
from skillscan.formats import declarable, named_only, spec_for, tool_only
from skillscan.formats.agent_skill import declare_frontmatter
from skillscan.formats.declare import Declaration, Fields
from skillscan.catalog import get_catalog
from skillscan.model import Capability, Channel, Confidence, Evidence, Package
from skillscan.permissions.surfaces import surface_capabilities

__all__ = ["Declaration", "Declared", "declared_capabilities", "declaring_channels"]

# engines that read a program (Python, JavaScript): what they find is what the program does inside itself
SCRIPT_ENGINES = frozenset({"python", "semgrep", "js-decode"})


def declaring_channels(evidence: Iterable[Evidence], min_confidence: Confidence) -> frozenset[str]:
    """The channels a declaration would have to cover, for the evidence at or above a confidence. A
    Python or JavaScript program shown in an instruction's fenced block is a script the agent runs (with
    `python`, `node`): what the program does inside itself is code, which a tool-level field such as
    `allowed-tools` cannot name — only the program it runs (`Bash(python:*)`)."""
    catalog = get_catalog()
    out: set[str] = set()
    for e in evidence:
        if e.confidence < min_confidence:
            continue
        script = e.channel is Channel.INSTRUCTION and e.rule_id in catalog and \
            catalog.rule(e.rule_id).engine in SCRIPT_ENGINES
        out.add(Channel.CODE.value if script else e.channel.value)
    return frozenset(out)


@dataclass(frozen=True)
class Declared:
    declarations: tuple[Declaration, ...]
    negatives: tuple[Capability, ...]
    declarable: frozenset[str]

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(d.capability for d in self.declarations)

    def has_field(self, kind: str, fmt: str, channels: Iterable[str], scope: str | None = None) -> bool:
        """Could the package's format declare this kind, for evidence seen in these channels? An unscoped
        `kind[*]` has no field where the format's field only names scopes (dify `network.domains`)."""
        if kind not in self.declarable or (scope == "*" and kind in named_only(fmt)):
            return False
        chans = set(channels)
        return not (kind in tool_only(fmt) and chans and chans <= {"code"})


def declared_capabilities(package: Package) -> Declared:
    out = Fields()
    if package.frontmatter:
        texts: dict[str, str] = {}
        for f in package.files:
            if f.text is not None:
                texts.setdefault(f.path, f.text)
        for path, fm in package.frontmatter.items():
            declare_frontmatter(out, path, texts.get(path, ""), fm)
    spec = spec_for(package.format)
    if spec is not None and spec.declare is not None:
        try:
            spec.declare(out, package)
        except (TypeError, AttributeError, ValueError):  # hostile manifest shapes never crash the gate
            pass
    for s in package.surfaces:
        for c in surface_capabilities(s):
            out.add(c, "surface", s.path, s.line, f"surface:{s.kind}")
    negatives = tuple(sorted({normalize(n) for n in out.negatives}, key=str))
    kept = [d for d in out.items if not any(_neg_covers(n, d.capability) for n in negatives)]
    uniq: dict[tuple[str, str], Declaration] = {}
    for d in sorted(kept, key=lambda d: (str(d.capability), d.source != "grant", d.path, d.line)):
        uniq.setdefault((str(d.capability), d.source), d)
    return Declared(tuple(uniq.values()), negatives, declarable(package.format))


def _neg_covers(neg: Capability, cap: Capability) -> bool:
    if neg == TOP:
        return cap == TOP
    return covers(neg, cap)
