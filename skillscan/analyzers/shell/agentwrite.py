"""What a write into a host agent's directories is (issue 14, "own locations"): the shell analyser's
persistence rule (`rules/capabilities/shell.yaml`, mechanism `agent-config`) matches whole agent trees
(`~/.claude/skills/…`, `~/.openclaw/…`); `skillscan.purpose.locations` says which location a path is.

- `classify_write(dest, sources) -> AgentLocation`: a write or copy seen in one command. A copy of
  the package's own directory (`.`, `./`, `$PWD`, a package anchor such as `${CLAUDE_SKILL_DIR}`, the
  script's own directory) into a skills directory — under any entry name — installs the package
  itself; a placeholder entry (`<name>`, `$SKILL_NAME`) stands for the package; any other entry is
  another package's.
- `own_entries(package, findings) -> findings`: once the package's name is known, a write the command
  analysis left as "another package's entry" whose entry is the package's own name (or the name of its
  directory) is its own install or state: the persistence claim is dropped and the message says so.

The facts only: whether installing itself is acceptable is the decision's (policy*.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import PurePosixPath

from skillscan.analyzers.base import finding
from skillscan.model import Capability, Finding, Package
from skillscan.purpose.locations import AgentLocation, classify_agent_path, classify_copy

OWN_KINDS = frozenset({"own-install", "own-state"})
# the package's own directory as a copy source: `.`, `./`, `$PWD`, `$(pwd)`, the script's own directory
_OWN_DIR = re.compile(r"^(?:\.|\./|\$\{?PWD\}?|\$\(pwd\)|`pwd`|\$\{?(?:SCRIPT_DIR|SKILL_DIR|DIR|BASE_DIR|ROOT_DIR|"
                      r"HERE|SKILL_ROOT|PLUGIN_ROOT|CLAUDE_PLUGIN_ROOT|CLAUDE_SKILL_DIR)\}?|"
                      r"\"?\$\(\s*dirname\s+[^)]*\)\"?)/?(?:\.|\*)?$")
# persistence messages of the shell analyser name the written path after "writes "
_WRITES = re.compile(r"writes (\S+) — another package's entry \(([^)]*)\)[^;]*")


def _own_dir(source: str) -> bool:
    return bool(_OWN_DIR.match(source.strip().strip("\"'").rstrip("/") or "."))


def classify_write(dest: str, sources: Sequence[str] = (), package: str = "") -> AgentLocation:
    """The agent location a command writes: `dest`, or — for a copy into a directory — the entry the
    copy creates (named after its source)."""
    if sources and all(_own_dir(s) for s in sources):
        loc = classify_agent_path(dest, package)
        if loc.kind in ("skills-root", "other-skill", "own-install"):
            where = loc.reason.removesuffix(" itself")
            if loc.kind == "other-skill":
                where = where.split(" in ", 1)[-1]
            return AgentLocation("own-install", f"the package's own install location in {where} (a copy of the "
                                 "package's own directory)", loc.agent, loc.label, loc.scope, loc.path, loc.entry)
    if len(sources) == 1:
        return classify_copy(sources[0], dest, package)
    return classify_agent_path(dest, package)


def _scope_of(caps: Iterable[Capability], kind: str) -> list[str]:
    return [c.scope for c in caps if c.kind == kind and c.scope]


def own_entries(package: Package, findings: list[Finding]) -> list[Finding]:
    """Findings that claim another package's entry in an agent directory, re-read with the package's
    name: an entry named after the package is its own install or state (no persistence claim)."""
    names = tuple(n for n in (package.name, PurePosixPath(package.root or "").name) if n)
    if not names:
        return findings
    out = []
    for f in findings:
        entries = _scope_of(f.capabilities, "agent.config.write")
        written = _scope_of(f.capabilities, "fs.write")
        if not entries or not written or "another package's entry" not in f.message:
            out.append(f)
            continue
        # a copy into a skills directory itself writes the entry named after its source
        paths = [*written, *(w.rstrip("/") + "/" + e for w in written for e in entries)]
        own = [(p, classify_agent_path(p, names[0], own_names=names[1:])) for p in paths]
        own = [(p, loc) for p, loc in own if loc.kind in OWN_KINDS]
        if not own:
            out.append(f)
            continue
        reason = own[0][1].reason
        caps = tuple(c for c in f.capabilities
                     if not (c.kind == "agent.config.write" or (c.kind == "persist" and c.scope == "agent-config")))
        message = _WRITES.sub(lambda m, why=reason: f"writes {m.group(1)} — {why}", f.message)
        if f.rule_id == "shell-persistence":  # no longer a persistence claim: a file write, as the rule says
            loc = f.location
            g = finding("shell-file-write", message, loc.path, loc.line, loc.column, snippet=loc.snippet,
                        capabilities=caps, channel=f.channel, confidence=f.confidence, related=f.related,
                        decoded=f.decoded, end_line=loc.end_line, end_column=loc.end_column)
            out.append(replace(g, role=f.role, engine=f.engine))
        else:
            out.append(replace(f, capabilities=caps, message=message))
    return out
