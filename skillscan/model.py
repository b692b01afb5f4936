"""The data model shared by every stage: frozen dataclasses, no behaviour beyond formatting."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from skillscan.capabilities.fingerprint import fingerprint
from skillscan.capabilities.fingerprint import fingerprints as _fingerprints


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[str(text).strip().upper()]


class Confidence(IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        return cls[str(text).strip().upper()]


class RuleClass(StrEnum):
    MALICIOUS = "malicious"
    CAPABILITY = "capability"
    HYGIENE = "hygiene"


class Channel(StrEnum):
    """Where evidence came from, in decreasing confidence (REFERENCE §4.3)."""

    MANIFEST = "manifest"
    CODE = "code"
    INSTRUCTION = "instruction"
    METADATA = "metadata"


ROLES = ("code", "agent-instruction", "user-command", "reference", "quoted", "test-data", "hidden")
# who the cited text speaks to, when the analyser that found it did not say (skillscan.analyzers.roles
# refines instruction findings): code and manifests run; instructions and metadata reach the agent
_DEFAULT_ROLE = {"code": "code", "manifest": "code", "instruction": "agent-instruction",
                 "metadata": "agent-instruction"}


class Decision(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"allow": 0, "review": 1, "block": 2, "error": 3}[self.value]


_CAP_RE = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)*)(?:\[(?P<scope>.*)\])?$", re.DOTALL)


@dataclass(frozen=True, order=True, slots=True)
class Capability:
    """`kind[scope]` from the skillcap/v1 vocabulary; exactly one scope or none."""

    kind: str
    scope: str | None = None

    def __str__(self) -> str:
        return self.kind if self.scope is None else f"{self.kind}[{self.scope}]"

    @classmethod
    def parse(cls, text: str) -> Capability:
        match = _CAP_RE.match(text.strip())
        if not match:
            raise ValueError(f"not a capability: {text!r}")
        scope = match.group("scope")
        if scope is not None:
            scope = scope.strip()
            if "," in scope and not scope.startswith(("http", "ip:")):
                raise ValueError(f"a capability has exactly one scope: {text!r}")
            if scope == "":
                scope = None
        return cls(match.group("kind"), scope)

    @property
    def domain(self) -> str:
        return self.kind.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class RuleDocs:
    what: str
    why: str
    example: str
    remediation: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalog entry, whatever engine implements it. Ids are stable and kebab-case."""

    id: str
    title: str
    rule_class: RuleClass
    severity: Severity
    confidence: Confidence
    engine: str
    docs: RuleDocs
    capability: str | None = None
    cwe: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """1-based line and column; `path` is POSIX and relative to the package root."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class Carrier:
    """How one thing a flow's message names reached the cited line: `kind` (`host`, `variable` or `path`),
    `value` (the thing as the message names it), `name` (the variable, constant, property or import that carried
    it to the sink, "" when it is written in the sink's own statement), and `path`/`line` (where the value is
    written: for `host` the literal holding it, for `variable` the read of the environment variable, for
    `path` the literal of the file; `path` may be another file of the package when it was imported)."""

    kind: str
    value: str
    name: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class ModuleExport:
    """A value one JavaScript/TypeScript module of the package exports to the others (`export const API_URL = …`,
    `module.exports = {host: …}`, an exported function's single return): its folded `value` (None when not
    known), the `line` it is written on, the line of the literal holding its URL's host (`host_line`, 0 when
    none), and the credential variables it reads (`variables`: name and line) or the whole environment."""

    name: str
    line: int
    value: str | None = None
    host_line: int = 0
    variables: tuple[tuple[str, int], ...] = ()
    environment: int = 0  # the line of a read of the whole environment, 0 when none


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """What the other files of a package may import from one JS/TS module: its exports, or why it was not read
    (`cut`: a bound — module count or size — that the importing file's engine reports)."""

    exports: tuple[ModuleExport, ...] = ()
    cut: str = ""


@dataclass(frozen=True, slots=True)
class SharedFile:
    """What one Python module or data file of a package offers the package's other files (analyzers/
    shared_values.py): `names` — (constant name, the source text of its value as a Python literal, its line); a
    data file's whole content has the name "" — and `lines` — (a string inside those values, the line it is
    written on); or why it was not read (`cut`: a bound, which the engine that needs a value reports)."""

    names: tuple[tuple[str, str, int], ...] = ()
    cut: str = ""
    lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    """What a data-flow finding moves, and where. `source`: `environment` (every variable), `selection` (the
    variables whose names match the pattern terms in `names`: analyzers/envselect.py), `variables`
    (the ones in `names`), `file` (the content of the files in `names`) or `store` (a credential store
    of kind `names[0]`); `sink`: `network`, `subprocess`, `interpreter` or `exec`; for the network, `host`
    (None when not known) and `part` (`header`, `body` or `url`, None when not known); `service`: `same`
    when the variable's service owns the host, `other` when both are known and differ, else None;
    `carriers`: where each named thing (the host, each variable, each file) is written and which name carried
    it to the sink (`Carrier`)."""

    source: str
    names: tuple[str, ...] = ()
    sink: str = "network"
    host: str | None = None
    part: str | None = None
    service: str | None = None
    carriers: tuple[Carrier, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    message: str
    location: Location
    severity: Severity
    confidence: Confidence
    rule_class: RuleClass
    capabilities: tuple[Capability, ...] = ()
    channel: Channel = Channel.CODE
    related: tuple[Location, ...] = ()
    decoded: str | None = None
    engine: str = ""
    baselined: bool = False  # in the --baseline: kept out of the verdict, shown (as info) only when asked
    # one of ROLES; None computes the default from the channel (code → `code`, instruction → `agent-instruction`)
    role: str | None = None
    flow: Flow | None = None

    def __post_init__(self) -> None:
        if self.role is None:
            object.__setattr__(self, "role", _DEFAULT_ROLE[self.channel.value])
        elif self.role not in ROLES:
            raise ValueError(f"not a role: {self.role!r}")

    def fingerprint(self, occurrence: int = 0) -> str:
        """Content fingerprint: rule, package-relative path, normalised snippet, occurrence — never a line."""
        return fingerprint(self.rule_id, self.location.path, self.location.snippet, occurrence)


@dataclass(frozen=True, slots=True)
class Evidence:
    path: str
    line: int
    rule_id: str
    channel: Channel
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class InferredCapability:
    capability: Capability
    evidence: tuple[Evidence, ...]

    @property
    def confidence(self) -> Confidence:
        return max((e.confidence for e in self.evidence), default=Confidence.LOW)


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One file of a package, read and classified once. `text` is None for binaries."""

    path: str
    data: bytes
    size: int
    language: str
    is_binary: bool
    text: str | None = None
    executable: bool = False
    encoding: str = "utf-8"
    origin: str | None = None  # for virtual files: the path[:line] of the literal they were decoded from
    truncated: bool = False  # larger than the parse cap: only streamed engines see all of it
    # the trust context a virtual file inherits from where it was found (e.g. a code fence in a
    # reference document): the engine sets this channel on its findings and caps their confidence
    channel: Channel | None = None
    max_confidence: Confidence | None = None
    # a code fence whose lines lost a prefix (the `>>> ` of a REPL session): per line, the columns taken off
    shifts: tuple[int, ...] = ()

    @property
    def virtual(self) -> bool:
        return self.origin is not None


@dataclass(frozen=True, slots=True)
class Surface:
    """An execution surface the host runs on the package's behalf (hook, MCP server, install spec…)."""

    kind: str  # hook | mcp-server | lsp-server | install | load-time-command | monitor | bin | marketplace-source
    path: str
    command: str = ""
    event: str = ""
    matcher: str = ""
    url: str = ""
    gated: bool = False
    line: int = 1
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Package:
    input: str
    root: str
    format: str
    name: str
    files: tuple[PackageFile, ...] = ()
    version: str = ""
    sha256: str = ""
    manifest: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    manifest_path: str = ""
    surfaces: tuple[Surface, ...] = ()
    errors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # what was not fully analysed (caps), reported and at least `review`
    nested: tuple[str, ...] = ()  # nested package roots reported inside this one (plugin skills)
    # the loader's parse of each SKILL.md-style file's frontmatter (path -> formats' Frontmatter), read by permit
    frontmatter: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # files an instruction document tells the agent to follow (path -> the sentence saying so), found once
    # by the analyze stage (analyzers/instructions/follows.py) for the instructions engine and the roles;
    # None: not computed yet
    followed: Mapping[str, Location] | None = field(default=None, hash=False, compare=False)
    # the JS/TS modules other JS/TS files of the package import by a relative path, with what they export
    # (analyzers/js/modules.py; found once before the workers start); None: not computed yet
    js_modules: Mapping[str, ModuleFacts] | None = field(default=None, hash=False, compare=False)
    # the Python modules and data files other Python files of the package import or load, with the values they
    # offer (analyzers/shared_values.py; found once before the workers start); None: not computed yet
    shared_values: Mapping[str, SharedFile] | None = field(default=None, hash=False, compare=False)

    def file(self, path: str) -> PackageFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    reasons: tuple[str, ...] = ()
    risk_level: str = "low"
    declared: tuple[Capability, ...] = ()
    inferred: tuple[InferredCapability, ...] = ()
    undeclared: tuple[Capability, ...] = ()
    unused: tuple[Capability, ...] = ()
    combinations: tuple[str, ...] = ()
    disclosures: tuple[tuple[str, bool], ...] = ()
    suggested_declaration: tuple[tuple[str, str], ...] = ()  # (format, text)
    # the gate's own findings (undeclared-*, unused-*, combination-*, forbidden-*, capability-drift)
    findings: tuple[Finding, ...] = ()
    new_since_previous: tuple[Capability, ...] = ()  # drift, given the previous approved verdict
    suggested_paths: tuple[str, ...] = ()  # the manifest file each suggested_declaration entry belongs in


@dataclass(frozen=True, slots=True)
class PackageResult:
    package: Package
    findings: tuple[Finding, ...]
    verdict: Verdict
    errors: tuple[str, ...] = ()
    suppressed: int = 0  # inline `skillscan: ignore[...]` honoured (author mode)
    baselined: int = 0  # findings kept out by --baseline


@dataclass(frozen=True, slots=True)
class Report:
    results: tuple[PackageResult, ...]
    seconds: float = 0.0
    engines: tuple[tuple[str, str], ...] = ()
    rules_digest: str = ""


def fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """Stable fingerprints of one package's findings in order: repeated identical findings in one file
    get an occurrence index (skillscan.capabilities.fingerprint)."""
    return _fingerprints((f.rule_id, f.location.path, f.location.snippet) for f in findings)
