"""Permit: inferred capabilities (from findings and execution surfaces) against declared ones →
undeclared, unused and dangerous combinations (REFERENCE §4.5 steps 2–4). No decisions here: the
policy grades what this module finds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from skillscan.capabilities.grammar import (
    LOAD_EVENTS,
    PROMPT_EVENTS,
    TOP,
    closure,
    closure_of,
    covers,
    implied,
    normalize,
    normalize_host,
)
from skillscan.capabilities.tiers import is_local_host, is_risky_host, tier
from skillscan.formats import code_elsewhere
from skillscan.model import Capability, Channel, Confidence, Evidence, Finding, InferredCapability, Package, Surface
from skillscan.permissions.declared import Declared
from skillscan.permissions.owndeps import own_dependency, own_manifest_dirs
from skillscan.permissions.surfaces import surface_capabilities

SURFACE_RULE = "execution-surface"
# findings that restate a declaration (not evidence of use): never inferred capabilities
DECLARATION_RULES = frozenset({"openclaw-requires-declared"})
CHANNEL_RANK = {Channel.MANIFEST: 3, Channel.CODE: 2, Channel.INSTRUCTION: 1, Channel.METADATA: 0}

TierFn = Callable[[Capability], int]


@dataclass(frozen=True)
class Combination:
    name: str  # rule-id suffix: combination-<name>
    legs: tuple[Capability, ...]
    evidence: Evidence  # where to report it

    def __str__(self) -> str:
        return f"{self.name}: " + " ∧ ".join(str(c) for c in self.legs)


@dataclass(frozen=True)
class Diff:
    inferred: tuple[InferredCapability, ...]
    undeclared: tuple[InferredCapability, ...]
    unused: tuple[tuple[Capability, str, int], ...]  # (capability, path, line) of the declaration
    combinations: tuple[Combination, ...]


def inferred_capabilities(package: Package, findings: Sequence[Finding]) -> tuple[InferredCapability, ...]:
    """Every capability of every finding plus every execution surface's own capability, closed under the
    implication rules; evidence deduplicated and sorted."""
    # evidence as plain tuples (path, line, rule_id, channel, confidence) — the fields of `Evidence`, in
    # its order: tuples hash in C, and sort as (path, line, rule_id, channel.value, int(confidence))
    # because the enums compare as their values; the `Evidence` objects are made once, at the end
    by_cap: dict[Capability, set[tuple[str, int, str, Channel, Confidence]]] = {}
    for f in findings:
        if not f.capabilities or f.rule_id in DECLARATION_RULES:
            continue
        loc = f.location
        ev = (loc.path, loc.line, f.rule_id, f.channel, f.confidence)
        for c in f.capabilities:
            for cc in closure_of(c):
                have = by_cap.get(cc)
                if have is None:
                    by_cap[cc] = {ev}
                else:
                    have.add(ev)
    # (path, line) of each capability's evidence, built once per capability: a set lookup per surface keeps
    # this linear in the number of surfaces (a package may have 100,000 load-time commands)
    at: dict[Capability, set[tuple[str, int]]] = {}
    for s in package.surfaces:
        ev = (s.path, s.line, SURFACE_RULE, Channel.MANIFEST, Confidence.HIGH)
        for c in surface_capabilities(s):
            for cc in closure_of(c):
                have = by_cap.setdefault(cc, set())
                seen = at.get(cc)
                if seen is None:
                    seen = at[cc] = {(e[0], e[1]) for e in have}
                if (s.path, s.line) not in seen:
                    have.add(ev)  # only when no engine reported it at the surface already
                    seen.add((s.path, s.line))
    made: dict[tuple[str, int, str, Channel, Confidence], Evidence] = {}
    out = []
    for cap in sorted(by_cap, key=str):
        evs = []
        for t in sorted(by_cap[cap]):
            e = made.get(t)
            if e is None:
                e = made[t] = Evidence(*t)
            evs.append(e)
        out.append(InferredCapability(cap, tuple(evs)))
    return tuple(out)


def strongest(ic: InferredCapability) -> Evidence:
    """The most trustworthy evidence: confidence, then channel (manifest > code > instruction)."""
    return max(ic.evidence, key=lambda e: (int(e.confidence), CHANNEL_RANK[e.channel], -e.line, e.path))


def is_covered(cap: Capability, declared: Iterable[Capability], tier_of: TierFn, top_covers_tier3: bool) -> bool:
    for d in declared:
        if d == TOP:
            if cap == TOP or top_covers_tier3 or tier_of(cap) <= 2:
                return True
            continue
        if covers(d, cap):
            return True
    return False


def risky_target(cap: Capability) -> bool:
    scope = cap.scope or ""
    if cap.kind == "net.egress":
        return is_risky_host(scope)
    if cap.kind in ("code.remote", "pkg.install"):
        url = scope.removeprefix("url:")
        return url.lower().startswith("http://") or ("://" in url and is_risky_host(normalize_host(url)))
    return False


def _used(d: Capability, inferred: Sequence[Capability]) -> bool:
    """A grant is used when some inferred capability needs it; a `*` grant only when something unscoped
    of the kind is inferred (a scoped rule would do otherwise) and ⊤ only when a shell string is."""
    if d == TOP:
        return TOP in inferred
    if d.scope in (None, "*"):
        return any(u.kind == d.kind and u.scope in (None, "*") for u in inferred)
    return any(covers(d, u) for u in inferred if u != TOP)


def ingested_inputs(declared: Declared) -> list[InferredCapability]:
    """Untrusted input the package's own declarations make it ingest: pre-approving WebFetch or WebSearch
    means its workflow reads web content (a lethal-trifecta leg no code analysis sees)."""
    out: dict[Capability, set[Evidence]] = {}
    for d in declared.declarations:
        if d.capability.kind == "input.untrusted" and d.source == "grant":
            out.setdefault(d.capability, set()).add(
                Evidence(d.path, d.line, SURFACE_RULE, Channel.MANIFEST, Confidence.MEDIUM))
    return [InferredCapability(c, tuple(sorted(evs, key=lambda e: (e.path, e.line)))) for c, evs in out.items()]


def diff(package: Package, findings: Sequence[Finding], declared: Declared, tier_of: TierFn = tier,
         top_covers_tier3: bool = False, trusted_host: Callable[[str], bool] = lambda h: False) -> Diff:
    inferred = inferred_capabilities(package, findings)
    extra = [ic for ic in ingested_inputs(declared) if ic.capability not in {x.capability for x in inferred}]
    inferred = tuple(sorted((*inferred, *extra), key=lambda ic: str(ic.capability)))
    # prose (`compatibility: needs internet`) and coarse switches (Codex `network: true`) disclose
    # tier-1 and tier-2 capabilities, never tier-3 ones
    strong = closure(d.capability for d in declared.declarations if d.source not in ("weak", "coarse", "surface"))
    surface = closure(d.capability for d in declared.declarations if d.source == "surface")
    weak = closure(d.capability for d in declared.declarations if d.source in ("weak", "coarse"))

    def covered(cap: Capability) -> bool:
        if is_covered(cap, strong, tier_of, top_covers_tier3):
            return True
        # a surface names itself, but naming a raw IP or a plain-http download does not make it acceptable
        if not risky_target(cap) and is_covered(cap, surface, tier_of, top_covers_tier3):
            return True
        return tier_of(cap) <= 2 and is_covered(cap, weak, tier_of, top_covers_tier3)

    own = own_manifest_dirs(package, declared)  # the declared package's own source: its dependencies come with it
    undeclared = tuple(ic for ic in inferred if not covered(ic.capability) and not own_dependency(ic, own))
    icaps = [ic.capability for ic in inferred]
    unused: list[tuple[Capability, str, int]] = []
    seen: set[Capability] = set()
    # a package that points at code published elsewhere (an MCP registry entry): its grants cannot be judged unused
    judged = () if code_elsewhere(package.format) else declared.declarations
    for d in judged:
        # platform APIs and untrusted input are not inferred from code: never reported unused
        if d.source != "grant" or d.capability in seen or d.capability.kind in ("input.untrusted", "host.api"):
            continue
        # `Read`, `Edit`, `Grep` on the workspace are how an agent works; no engine infers them from prose
        if d.capability.kind in ("fs.read", "fs.write", "fs.delete", "agent.tool") and tier_of(d.capability) <= 1:
            continue
        seen.add(d.capability)
        expanded = {d.capability} | implied(d.capability)
        if not any(_used(x, icaps) for x in expanded):
            unused.append((d.capability, d.path, d.line))
    combos = combinations(package, inferred, declared, tier_of, trusted_host)
    return Diff(inferred, undeclared, tuple(sorted(unused, key=lambda u: str(u[0]))), combos)


# ---------------------------------------------------------------------------------------------------
# dangerous combinations (REFERENCE §4.2), on the inferred set, per package and per host-run surface


def _first(ics: Sequence[InferredCapability], pred: Callable[[Capability], bool]) -> InferredCapability | None:
    for ic in ics:
        if pred(ic.capability):
            return ic
    return None


def _all(ics: Sequence[InferredCapability], pred: Callable[[Capability], bool]) -> list[InferredCapability]:
    return [ic for ic in ics if pred(ic.capability)]


def _keys(ic: InferredCapability) -> set[tuple[str, int, str]]:
    return {(e.path, e.line, e.rule_id) for e in ic.evidence}


def _same_findings(a: InferredCapability, b: InferredCapability) -> bool:
    """Every piece of `a`'s evidence is a finding that also reported `b`."""
    return _keys(a) <= _keys(b)


