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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from skillscan.analyzers.roles import DocumentRoles, file_role, load_vocab
from skillscan.analyzers.roles_share import roles_of
from skillscan.model import Capability, Decision, Evidence, Finding, Package, PackageFile, RuleClass

CONTEXT_ROLES = frozenset({"reference", "quoted", "test-data", "user-command"})
_DEFAULTS = {"code": "code", "manifest": "code", "instruction": "agent-instruction", "metadata": "agent-instruction"}
_FOLLOW = re.compile(r"\b(?:read|follow|load|apply|obey|execute|run|use)\b|必须|阅读|遵循|执行", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;]\s|[，；。]")
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


def _listed(package: Package) -> tuple[str, ...]:
    """Paths (files or directories) a plugin manifest lists as its agents or commands: the host loads
    them as instructions wherever they live."""
    m = package.manifest if isinstance(package.manifest, dict) else {}
    out: list[str] = []
    for key in ("agents", "commands"):
        v = m.get(key)
        for item in ([v] if isinstance(v, str) else v if isinstance(v, list) else [])[:256]:
            if isinstance(item, str) and item.strip():
                out.append(item.strip().replace("\\", "/").removeprefix("./").rstrip("/"))
    return tuple(out)


def _manifest_entry(path: str, listed: Sequence[str]) -> bool:
    return path.lower().endswith(".md") and any(path == p or path.startswith(p + "/") for p in listed if p)


def _referenced(path: str, entries: Sequence[str]) -> str | None:
    """`follow` when an instruction file names the path on a line that tells the agent to read, follow,
    load or run it; else None (derived from the path)."""
    for text in entries:
        start = text.find(path)
        while start >= 0:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line = text[line_start:line_end if line_end >= 0 else len(text)]
            at = start - line_start
            # the clause that names the path: "run `curl …`, or refer to references/x.md" does not follow it
            begin = max((m.end() for m in _CLAUSE.finditer(line, 0, at)), default=0)
            end = next((m.start() for m in _CLAUSE.finditer(line, at + len(path))), len(line))
            if _FOLLOW.search(line[begin:end]):
                return "follow"
            start = text.find(path, start + len(path))
    return None


def _follows(package: Package, path: str, entries: Sequence[str]) -> str | None:
    """`follow` for a file of the package's fact "followed from its instructions" (`Package.followed`,
    found once by the analyze stage) or named on a line that tells the agent to read, follow, load or run it."""
    return "follow" if package.followed and path in package.followed else _referenced(path, entries)


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


def _steers_from_section(package: Package, fd: Finding) -> bool:
    """A steering malice finding (`steering_rules`: sabotage of the agent's output, recipients or memory) on a
    plain prose line of an instruction file that is reference text only because of the heading it sits under
    ("References", "Background", "How it works"): not a fence, a table, a quotation or a sentence that describes
    rather than instructs. The host loads the whole file, so the agent reads that sentence as it reads the rest."""
    if fd.role != "reference" or fd.rule_class is not RuleClass.MALICIOUS or \
            fd.rule_id.lower() not in context_table().steering_rules:
        return False
    pf = package.file(fd.location.path)
    if pf is None or pf.text is None or file_role(pf.path)[0] != "agent-instruction":
        return False
    roles = roles_of(pf.path, pf.text, None)
    region = roles.region_at(fd.location.line)
    return (roles.base == "agent-instruction" and region is not None and region.role == "reference"
            and region.kind == "section")


def with_roles(package: Package, findings: Iterable[Finding]) -> list[Finding]:
    cache: dict[str, DocumentRoles | None] = {}
    entries: list[str] | None = None
    listed = _listed(package)
    out = []
    for fd in findings:
        if fd.role != _DEFAULTS[fd.channel.value]:
            # the host loads the whole instruction file: a steering sentence in a section of its prose is obeyed
            out.append(dataclasses.replace(fd, role="agent-instruction") if _steers_from_section(package, fd) else fd)
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
            referenced = None if base in ("code", "test-data", "agent-instruction") else (
                "entry" if _manifest_entry(host.path, listed) else _follows(package, host.path, entries))
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


