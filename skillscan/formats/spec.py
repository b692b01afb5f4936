"""What a package format is: the marker files that make a directory its root, a parser that turns the
package's files into a typed manifest and execution surfaces, and which capability kinds its manifest
can declare, how its manifest declares them (`declare`) and how a suggested declaration is written in it
(`write_suggestion`). Each format module under skillscan/formats/ builds one `FormatSpec`; the list of formats
is the explicit tuple in `skillscan.formats`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from skillscan.formats.declare import FieldNote, Fields
from skillscan.formats.emit import Suggestion
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface


@dataclass(frozen=True)
class Parsed:
    name: str
    format: str
    version: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_path: str = ""
    surfaces: tuple[Surface, ...] = ()
    errors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # parts the parser knows were not scanned (e.g. remote marketplace sources)


Parser = Callable[[str, tuple[PackageFile, ...]], Parsed]
Probe = Callable[[PackageFile], bool]
# Adds what the package's manifest declares (read from what the loader parsed and recorded on the Package).
Reader = Callable[[Fields, Package], None]
# Risky fields of the package's manifest (given the manifest file's text) for the manifest analyzer to report.
Notes = Callable[[Package, str | None], list[FieldNote]]
# The needed capabilities written in the format: its suggestions, and the capabilities it has no field for
# (these go to the generic block).
Writer = Callable[[Sequence[Capability], Package, Sequence[InferredCapability]],
                  tuple[tuple[Suggestion, ...], list[Capability]]]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    markers: tuple[str, ...]  # paths relative to a candidate root (the last part may be a glob); any one marks it
    parse: Parser
    priority: int = 0  # the highest-priority format present in a directory wins
    owns_nested: bool = False  # packages found below this root are reported inside it
    probe: Probe | None = None  # for generic marker names (manifest.json): does this file really mark the format?
    # Per format name the parser produces (agent-skill also yields openclaw-skill): the capability kinds its
    # manifest has a field for (DESIGN: an uncovered tier-2 capability of a kind the format cannot declare
    # is hygiene) ...
    declarable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # ... and the kinds its fields can grant to the agent's tools but not to what a bundled script does
    # inside itself (evidence seen only in code is then of a kind the format cannot declare).
    tool_only: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # ... and the kinds whose field only names scopes (a list of hosts): an unscoped capability of such a
    # kind (`net.egress[*]`, a host the user configures at run time) has no field to declare it.
    named_only: Mapping[str, frozenset[str]] = field(default_factory=dict)
    declare: Reader | None = None  # the manifest's own fields (SKILL.md frontmatter is read for every package)
    write_suggestion: Writer | None = None  # None: everything goes to the generic block
    field_notes: Notes | None = None
    # The package only points at code published elsewhere (an MCP registry entry names a package on npm or
    # PyPI): what its manifest grants cannot be judged unused from the files scanned.
    code_elsewhere: bool = False
    # The main manifest is a SKILL.md: its frontmatter's name and description are checked as a skill's.
    skill_md_manifest: bool = False
    # The manifest names the package, and the directory it ships in is expected to carry that name.
    names_itself: bool = False


# SKILL.md-based formats all accept `allowed-tools`.
SKILL_KINDS = frozenset({"proc.exec", "proc.shell", "fs.read", "fs.write", "fs.delete", "net.egress", "agent.tool",
                         "input.untrusted"})
# `allowed-tools` governs what the agent does with its tools (WebFetch, Read, Edit, Bash(x)); it has no
# way to say what a bundled script does inside itself.
SKILL_TOOL_ONLY = frozenset({"net.egress", "fs.read", "fs.write", "fs.delete", "proc.exec", "proc.shell"})

# While a tree is split into packages: (this package's root inside the tree, every path of the tree). Lets a
# parser tell whether a reference that leaves its own root (a marketplace entry's source) was scanned too.
TREE: ContextVar[tuple[str, frozenset[str]]] = ContextVar("skillscan_tree", default=("", frozenset()))
