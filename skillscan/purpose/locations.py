"""The host agents' own locations (`rules/capabilities/agent_locations.yaml`) and a classifier.

`classify_agent_path(path, package_name, *, own_names=()) -> AgentLocation` tells what a path a
package reads or writes is, from the agent's point of view. `AgentLocation` (frozen) has:
- `kind`, one of `KINDS`:
  - `own-install`: inside the package's own directory — a skills directory entry named after the
    package (or a placeholder such as `<name>`, `{skill}`, `$SKILL_NAME` standing for it), or a
    path under a package anchor (`${CLAUDE_PLUGIN_ROOT}`, `{baseDir}`, `${extensionPath}`, …);
  - `own-state`: the package's own state/config — its per-package data directory
    (`${CLAUDE_PLUGIN_DATA}`, `~/.claude/plugins/data/<name>`, `~/.openclaw/tools/<name>`), or a
    config/state directory named after the package or one of `own_names` (its service, its CLI):
    `~/.config/<name>`, `~/.<name>`, `~/.<name>rc`, `~/Library/Application Support/<name>`, …;
  - `skills-root`: a skills or data directory itself (what lands there depends on what is copied);
  - `other-skill`: another package's entry in a skills or data directory (or all of them, `*`);
  - `agent-config`: the agent's settings, permission/approval, hook or MCP configuration;
  - `agent-memory`: instruction and memory files loaded into every session (CLAUDE.md, AGENTS.md…);
  - `agent-credentials`: the agent's own login tokens;
  - `none`: not an agent location.
- `agent` (id, e.g. `claude-code`) and `label` ("Claude Code"), `scope` (`user` for home paths,
  `project` for project-relative ones, `system`, or ""), `path` (the normalised path), `entry` (the
  skills-directory entry or state-directory name concerned, or ""), and `reason`: a noun phrase that
  is true of the path ("another package's entry (web-search) in the Claude Code skills directory").

`history_of(path) -> str` names the agent whose record of the user's conversations (prompt history,
session transcripts) the path is — "Claude Code" for `~/.claude/history.jsonl` — or "" for none. It is
asked apart from `classify_agent_path`: reading a transcript is neither an install nor a configuration.

`classify_copy(source, dest, package_name)` answers the same for a copy into a directory: into a
skills directory itself, the entry is named after the source (`cp -r . ~/.claude/skills/` or
`cp -r weather ~/.openclaw/skills` installs the package itself; `cp -r other-skill …` does not).

Paths may be written with `~`, `$HOME`, `${HOME}`, `%USERPROFILE%`, absolute home directories,
backslashes, `./`, or as globs (see `skillscan.purpose.paths`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.purpose.paths import glob_match, glob_regex, normalize_path

KINDS = ("own-install", "own-state", "skills-root", "other-skill", "agent-config", "agent-memory",
         "agent-credentials", "none")
_PLACEHOLDER = re.compile(r"^(?:<[^<>/]+>|\{[^{}/]+\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%|\[[^\]/]+\])$")
_GLOB = re.compile(r"[*?]")


@dataclass(frozen=True)
class AgentLocation:
    kind: str
    reason: str
    agent: str = ""
    label: str = ""
    scope: str = ""
    path: str = ""
    entry: str = ""


@dataclass(frozen=True)
class AgentSpec:
    id: str
    label: str
    skills: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    memory: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocationTable:
    agents: tuple[AgentSpec, ...]
    package_anchors: tuple[str, ...]
    data_anchors: tuple[str, ...]
    state_dirs: tuple[str, ...]


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("agent locations: expected a list of strings")
    return tuple(value)


def build_locations(data: Any) -> LocationTable:
    if not isinstance(data, dict) or not isinstance(data.get("agents"), dict):
        raise ValueError("agent locations: expected a mapping with `agents`")
    agents = tuple(AgentSpec(str(aid), str(a.get("label", aid)), _strs(a.get("skills")), _strs(a.get("data")),
                             _strs(a.get("settings")), _strs(a.get("memory")), _strs(a.get("credentials")),
                             _strs(a.get("history")))
                   for aid, a in data["agents"].items())
    return LocationTable(agents, _strs(data.get("package_anchors")), _strs(data.get("data_anchors")),
                         _strs(data.get("state_dirs")))


@lru_cache(maxsize=2)
def load_locations(path: str | None = None) -> LocationTable:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    return build_locations(load_yaml_file(Path(path) if path else rules_dir() / "capabilities" /
                                          "agent_locations.yaml"))


def _scope(pattern: str) -> str:
    if pattern.startswith("~"):
        return "user"
    if pattern.startswith(("/", "**/")):
        return "system" if pattern.startswith("/") else ""
    return "project"


def _anchored(pattern: str) -> str:
    """Project-relative patterns match at any depth (the project root is anywhere)."""
    pat = normalize_path(pattern)
    return pat if pat.startswith(("~", "/", "**/")) else "**/" + pat


@lru_cache(maxsize=256)
def _dir_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(glob_regex(_anchored(pattern)) + r"(?:/(?P<rest>.*))?\Z")


def _norm_name(name: str) -> str:
    base = name.strip().rsplit("/", 1)[-1].lower()
    for ext in (".md", ".toml", ".json", ".yaml", ".yml", ".mdc"):
        base = base.removesuffix(ext)
    return base.replace("_", "-").replace(" ", "-")


def _matches_name(entry: str, names: frozenset[str]) -> bool:
    return _norm_name(entry) in names


def _in_anchor(path: str, anchors: Iterable[str]) -> bool:
    for anchor in anchors:
        a = anchor.replace("\\", "/")
        if path == a or path.startswith(a + "/"):
            return True
    return False


def _entry_location(kind_dir: str, spec: AgentSpec, pattern: str, rest: str | None, path: str,
                    names: frozenset[str]) -> AgentLocation:
    where = f"{spec.label}'s {kind_dir} directory {normalize_path(pattern)}"
    scope = _scope(pattern)
    if not rest:
        return AgentLocation("skills-root", f"{where} itself", spec.id, spec.label, scope, path)
    entry = rest.split("/", 1)[0]
    if _matches_name(entry, names):
        if kind_dir == "skills":
            return AgentLocation("own-install", f"the package's own install location in {where}", spec.id,
                                 spec.label, scope, path, entry)
        return AgentLocation("own-state", f"the package's own data directory in {where}", spec.id, spec.label,
                             scope, path, entry)
    if _PLACEHOLDER.match(entry):
        if kind_dir == "skills":
            return AgentLocation("own-install", f"the package's own install location in {where} (written with "
                                 f"the placeholder {entry})", spec.id, spec.label, scope, path, entry)
        return AgentLocation("own-state", f"the package's own data directory in {where} (written with the "
                             f"placeholder {entry})", spec.id, spec.label, scope, path, entry)
    if _GLOB.search(entry):
        return AgentLocation("other-skill", f"every package's entry in {where}", spec.id, spec.label, scope,
                             path, entry)
    return AgentLocation("other-skill", f"another package's entry ({entry}) in {where}", spec.id, spec.label,
                         scope, path, entry)


def _own_state_dir(path: str, state_dirs: Iterable[str], names: frozenset[str]) -> str:
    for base in state_dirs:
        b = normalize_path(base)
        if b == "~":
            m = re.match(r"~/\.([^/]+)", path)
            if m:
                first = m.group(1)
                stem = re.sub(r"(?:rc|\.(?:json|ya?ml|toml|ini|conf|cfg|env))$", "", first)
                if _norm_name(first) in names or _norm_name(stem) in names:
                    return "~/." + first
            continue
        if path.startswith(b + "/"):
            first = path[len(b) + 1:].split("/", 1)[0]
            if _norm_name(first) in names or _norm_name(first.lstrip(".")) in names:
                return f"{b}/{first}"
    return ""


# credentials and settings are exact files: checked before the skills directories that may contain
# them; memory files (CLAUDE.md anywhere) after, so a package's own copy inside its install location
# stays its own.
_FIRST = (("agent-credentials", "credentials", "{label}'s own login credentials"),
          ("agent-config", "settings", "{label} settings, permissions, hooks or MCP configuration"))
_LAST = (("agent-memory", "memory", "an instruction or memory file loaded into every {label} session"),)


def _agent_file(p: str, table: LocationTable, kinds: tuple[tuple[str, str, str], ...]) -> AgentLocation | None:
    for kind, attr, what in kinds:
        for spec in table.agents:
            for pattern in getattr(spec, attr):
                if glob_match(_anchored(pattern), p):
                    return AgentLocation(kind, what.format(label=spec.label), spec.id, spec.label, _scope(pattern), p)
    return None


def classify_agent_path(path: str, package_name: str, *, own_names: Iterable[str] = (),
                        table: LocationTable | None = None) -> AgentLocation:
    table = table or load_locations()
    p = normalize_path(path)
    names = frozenset(n for n in (_norm_name(x) for x in (package_name, *own_names)) if n)
    if _in_anchor(p, table.package_anchors):
        return AgentLocation("own-install", "inside the package's own directory", path=p)
    if _in_anchor(p, table.data_anchors):
        return AgentLocation("own-state", "inside the package's own data directory", path=p)
    found = _agent_file(p, table, _FIRST)
    if found:
        return found
    for spec in table.agents:
        for kind_dir, dirs in (("skills", spec.skills), ("data", spec.data)):
            for pattern in dirs:
                m = _dir_regex(pattern).match(p)
                if m:
                    return _entry_location(kind_dir, spec, pattern, m.group("rest"), p, names)
    found = _agent_file(p, table, _LAST)
    if found:
        return found
    own = _own_state_dir(p, table.state_dirs, names)
    if own:
        return AgentLocation("own-state", f"the package's own state or config directory ({own})", path=p,
                             entry=own)
    return AgentLocation("none", "not a location of any host agent", path=p)


def history_of(path: str, table: LocationTable | None = None) -> str:
    """The label of the agent whose conversation record (prompt history, session transcripts) `path` is,
    or "" when it is none."""
    table = table or load_locations()
    p = normalize_path(path).rstrip("/")  # a directory written with its slash
    for spec in table.agents:
        if any(glob_match(_anchored(pattern), p) for pattern in spec.history):
            return spec.label
    return ""


def classify_copy(source: str, dest: str, package_name: str, *, own_names: Iterable[str] = (),
                  table: LocationTable | None = None) -> AgentLocation:
    """Where a copy or move (`cp -r SRC DEST`, `ln -s SRC DEST`, `rsync SRC DEST`) puts something.
    Into a skills directory itself, the entry created is named after the source: the package's own
    directory (`.`, `./`, a package anchor, or a path whose last part is the package's name) makes it
    the package's own install location; anything else is another package's entry."""
    loc = classify_agent_path(dest, package_name, own_names=own_names, table=table)
    if loc.kind != "skills-root":
        return loc
    table = table or load_locations()
    src = normalize_path(source).rstrip("/")
    names = frozenset(n for n in (_norm_name(x) for x in (package_name, *own_names)) if n)
    last = src.rsplit("/", 1)[-1] if src not in ("", ".") else "."
    where = loc.reason.removesuffix(" itself")
    if last in (".", "..") or src in {a.replace("\\", "/").rstrip("/") for a in table.package_anchors}:
        return AgentLocation("own-install", f"the package's own install location in {where} (a copy of the "
                             "package's own directory)", loc.agent, loc.label, loc.scope, loc.path, last)
    if _matches_name(last, names) or _PLACEHOLDER.match(last):
        return AgentLocation("own-install", f"the package's own install location in {where}", loc.agent, loc.label,
                             loc.scope, loc.path, last)
    return AgentLocation("other-skill", f"another package's entry ({last}) in {where}", loc.agent, loc.label,
                         loc.scope, loc.path, last)
