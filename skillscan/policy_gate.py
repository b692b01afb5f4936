"""The gate's own findings (undeclared, forbidden, unused, combinations): built from the evidence they
cite, in that evidence's role (a command offered to the user stays `user-command`); the accumulator of
the decision and its reasons; how a reason cites its evidence."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from skillscan.analyzers.base import finding
from skillscan.capabilities.tiers import is_local_host
from skillscan.capabilities.urls import url_hosts
from skillscan.model import (
    ROLES,
    Capability,
    Channel,
    Confidence,
    Decision,
    Evidence,
    Finding,
    InferredCapability,
    Package,
    Severity,
)
from skillscan.permissions.declared import Declared, declaring_channels
from skillscan.permissions.diff import strongest
from skillscan.purpose.domains import host_info


def gate_finding(rule_id: str, message: str, ev: Evidence | tuple[str, int], caps: Sequence[Capability],
                 severity: Severity | None = None, confidence: Confidence | None = None,
                 channel: Channel | None = None, roles: dict[tuple[str, int, str], str] | None = None) -> Finding:
    path, line = (ev.path, ev.line) if isinstance(ev, Evidence) else ev
    ch = channel or (ev.channel if isinstance(ev, Evidence) else Channel.MANIFEST)
    conf = confidence if confidence is not None else (ev.confidence if isinstance(ev, Evidence) else None)
    # the snippet names the capabilities, never a line: fingerprints must survive edits above the finding
    out = finding(rule_id, message, path, line, capabilities=caps, channel=ch, confidence=conf, severity=severity,
                  snippet=" ".join(str(c) for c in caps))
    # the gate's finding speaks in the role of the evidence it cites (a command offered to the user…)
    role = roles.get((ev.path, ev.line, ev.rule_id)) if roles and isinstance(ev, Evidence) else None
    return dataclasses.replace(out, role=role) if role in ROLES and role != out.role else out


_RANK = {d: d.rank for d in Decision}


@dataclass
class Acc:
    decision: Decision = Decision.ALLOW
    reasons: list[tuple[int, str]] = field(default_factory=list)  # (rank for ordering, text)
    findings: list[Finding] = field(default_factory=list)

    def raise_to(self, d: Decision, reason: str) -> None:
        rank = _RANK[d]
        if rank > 0:  # above allow
            self.reasons.append((rank, reason))
        if rank > _RANK[self.decision]:
            self.decision = d


RISK = {1: "low-risk", 2: "sensitive", 3: "dangerous"}  # the policy's capability tiers, in words


def where(e: Evidence) -> str:
    return f"{e.path}:{e.line}, {e.channel.value}, {e.confidence.label} confidence, {e.rule_id}"


def best(ic: InferredCapability) -> Evidence:
    return strongest(ic)


def declarable_evidence(ic: InferredCapability, declared: Declared, fmt: str) -> tuple[Evidence, ...]:
    """The evidence of an undeclared capability that a field of the package's format could declare. In
    Agent Skills and Claude plugins `allowed-tools` names the agent's own tools, never what a bundled script
    does inside itself: a script's `curl` (code) is not declarable there, the agent's own `curl` in SKILL.md
    (instruction) is. Each piece of evidence is judged by its own channel, so the agent's disclosed use does
    not make the script's undeclarable one a missing declaration (docs/permissions.md, "The diff")."""
    cap = ic.capability
    return tuple(e for e in ic.evidence
                 if declared.has_field(cap.kind, fmt, declaring_channels([e], Confidence.LOW), cap.scope))


SCRIPT_SIDE_KINDS = ("net.egress", "proc.exec")  # what the agent's own `curl` or `kubectl` shows in the open
_MAX_TEXT = 400_000


def same_as_shown(package: Package, ic: InferredCapability, shown: Sequence[Evidence]) -> bool:
    """The script does what the instructions show the agent doing: the same program (`proc.exec[kubectl]`),
    the same named host, or — for unscoped egress — no http(s) host in the script files that the instruction
    files showing the agent's own use do not name too (a loopback or placeholder host aside). A script that
    also reaches a host the instructions never show is not disclosed by them."""
    cap = ic.capability
    if cap.kind not in SCRIPT_SIDE_KINDS or not shown:
        return False
    if cap.kind == "proc.exec" or (cap.scope or "*") != "*":
        return True
    shown_text = " ".join((f.text or "")[:_MAX_TEXT] for p in dict.fromkeys(e.path for e in shown)
                          if (f := package.file(p)) is not None).lower()
    for path in dict.fromkeys(e.path for e in ic.evidence if e not in shown):
        f = package.file(path)
        if f is None or not f.text:
            return False
        for _, host in url_hosts(f.text[:_MAX_TEXT]):
            if is_local_host(host) or host_info(host).kind in ("single-label", "invalid"):
                continue
            if host.lower() not in shown_text:
                return False
    return True