UPLOAD_RULE = "shell-network-upload"  # a command that sends data or files to a host
FILE_READ_RULE = "shell-secret-file-read"  # a credential file a command names
AUTH_CLIENTS = frozenset({"ssh", "scp", "sftp", "rsync", "git", "gh", "aws", "gcloud", "az", "kubectl", "docker",
                          "npm", "twine", "gpg"})


def client_auth_only(ic: InferredCapability, inferred: Sequence[InferredCapability]) -> bool:
    """A credential store 'read' that is only a client authenticating with the user's own credential
    (`ssh host`, `git push`, `aws s3 ls`): every piece of evidence is a finding that ran such a client. A
    credential file named as what the command uploads (`scp ~/.ssh/id_rsa host:`, `gh gist create
    ~/.git-credentials`: a file read on a line that uploads) is sent, not used to sign in."""
    if ic.capability.kind != "secrets.read":
        return False
    clients: set[tuple[str, int, str]] = set()
    uploads: set[tuple[str, int]] = set()
    for other in inferred:
        c = other.capability
        if c.kind == "proc.exec" and (c.scope or "") in AUTH_CLIENTS:
            clients |= _keys(other)
        if c.kind == "net.egress":
            uploads |= {(e.path, e.line) for e in other.evidence if e.rule_id == UPLOAD_RULE}
    lines = {(p, ln) for p, ln, _ in clients}
    return bool(ic.evidence) and all((e.path, e.line) in lines and not (
        e.rule_id == FILE_READ_RULE and (e.path, e.line) in uploads) for e in ic.evidence)