class RoleMap(dict[tuple[str, int, str], str]):
    """(path, line, rule id) → the role of the finding there, and which files are instructions to the
    agent (SKILL.md, command and agent files, files an instruction file tells the agent to follow)."""

    def __init__(self, package: Package | None = None) -> None:
        super().__init__()
        self._package = package
        self._entries: list[str] | None = None
        self._instruction: dict[str, bool] = {}
        self._places: dict[tuple[str, int], str] | None = None
        self._indexed = 0

    def at(self, path: str, line: int) -> str | None:
        """The most behavioural role among the findings at a place (None: no finding there)."""
        if self._places is None or len(self) != self._indexed:
            self._places, self._indexed = {}, len(self)
            for (p, ln, _), role in self.items():
                if self._places.get((p, ln)) in (None, *CONTEXT_ROLES):
                    self._places[(p, ln)] = role
        return self._places.get((path, line))

    def instruction_file(self, path: str) -> bool:
        if path not in self._instruction:
            pf = self._package.file(path) if self._package is not None else None
            host = _host(self._package, pf, 1)[0] if pf is not None and self._package is not None else None
            where = host.path if host is not None else path
            base = file_role(where)[0]
            if base == "reference" and self._package is not None and _manifest_entry(where, _listed(self._package)):
                base = "agent-instruction"
            if base == "reference" and self._package is not None:
                if self._entries is None:
                    self._entries = _entry_texts(self._package)
                base = "agent-instruction" if _follows(self._package, where, self._entries) == "follow" else base
            self._instruction[path] = base == "agent-instruction"
        return self._instruction[path]

    def agent_reads(self, path: str) -> bool:
        """The agent reads the file: an instruction file, or a file an instruction file names (a skill's
        references/ are loaded on demand) that is not written for people (README, CHANGELOG, docs/)."""
        if self.instruction_file(path):
            return True
        if self._package is None or _people_file(path):
            return False
        if self._entries is None:
            self._entries = _entry_texts(self._package)
        name = path.rsplit("/", 1)[-1]
        return any(path in t or (len(name) > 4 and name in t) for t in self._entries)

    @property
    def package(self) -> Package | None:
        return self._package

    def ships(self, names: frozenset[str]) -> str | None:
        """The first file of the package whose name (lower case) is one of `names`, or None."""
        if self._package is None:
            return None
        return next((f.path for f in self._package.files if f.path.rsplit("/", 1)[-1].lower() in names), None)


def _people_file(path: str) -> bool:
    """A file written for people: README, CHANGELOG, CONTRIBUTING… anywhere, or under docs/ or .github/."""
    vocab = load_vocab()
    parts = [p.lower() for p in path.replace("\\", "/").split("/") if p]
    return bool(parts) and (parts[-1] in vocab.reference_files or parts[-1].startswith("readme")
                            or any(d in ("docs", "doc", ".github") for d in parts[:-1]))


def roles_by_evidence(findings: Iterable[Finding], package: Package | None = None) -> RoleMap:
    """(path, line, rule id) → the role of the finding there (the most behavioural one when several)."""
    out = RoleMap(package)
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


@dataclass(frozen=True)
class ContextTable:
    """rules/roles/context.yaml: what a capability mentioned only in context text is worth."""
    review_kinds: frozenset[str]
    vendor_kinds: frozenset[str]
    client_config_files: frozenset[str]
    standing_rules: frozenset[str] = frozenset()
    steering_rules: frozenset[str] = frozenset()
    own_config_templates: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def context_table() -> ContextTable:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "roles" / "context.yaml")
    if not isinstance(data, dict):
        raise ValueError("rules/roles/context.yaml: expected a mapping")
    return ContextTable(*(frozenset(str(v).lower() for v in data.get(k) or ())
                          for k in ("review_kinds", "vendor_kinds", "client_config_files", "standing_rules",
                                    "steering_rules", "own_config_templates")))


def _listed_https(url: str) -> bool:
    """An https URL on a host under a public suffix (not a raw IP, not a made-up or reserved name)."""
    from skillscan.purpose.domains import host_info

    return url.lower().startswith("https://") and host_info(url).kind == "domain"


def _family(kind: str, kinds: frozenset[str]) -> bool:
    return any(kind == k or kind.startswith(k + ".") for k in kinds)


