"""Roles for the decide stage: who the text behind each finding speaks to, and which roles can block.

`with_roles(package, findings) -> list[Finding]` gives every finding still at its channel's default
role (model.Finding) the role document structure assigns to its line (skillscan.analyzers.roles):
a YARA hit inside a fenced example of a security guide is `reference`, a hit in a test file is
`test-data`. A finding an analyser gave a role keeps it. A file an instruction file tells the agent
to read and follow is an instruction wherever it lives (`referenced="follow"`), so moving a payload
into references/ does not change its role. A decoded payload (a virtual file) takes the role of the
line of its host file it was decoded from.

`CONTEXT_ROLES`: roles that are context, not behaviour — they never block by themselves; the policy's
`any_role_rules` (malice indicators) are judged the same in every role. `hidden` text is an agent
instruction under raised suspicion: it blocks like one."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from skillscan.analyzers.roles import DocumentRoles, file_role, load_vocab
from skillscan.analyzers.roles_share import roles_of
from skillscan.model import Evidence, Finding, Package, PackageFile, RuleClass

CONTEXT_ROLES = frozenset({"reference", "quoted", "test-data", "user-command"})
_DEFAULTS = {"code": "code", "manifest": "code", "instruction": "agent-instruction", "metadata": "agent-instruction"}
_FOLLOW = re.compile(r"\b(?:read|follow|load|apply|obey|execute|run|use)\b|必须|阅读|遵循|执行", re.IGNORECASE)
_ORIGIN = re.compile(r"^(?P<path>.*?)(?::(?P<line>\d+))?$")


def _entry_texts(package: Package) -> list[str]:
    out = []
    for f in package.files:
        if f.text is None or f.virtual:
            continue
        role, _, _ = file_role(f.path)
        if role == "agent-instruction":
            out.append(f.text)
    return out


def _referenced(path: str, entries: Sequence[str]) -> str | None:
    """`follow` when an instruction file names the path on a line that tells the agent to read, follow,
    load or run it; else None (derived from the path)."""
    for text in entries:
        start = text.find(path)
        while start >= 0:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            if _FOLLOW.search(text[line_start:line_end if line_end >= 0 else len(text)]):
                return "follow"
            start = text.find(path, start + len(path))
    return None


def _host(package: Package, f: PackageFile, line: int) -> tuple[PackageFile | None, int]:
    """A virtual file's host file and line (the literal it was decoded from), else the file itself."""
    seen = 0
    while f is not None and f.virtual and seen < 8:
        m = _ORIGIN.match(f.origin or "")
        host = package.file(m.group("path")) if m else None
        if host is None:
            return None, line
        line = int(m.group("line")) if m and m.group("line") else 1
        f, seen = host, seen + 1
    return f, line


_PROSE = (".md", ".mdc", ".markdown", ".txt", ".rst")


def _structured(path: str) -> bool:
    """Files whose roles document structure decides: prose documents, and code and test files by their
    place. Manifests and other data (an MCP tool description reaches the agent) keep the channel's role."""
    return path.lower().endswith(_PROSE) or file_role(path)[0] in ("code", "test-data")


def _test_code(package: Package, path: str, entries: Sequence[str]) -> bool:
    """A code file under a test or fixture directory that nothing runs on the package's behalf: no
    execution surface names it and no instruction file tells the agent to run it."""
    dirs = {d.lower() for d in path.split("/")[:-1]}
    if not dirs & load_vocab().test_dirs:
        return False
    name = path.rsplit("/", 1)[-1]
    if any(name in f"{s.command} {s.path}" for s in package.surfaces):
        return False
    return _referenced(path, entries) is None


def with_roles(package: Package, findings: Iterable[Finding]) -> list[Finding]:
    cache: dict[str, DocumentRoles | None] = {}
    entries: list[str] | None = None
    out = []
    for fd in findings:
        if fd.role != _DEFAULTS[fd.channel.value]:
            out.append(fd)
            continue
        pf = package.file(fd.location.path)
        host, line = _host(package, pf, fd.location.line) if pf is not None else (None, 1)
        if host is None or host.text is None or not _structured(host.path):
            out.append(fd)
            continue
        if host.path not in cache:
            if entries is None:
                entries = _entry_texts(package)
            base, _, _ = file_role(host.path)
            referenced = None if base in ("code", "test-data", "agent-instruction") else _referenced(host.path, entries)
            if base == "code" and _test_code(package, host.path, entries):
                cache[host.path] = None
            else:
                cache[host.path] = roles_of(host.path, host.text, referenced)  # often known from the workers
        roles = cache[host.path]
        region = roles.region_at(line) if roles is not None else None
        role = (region.role if region else roles.base) if roles is not None else "test-data"
        if region is not None and region.negated:
            role = fd.role  # a prohibition the agent obeys is still told to it: negation does not change a verdict
        elif role == "quoted" and roles is not None and roles.base == "agent-instruction" and \
                fd.rule_class is RuleClass.MALICIOUS:
            role = fd.role  # quoting or fencing a payload inside an instruction file does not change its verdict
        # a manifest's own fields are configuration the host runs, whatever the file's prose role
        if fd.channel.value == "manifest" or role == fd.role:
            out.append(fd)
            continue
        out.append(dataclasses.replace(fd, role=role))
    return out


def roles_by_evidence(findings: Iterable[Finding]) -> dict[tuple[str, int, str], str]:
    """(path, line, rule id) → the role of the finding there (the most behavioural one when several)."""
    out: dict[tuple[str, int, str], str] = {}
    for f in findings:
        key = (f.location.path, f.location.line, f.rule_id)
        if key not in out or out[key] in CONTEXT_ROLES:
            out[key] = f.role or ""
    return out


def context_only(evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> bool:
    """True when every piece of evidence is context (reference, quoted, test data, a user command):
    nothing that runs or that the agent is told to do exercises the capability."""
    found = [roles.get((e.path, e.line, e.rule_id)) for e in evidence]
    return bool(found) and all(r in CONTEXT_ROLES for r in found)