PROXIMITY = 3  # lines: legs seen only in instructions must sit in the same command or block


def linked(a: InferredCapability, b: InferredCapability) -> bool:
    """Two legs of a combination belong together: both seen in code or host-run manifests (the package
    runs them as a unit), or within a few lines of each other in the same file. Two unrelated commands
    in a long README do not make an exfiltration."""
    strong = (Channel.MANIFEST, Channel.CODE)
    if any(e.channel in strong for e in a.evidence) and any(e.channel in strong for e in b.evidence):
        return True
    return any(ea.path == eb.path and abs(ea.line - eb.line) <= PROXIMITY for ea in a.evidence for eb in b.evidence)


def _pair(left: Sequence[InferredCapability], right: Sequence[InferredCapability],
          ok: Callable[[InferredCapability, InferredCapability], bool] = lambda a, b: True,
          ) -> tuple[InferredCapability, InferredCapability] | None:
    for a in left:
        for b in right:
            if a.capability != b.capability and ok(a, b) and linked(a, b):
                return a, b
    return None


CHAT_SERVICES = frozenset({"telegram", "discord", "slack"})  # ids in rules/purpose/services.yaml


def _chat_api(c: Capability) -> bool:
    from skillscan.purpose.services import load_table

    return any(s.id in CHAT_SERVICES for s in load_table().for_host(c.scope or ""))


def chat_drop(secret: InferredCapability, egress: InferredCapability) -> bool:
    """A chat API used as a drop: one finding (a flow, a command) both reads the credential and reaches the
    chat service's API, and the credential is not that chat service's own (a bot's own token sending its
    messages is the service's API)."""
    from skillscan.purpose.services import load_table

    if not {(e.path, e.line) for e in secret.evidence} & {(e.path, e.line) for e in egress.evidence}:
        return False
    table = load_table()
    variable = (secret.capability.scope or "").removeprefix("env:")
    return not {s.id for s in table.for_env(variable)} & {s.id for s in table.for_host(egress.capability.scope or "")}


def _egress(c: Capability) -> bool:
    return c.kind == "net.egress" and not is_local_host(c.scope or "*")


