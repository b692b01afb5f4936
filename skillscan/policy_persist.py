"""Rule 2 of the presets for persistence and tunnels (DESIGN.md "Permit and decide"): a forbidden
capability blocks when it is hidden, incoherent with the purpose or pointed at an outside endpoint;
disclosed and on the user's request it is review.

- `disclosed_on_request(...)`: the sentence saying why a forbidden persistence or tunnel is review —
  the skill's stated purpose is managing that mechanism (a crontab manager, a hook installer, a
  shell-setup skill: the words of the policy's forbidden entry, `purpose:`, found in the name and
  description of the skill the evidence belongs to), every behavioural mention is open text of a file
  the agent reads as its instructions (not hidden, not decoded from an encoded blob) or a script those
  instructions name (a zshrc helper's `scripts/add_line.py`), and the step it belongs to — for a
  script, its whole text — runs no remote code and names no outside endpoint (a public IP, a throwaway
  sink, or a host the stated purpose does not explain). Else None: the capability blocks.
- `remote_persistence(inferred)`: a persistence mechanism (a cron entry, a shell start-up file, a
  service unit, a load-time agent hook) whose own line runs remote code — whatever the URL serves is
  run again at every session, login or schedule: persistence of remote code, blocked whatever the
  purpose says (rule 1).
- `own_server(...)`: an MCP client's server list (`.mcp.json`, `claude_desktop_config.json`, …) that the
  instructions write with the package's own server only — the JSON of the step names one server, called
  like the package, whose https URL (if any) is on a host the stated purpose explains or the same file
  documents in its prose (where the user gets the service's key), and nothing else (no
  hooks, permissions or approvals): the package installing itself, as a skill copied into its skills
  directory is (issue 14), not a rewrite of the host agent's permissions, hooks or approvals."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

from skillscan.capabilities.grammar import LOAD_EVENTS
from skillscan.capabilities.tiers import is_local_host
from skillscan.capabilities.urls import url_hosts
from skillscan.model import Capability, Confidence, Evidence, Finding, InferredCapability, Package
from skillscan.policy_download import stated_text
from skillscan.policy_practice import any_role_endpoint, file_lines
from skillscan.policy_roles import CONTEXT_ROLES, RoleMap
from skillscan.purpose.coherence import judge_host
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table
from skillscan.purpose.stated import StatedPurpose

RULE_IDS: tuple[str, ...] = ("persistent-remote-code",)

_ENCODED = ("#decoded-", "#blob-")  # virtual files decoded from an encoded literal or blob
_FENCE = re.compile(r"^\s*(```|~~~)")
SINKS = ("raw-ip", "paste", "tunnel", "request-catcher", "file-drop", "file-hosting", "free-hosting", "url-shortener")
MAX_STEP = 200  # lines of a fenced step looked at after the evidence line
MAX_EVIDENCE = 32


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for w in words:
        esc = re.escape(w.lower()).replace(r"\ ", r"[\s_-]+")
        parts.append(esc if re.search(r"[\u3000-\u9fff]", w) else rf"(?<![a-z0-9]){esc}(?![a-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def stated_mechanism(package: Package, path: str, words: Sequence[str]) -> str | None:
    """The word of the stated purpose (name and description of the skill `path` belongs to) that says the
    skill manages this mechanism, or None."""
    pat = _pattern(tuple(words))
    if pat is None:
        return None
    m = pat.search(stated_text(package, path, lower=False).replace("_", " ").replace("-", " "))
    return m.group(0) if m else None


def step_lines(package: Package, path: str, line: int) -> tuple[int, int, bool]:
    """The lines of the step an evidence line belongs to: the line itself, and when it sits in a fence,
    the rest of that fence (a heredoc or a config body written by the command on the line) — and whether
    the fence goes on past the MAX_STEP lines read."""
    lines = file_lines(package, path)
    if not 0 < line <= len(lines):
        return line, line, False
    opened = sum(1 for x in lines[: line - 1] if _FENCE.match(x)) % 2 == 1
    if not opened:
        return line, line, False
    end = line
    while end < len(lines) and end - line < MAX_STEP and not _FENCE.match(lines[end]):
        end += 1
    return line, end, end < len(lines) and not _FENCE.match(lines[end])


def _outside_host(text: str, purpose: StatedPurpose) -> str | None:
    table = load_table()
    for _, host in url_hosts(text):
        if not host or is_local_host(host) or host_info(host).kind in ("single-label", "invalid", "loopback"):
            continue
        if judge_host(host, purpose, table).status != "explained":
            return host
    return None


def _why_not_open(package: Package, ic: InferredCapability, roles: RoleMap, findings: Sequence[Finding],
                  inferred: Sequence[InferredCapability], purpose: StatedPurpose) -> str | None:
    """Why the capability is not exercised in the open on a step free of outside endpoints; None when it is."""
    if len(ic.evidence) > MAX_EVIDENCE:
        return f"it is exercised in {len(ic.evidence)} places, more than the {MAX_EVIDENCE} this rule reads"
    acting = [e for e in ic.evidence if roles.get((e.path, e.line, e.rule_id)) not in CONTEXT_ROLES]
    if not acting:
        return "no open step"
    decoded = {(f.location.path, f.location.line) for f in findings if f.decoded}
    remote = {(e.path, e.line) for x in inferred if x.capability.kind == "code.remote" for e in x.evidence}
    scripts: dict[str, str | None] = {}  # each script is read whole once, however many lines act in it
    for e in acting:
        role = roles.get((e.path, e.line, e.rule_id), "")
        if role == "code" and not any(m in e.path for m in _ENCODED) and (e.path, e.line) not in decoded:
            if e.path not in scripts:
                scripts[e.path] = _why_not_open_script(package, e.path, roles, remote, purpose)
            if scripts[e.path] is not None:
                return scripts[e.path]
            continue
        if role != "agent-instruction" or any(m in e.path for m in _ENCODED) or (e.path, e.line) in decoded:
            return f"{e.path}:{e.line} is {role or 'unknown'} text, not an open step of the instructions"
        if not roles.instruction_file(e.path):
            return f"{e.path} is not a file the agent reads as instructions"
        first, last, cut = step_lines(package, e.path, e.line)
        if cut:
            return f"the step at {e.path}:{e.line} runs past the {MAX_STEP} lines this rule reads"
        if any(p == e.path and first <= ln <= last for p, ln in remote):
            return f"the step at {e.path}:{e.line} runs remote code"
        text = "\n".join(file_lines(package, e.path)[first - 1: last])
        if why := _names_endpoint(text, f"the step at {e.path}:{e.line}", purpose):
            return why
    return None


def _names_endpoint(text: str, where: str, purpose: StatedPurpose) -> str | None:
    """Why `text` is not free of outside endpoints (a public IP, a throwaway sink, a host the stated purpose does
    not explain), said of `where`; None when it is."""
    if any_role_endpoint(text, SINKS):
        return f"{where} names a public IP address or a throwaway host"
    host = _outside_host(text, purpose)
    return f"{where} names {host}, a host the stated purpose does not explain" if host else None


MAX_SCRIPT = 400  # lines of a script read whole for outside endpoints


def _why_not_open_script(package: Package, path: str, roles: RoleMap, remote: set[tuple[str, int]],
                         purpose: StatedPurpose) -> str | None:
    """Why a script that exercises the capability is not an open step; None when the instructions name it
    (the agent runs it by name) and its whole text runs no remote code and names no outside endpoint."""
    if not roles.agent_reads(path):
        return f"{path} is code the instructions do not name"
    lines = file_lines(package, path)
    if len(lines) > MAX_SCRIPT:
        return f"{path} is longer than the {MAX_SCRIPT} lines this rule reads"
    if any(p == path for p, _ in remote):
        return f"{path} runs remote code"
    return _names_endpoint("\n".join(lines), path, purpose)


def disclosed_on_request(package: Package, ic: InferredCapability, words: Sequence[str], roles: RoleMap,
                         findings: Sequence[Finding], inferred: Sequence[InferredCapability],
                         purpose: StatedPurpose, ev: Evidence) -> str | None:
    said = stated_mechanism(package, ev.path, words)
    if said is None or _why_not_open(package, ic, roles, findings, inferred, purpose) is not None:
        return None
    return (f"the skill's stated purpose is managing it (“{said}”) and its instructions show the step in the "
            "open or name the script that takes it, with no remote code and no outside endpoint: review")


_OCCASION = {"cron": "scheduled run", "shell-rc": "new shell", "git-hook": "git operation", "systemd": "boot or login",
             "launchd": "boot or login", "autostart": "login", "win-run": "login", "SessionStart": "session start",
             "Setup": "setup", "InstructionsLoaded": "load of the instructions"}


def occasion(cap: Capability) -> str:
    """When the host runs a persistence mechanism, in words."""
    return _OCCASION.get(cap.scope or "", "start")


def _persistent(cap: Capability) -> bool:
    if cap.kind == "persist":
        return (cap.scope or "") not in ("agent-memory",)
    return cap.kind == "agent.hook" and (cap.scope or "") in LOAD_EVENTS


def _acts(e: Evidence, roles: RoleMap) -> bool:
    """Evidence of something run or told to the agent at medium confidence or more: code, an instruction,
    hidden text, or a quoted block inside a file the agent reads as instructions (the config SKILL.md tells
    the agent to write is quoted data the agent acts on)."""
    if e.confidence < Confidence.MEDIUM:
        return False
    role = roles.get((e.path, e.line, e.rule_id))
    return role not in CONTEXT_ROLES or (role == "quoted" and roles.instruction_file(e.path))


def remote_persistence(inferred: Sequence[InferredCapability],
                       roles: RoleMap) -> list[tuple[Capability, Capability, Evidence]]:
    """(persistence, remote code, evidence) for each persistence mechanism whose own line runs remote code,
    in code or text the agent is told to act on (`_acts`)."""
    remote: dict[tuple[str, int], InferredCapability] = {}
    for ic in inferred:
        if ic.capability.kind == "code.remote":
            for e in ic.evidence[:MAX_EVIDENCE]:
                if _acts(e, roles):
                    remote.setdefault((e.path, e.line), ic)
    out: list[tuple[Capability, Capability, Evidence]] = []
    seen: set[Capability] = set()
    for ic in inferred:
        if not _persistent(ic.capability):
            continue
        for e in ic.evidence[:MAX_EVIDENCE]:
            hit = remote.get((e.path, e.line)) if _acts(e, roles) else None
            if hit is not None and hit.capability not in seen:
                seen.add(hit.capability)
                out.append((ic.capability, hit.capability, e))
                break
    return out


# an MCP client's own list of servers: holds server entries only, no hooks, permissions or approvals
MCP_SERVER_LISTS = frozenset({".mcp.json", "mcp.json", "claude_desktop_config.json", "mcp_settings.json",
                              "cline_mcp_settings.json", "mcp_config.json"})
_SERVER_KEYS = frozenset({"type", "url", "command", "args", "headers", "env", "transport", "serverUrl", "httpUrl",
                          "cwd", "timeout", "disabled", "description"})


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().removesuffix("-plugin").removesuffix("-mcp"))


def _fence_json(lines: list[str], line: int) -> object | None:
    """The JSON of the fence that starts on the evidence line or within the next two lines."""
    for start in range(line - 1, min(line + 2, len(lines))):
        if _FENCE.match(lines[start]):
            end = start + 1
            while end < len(lines) and end - start < MAX_STEP and not _FENCE.match(lines[end]):
                end += 1
            if end >= len(lines) or end - start >= MAX_STEP:
                return None
            try:
                return json.loads("\n".join(lines[start + 1:end]))
            except ValueError:
                return None
    return None


def _documented(package: Package, path: str, url: str) -> bool:
    """The URL's registrable domain is documented in the open by the same instruction file outside its
    fences (where the user gets the service's key, its dashboard): a host of the stated purpose (DESIGN.md)."""
    want = next((host_info(h).registrable for _, h in url_hosts(url)), None)
    if not want:
        return False
    prose, fenced = [], False
    for x in file_lines(package, path)[:4000]:
        if _FENCE.match(x):
            fenced = not fenced
        elif not fenced:
            prose.append(x)
    return any(host_info(h).registrable == want for _, h in url_hosts("\n".join(prose)))


def own_server(package: Package, ic: InferredCapability, roles: RoleMap, purpose: StatedPurpose) -> str | None:
    """The sentence saying why writing an MCP client's server list is the package installing its own
    server, or None (see the module doc)."""
    cap = ic.capability
    name = (cap.scope or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
    if cap.kind != "agent.config.write" or name not in MCP_SERVER_LISTS or not package.name or \
            len(ic.evidence) > MAX_EVIDENCE:
        return None
    seen: set[str] = set()
    for e in ic.evidence:
        if roles.get((e.path, e.line, e.rule_id)) in CONTEXT_ROLES:
            continue
        doc = _fence_json(file_lines(package, e.path), e.line)
        if not isinstance(doc, dict):
            return None
        servers = doc.get("mcpServers", doc) if set(doc) <= {"mcpServers"} or "mcpServers" not in doc else None
        if not isinstance(servers, dict) or len(servers) != 1:
            return None
        (key, entry), = servers.items()
        if not isinstance(entry, dict) or not set(entry) <= _SERVER_KEYS or _norm(str(key)) != _norm(package.name):
            return None
        url = str(entry.get("url") or entry.get("serverUrl") or entry.get("httpUrl") or "")
        if url and (any_role_endpoint(url, SINKS) or not url.lower().startswith("https://") or (
                _outside_host(url, purpose) and not _documented(package, e.path, url))):
            return None
        seen.add(str(key))
    if not seen:
        return None
    return (f"the instructions add only the package's own MCP server (“{min(seen)}”) to {name}, on a host "
            "its stated purpose or its instructions document: the package installing itself, not a change to the "
            "host agent's permissions, hooks or approvals")