def for_people(evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> bool:
    """Every mention is text for people: a command offered to the user, test data, or reference or quoted
    text in a file the agent does not read (a README, a changelog, docs/, a file no instruction file
    names). Quoted or example text inside SKILL.md, or in a references/ file SKILL.md names, is still
    read by the agent: not for people only."""
    def one(e: Evidence) -> bool:
        role = roles.get((e.path, e.line, e.rule_id))
        if role in ("user-command", "test-data"):
            return True
        if role not in CONTEXT_ROLES:
            return False
        return isinstance(roles, RoleMap) and not roles.agent_reads(e.path)
    return bool(evidence) and all(one(e) for e in evidence)


def _always_review(cap: Capability) -> bool:
    from skillscan.policy_purpose import untrusted_target

    return _family(cap.kind.lower(), context_table().review_kinds) or untrusted_target(cap.kind, cap.scope or "")


def context_ceiling(cap: Capability, evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str],
                    vendor: bool) -> Decision:
    """The most a capability is worth when every mention of it is context (`context_only`), by the table
    in rules/roles/context.yaml. Privilege is what the package does: a capability it only shows — an
    example, a quote, a sample output, a reference page, a command offered to the user, test data — is
    context, hygiene (allow, reported with its evidence), in any file. Review stays for what is worth a
    look even when only shown: the review kinds (tunnels, persistence, credential stores…) unless every
    mention is a command offered to the user or test data, an agent config file that is not the user's own
    client config, and a remote installer not from the stated vendor (`vendor`:
    policy_purpose.vendor_installer or a trusted installer said yes) unless only text for people shows it;
    a raw-IP, paste or throwaway target (a malice indicator) is review wherever it is named."""
    table = context_table()
    kind = cap.kind.lower()
    if _always_review(cap):
        # a command offered to the user or test data only shows it: hygiene, unless the target is a malice
        # indicator judged the same in any role (a raw IP, a paste site, a tunnel relay)
        return Decision.ALLOW if _shown_only(cap, evidence, roles) or own_config(cap, evidence, roles) or \
            _flagged_only(cap, evidence, roles) else Decision.REVIEW
    if kind == "agent.config.write":
        name = (cap.scope or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name not in table.client_config_files:
            return Decision.REVIEW
    if _family(kind, table.vendor_kinds):
        scope = cap.scope or "*"
        if any(e.rule_id in table.standing_rules for e in evidence) or (scope != "*" and not _listed_https(scope)):
            return Decision.REVIEW  # a standing channel, or a named target that is no https host on a public suffix
        if vendor:
            return Decision.ALLOW
        return Decision.ALLOW if for_people(evidence, roles) else Decision.REVIEW  # downloads: text for people only
    return Decision.ALLOW  # shown, quoted or documented, never exercised: context (rules/roles/context.yaml)


def _shown_only(cap: Capability, evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> bool:
    """Every mention is a command offered to the user or test data, and the target is no raw IP, paste
    site or tunnel relay."""
    from skillscan.policy_practice import RELAYS, any_role_endpoint

    return bool(evidence) and all(roles.get((e.path, e.line, e.rule_id)) in ("user-command", "test-data")
                                  for e in evidence) and not any_role_endpoint(cap.scope or "", RELAYS)


def _flagged_only(cap: Capability, evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> bool:
    """Every mention is an item of a list of things to reject or warn about (`indicator_list`), and the
    target is no raw IP, paste site or tunnel relay."""
    from skillscan.policy_practice import RELAYS, any_role_endpoint

    package = roles.package if isinstance(roles, RoleMap) else None
    return package is not None and bool(evidence) and len(evidence) <= 16 and not any_role_endpoint(
        cap.scope or "", RELAYS) and all(indicator_list(package, e.path, e.line) for e in evidence)


def own_config(cap: Capability, evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> str | None:
    """The template a `.env` read only in text for people is made from, when the package ships one: a
    README's `docker run --env-file .env` of a server whose package has `.env.example` is the user's own
    configuration of that package, made from its template — not another program's credential store. In an
    instruction file, or with no template shipped, the read is judged as usual."""
    if cap.kind != "secrets.read" or (cap.scope or "") != "dotenv" or not isinstance(roles, RoleMap):
        return None
    if not for_people(evidence, roles):
        return None
    return roles.ships(context_table().own_config_templates)


_FENCE_MARK = re.compile(r"^\s{0,3}(?:```|~~~)")
_ITEM = re.compile(r"^\s*(?:[-*+•·]|\d+[.)])\s+\S")


def indicator_list(package: Package, path: str, line: int) -> bool:
    """The cited line is an item of a list of things to reject or warn about: a bullet item of a fence or
    a list whose introducing line, or the fence's own opening lines, say so (`indicator_list_cue` in
    rules/roles/vocab.yaml: "Check for these RED FLAGS:", "REJECT IMMEDIATELY IF YOU SEE:",
    "发现以下危险信号立即拒绝："). A vetting checklist names what it rejects; it does not tell the agent to do it."""
    from skillscan.policy_practice import file_lines

    cue = load_vocab().indicator_list_cue
    pf = package.file(path)
    if cue is None or pf is None or not pf.text or len(pf.text) > 2_000_000:
        return False
    lines = file_lines(package, path)  # split once per file, not once per finding or evidence line
    i = line - 1
    if not 0 <= i < len(lines):
        return False
    if cue.search(lines[i]):  # the cue line itself, a detector reading on into the list it opens
        after = next((x for x in lines[i + 1:i + 4] if x.strip()), "")
        return bool(_FENCE_MARK.match(after) or _ITEM.match(after))
    if not _ITEM.match(lines[i]):
        return False
    opened = None
    for j in range(i):
        if _FENCE_MARK.match(lines[j]):
            opened = None if opened is not None else j
    if opened is not None:
        start, head = opened, [x for x in lines[opened + 1:i][:3] if not _ITEM.match(x)]
    else:
        start, head = i, []
        while start > 0 and i - start < 64 and (_ITEM.match(lines[start - 1]) or (
                lines[start - 1][:1] in (" ", "\t") and lines[start - 1].strip())):
            start -= 1
    intro = next((lines[k] for k in range(start - 1, max(start - 4, -1), -1) if lines[k].strip()), "")
    return any(cue.search(x) for x in (intro, *head))


_REPO_PATH = re.compile(r"^https://(?:raw\.githubusercontent\.com|github\.com|gitlab\.com)/", re.IGNORECASE)


def vendor_ok(cap: Capability, purpose: Any, trusted: Callable[[str], bool]) -> bool:
    """A remote installer the stated purpose explains: one of the policy's trusted installers, or the
    vendor's own (policy_purpose.vendor_installer) on a domain of a service the package states or of its
    homepage. A tool's own repository on a code host is a weaker inference (the repository is named like
    a program the skill runs): it does not count here, so such an installer is judged like any other."""
    from skillscan.policy_purpose import vendor_installer

    scope = cap.scope or ""
    return cap.kind == "code.remote" and bool(scope) and scope != "*" and (
        trusted(scope) or (not _REPO_PATH.match(scope) and vendor_installer(scope, purpose) is not None))


def finding_ceiling(f: Finding, roles: dict[tuple[str, int, str], str], purpose: Any,
                    policy: Any) -> Decision:
    """`context_ceiling` for one capability finding in context text: the highest over its dangerous
    capabilities (tier 3 by the policy; a sensitive one in context text is hygiene, as undeclared).
    One that names none (a script the text runs is missing) is hygiene when the text is quoted data or
    an example, or written for people."""
    ev = [Evidence(f.location.path, f.location.line, f.rule_id, f.channel, f.confidence)]
    if not f.capabilities:  # nothing to weigh but the text: shown (quoted data, an example) or for people
        return Decision.ALLOW if f.role in ("quoted", "test-data") or for_people(ev, roles) else Decision.REVIEW
    return max((context_ceiling(c, ev, roles, vendor_ok(c, purpose, policy.trusted_installer))
                if policy.tier(c) >= 3 or _always_review(c) else Decision.ALLOW for c in f.capabilities),
               key=lambda d: d.rank)


def malice_context_ceiling(f: Finding, roles: dict[tuple[str, int, str], str], practice: bool = False) -> Decision:
    """The most a malice finding in context text is worth when it is not a malice indicator judged in any
    role (the caller checks those): hygiene when it is in text for people (a README's table of attack
    strings, a changelog, docs nothing tells the agent to follow, test data), in reference or quoted text of
    a prose guide that is not an instruction file (a references/ page the agent consults on demand), and —
    when the skill states security practice (`practice`, policy_practice) — in a table, an example or a
    quote of its instruction file: the attack is the skill's subject, shown, not exercised — except the
    table's `steering_rules` (sabotage of the agent's work: any text the agent reads steers it). Review when it
    is quoted or an example inside an instruction file of any other skill, and in any other file of the
    package (a template or asset nothing names may still reach the agent through a script)."""
    ev = Evidence(f.location.path, f.location.line, f.rule_id, f.channel, f.confidence)
    shown = f.role in ("user-command", "test-data") or _people_file(f.location.path)
    if shown and for_people([ev], roles):
        return Decision.ALLOW
    prose = f.location.path.lower().endswith(_PROSE)
    steers = f.rule_id.lower() in context_table().steering_rules  # text the agent reads steers it anywhere
    if prose and not steers and f.role in ("reference", "quoted") and isinstance(roles, RoleMap) and (
            practice or not roles.instruction_file(f.location.path)):
        return Decision.ALLOW  # a guide consulted on demand; a security skill's table or example of its subject
    return Decision.REVIEW


def allow_why(evidence: Sequence[Evidence], roles: dict[tuple[str, int, str], str]) -> str:
    """Why an undeclared capability is reported without changing the verdict."""
    if context_only(evidence, roles):
        return "every mention is reference, quoted, test or user-command text, not code or an agent instruction"
    return "the evidence is too weak for the policy to ask for review"


def gate_roles(findings: Iterable[Finding], roles: dict[tuple[str, int, str], str]) -> tuple[Finding, ...]:
    """The decide stage's own findings (undeclared, forbidden, combinations) take the role of the evidence
    they cite — a forbidden capability seen only in a README's user command is `user-command`, not the
    default role of its channel."""
    out = []
    for f in findings:
        role = roles.at(f.location.path, f.location.line) if isinstance(roles, RoleMap) else None
        out.append(dataclasses.replace(f, role=role) if role and role != f.role else f)
    return tuple(out)