def combinations(package: Package, inferred: Sequence[InferredCapability], declared: Declared, tier_of: TierFn,
                 trusted_host: Callable[[str], bool]) -> tuple[Combination, ...]:
    # legs supported only by low-confidence evidence do not make combinations
    ics = [ic for ic in inferred if ic.confidence >= Confidence.MEDIUM]
    out: list[Combination] = []

    def add(name: str, *legs: InferredCapability) -> None:
        ev = strongest(legs[-1])
        out.append(Combination(name, tuple(ic.capability for ic in legs), ev))

    egress = _all(ics, _egress)
    untrusted_egress = [e for e in egress if not trusted_host(e.capability.scope or "*")]
    stores = [ic for ic in ics if ic.capability.kind == "secrets.read" and tier_of(ic.capability) >= 3
              and not client_auth_only(ic, inferred)]
    # a credential used to authenticate to the host it belongs to (`ssh host`, `git push`) is one
    # finding carrying both legs; exfiltration needs the egress to be seen somewhere else too
    pair = _pair(stores, untrusted_egress or egress, lambda a, b: not _same_findings(a, b))
    if pair:
        add("credential-exfiltration", *pair)
    risky = [e for e in egress if tier_of(e.capability) >= 3]
    env_secrets = _all(ics, lambda c: c.kind == "secrets.read" and tier_of(c) == 2)
    if not pair:
        pair2 = _pair(env_secrets, risky) or _pair(env_secrets, _all(egress, _chat_api), chat_drop)
        if pair2:
            add("secret-to-risky-host", *pair2)
    pair = _pair(_all(ics, lambda c: c.kind == "env.read" and c.scope == "*"), untrusted_egress)
    if pair:
        add("environment-exfiltration", *pair)
    pair = _pair(_all(ics, lambda c: c.kind == "fs.read" and (c.scope or "") in ("~", "~/**", "~/*", "*", "/**", "/")),
                 _all(ics, lambda c: c.kind == "net.egress" and c.scope in (None, "*")))
    if pair:
        add("home-read-egress", *pair)
    untrusted_in = _first(ics, lambda c: c.kind == "input.untrusted")
    if untrusted_in:
        pair = _pair(stores + env_secrets, untrusted_egress)
        if pair:
            add("lethal-trifecta", untrusted_in, *pair)
    daemons = _all(ics, lambda c: c.kind == "proc.daemon")
    gpu = _all(ics, lambda c: c.kind == "gpu.use")
    pair = _pair(gpu, daemons)
    if pair:
        sink = _pair([pair[1]], untrusted_egress)
        if sink:
            add("mining", pair[0], pair[1], sink[1])
    pair = _pair(_all(ics, lambda c: c.kind == "compute.mine"), daemons + egress)
    if pair:
        add("mining", *pair)
    tunnel = _first(ics, lambda c: c.kind == "net.tunnel")
    if tunnel:
        other = next((ic for ic in ics if ic.capability.kind not in ("net.tunnel", "proc.exec", "agent.hook")), None)
        if other is not None:
            add("tunnel", tunnel, other)
    memory = _first(ics, lambda c: c.kind == "persist" and c.scope == "agent-memory")
    if memory and untrusted_in:
        add("untrusted-memory-write", untrusted_in, memory)
    out.extend(_surface_combinations(package, ics, declared, trusted_host))
    uniq: dict[str, Combination] = {}
    for c in out:
        uniq.setdefault(str(c), c)
    return tuple(sorted(uniq.values(), key=str))


def _surface_files(package: Package, command: str) -> set[str]:
    """Package files a surface's command names (`${CLAUDE_PLUGIN_ROOT}/hooks/send.sh` → hooks/send.sh)."""
    out = set()
    for f in package.files:
        if f.virtual:
            continue
        if f.path in command or ("/" in f.path and f"/{f.path}" in command) or PurePosixPath(f.path).name in \
                command.split() and "/" not in f.path:
            out.add(f.path)
    return out


def _surface_combinations(package: Package, ics: Sequence[InferredCapability], declared: Declared,
                          trusted_host: Callable[[str], bool]) -> list[Combination]:
    out: list[Combination] = []
    for s in package.surfaces:
        if s.kind != "hook":
            continue
        files = _surface_files(package, s.command) | {s.path}

        def on_surface(ic: InferredCapability, files: set[str] = files, s: Surface = s) -> bool:
            return any(e.path in files and (e.path != s.path or e.line == s.line) for e in ic.evidence)

        hook = InferredCapability(Capability("agent.hook", s.event or "*"),
                                  (Evidence(s.path, s.line, SURFACE_RULE, Channel.MANIFEST, Confidence.HIGH),))
        local = [ic for ic in ics if on_surface(ic)]
        if s.event in PROMPT_EVENTS and not s.gated:
            sends = [ic for ic in local if _egress(ic.capability) and not trusted_host(ic.capability.scope or "*")]
            if dict(s.extra).get("type") == "http" and s.url:
                host = normalize_host(s.url)
                if not is_local_host(host) and not trusted_host(host):
                    sends.append(InferredCapability(normalize(Capability("net.egress", host)), hook.evidence))
            if sends:
                out.append(Combination("prompt-egress-hook", (hook.capability, sends[0].capability),
                                       strongest(sends[0])))
        if s.event in LOAD_EVENTS:
            remote = [ic for ic in local if ic.capability.kind == "code.remote"]
            if remote:
                out.append(Combination("remote-code-load-hook", (hook.capability, remote[0].capability),
                                       strongest(remote[0])))
    return out


# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = (
    "combination-credential-exfiltration",
    "combination-environment-exfiltration",
    "combination-home-read-egress",
    "combination-lethal-trifecta",
    "combination-mining",
    "combination-prompt-egress-hook",
    "combination-remote-code-load-hook",
    "combination-secret-to-risky-host",
    "combination-tunnel",
    "combination-untrusted-memory-write",
)
