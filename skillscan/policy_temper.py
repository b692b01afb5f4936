"""How the decide stage tempers an undeclared capability's decision: by the roles of its evidence, the
vendor's own installer, and malice (DESIGN.md "Permit and decide"): an undeclared tier-3 capability
blocks only with a malice fact — a raw-IP, plain-http or throwaway target, or remote code from a host
the stated purpose does not explain (`policy_download`); privilege without malice is review with its
evidence (the policy's `undeclared.privilege`; `strict` blocks where the format can declare it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skillscan.model import Channel, Decision, InferredCapability
from skillscan.policy_credentials import unexplained_store
from skillscan.policy_download import unexplained_download
from skillscan.policy_practice import PRACTICE
from skillscan.policy_purpose import untrusted_target, vendor_installer
from skillscan.policy_roles import context_ceiling, context_only, vendor_ok
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table


def rank(d: Decision) -> int:
    return d.rank


def _placeholder(scope: str) -> bool:
    """`http://ATTACKER_IP:8000/x.sh`: a host that is a placeholder, not a literal outside endpoint."""
    return host_info(scope).kind in ("single-label", "invalid")


def _untrusted_why(scope: str) -> str:
    sink = load_table().sink(scope)
    if sink is not None:
        return f"{sink.label}"
    return "plain http"


# sink categories judged the same in every role (DESIGN.md: raw-IP and paste links; a tunnel relay)
ANY_ROLE_SINKS = frozenset({"raw-ip", "paste", "tunnel"})


def _named_only(ic: InferredCapability, roles: dict[tuple[str, int, str], str]) -> bool:
    """A throwaway host (request catcher, file drop, file host, free hosting, shortener) that data is sent to
    only in context text — a test's fixture value, an attacker's host named in a forensic guide's sample
    output: the package does not send data there, so its role decides (a raw IP, a paste site or a tunnel
    relay is judged the same in any role)."""
    if ic.capability.kind != "net.egress" or not context_only(ic.evidence, roles):
        return False
    sink = load_table().sink(ic.capability.scope or "")
    return sink is not None and sink.category not in ANY_ROLE_SINKS


def _credential_malice(ic: InferredCapability, roles: dict[tuple[str, int, str], str], purpose: Any,
                       egress: dict[str, str]) -> str | None:
    store = unexplained_store(ic.capability.scope or "", purpose)
    if store is None:
        return None
    # code that reads the store speaks first: the reason is placed on the capability's best evidence, which is
    # code where code reads it, and an instruction file's egress is not on that line
    if any(e.channel is Channel.CODE and roles.get((e.path, e.line, e.rule_id), "") == "code" for e in ic.evidence):
        return f"code the package runs reads {store}, which its stated purpose does not explain"
    for e in ic.evidence:
        role = roles.get((e.path, e.line, e.rule_id), "")
        if role in ("agent-instruction", "hidden") and e.path in egress:
            return (f"the agent is told to read {store}, and the same file sends data to {egress[e.path]}, "
                    "a host its stated purpose does not explain")
    return None


def temper(dec: Decision, text: str, t: int, ic: InferredCapability, no_field: bool,
           roles: dict[tuple[str, int, str], str], policy: Any, purpose: Any,
           words: Iterable[str] = (), egress: dict[str, str] | None = None,
           practice: str | None = None) -> tuple[Decision, str]:
    """An undeclared capability's decision, tempered by roles, the vendor's own installer and malice
    facts. A raw-IP, plain-http or throwaway target is a malice indicator: judged the same in every role
    and format."""
    scope = ic.capability.scope or ""
    kind = ic.capability.kind
    # a package installed over plain http or from a raw IP or a sink is download-and-execute from an
    # untrusted host (its https origin is judged as a package source, not against the purpose)
    url = scope[4:] if kind == "pkg.install" and scope.startswith("url:") else ""
    if url and untrusted_target("code.remote", url) and not _placeholder(url):
        return dec, f"{text}; the target is {_untrusted_why(url)}"
    if untrusted_target(kind, scope) and not _placeholder(scope) and not _named_only(ic, roles):
        return dec, f"{text}; the target is {_untrusted_why(scope)}"
    if context_only(ic.evidence, roles):
        cap_at = context_ceiling(ic.capability, ic.evidence, roles, vendor_ok(
            ic.capability, purpose, policy.trusted_installer)) if t >= 3 else Decision.ALLOW
        return min(dec, cap_at, key=rank), text + "; every mention is reference, quoted, test or user-command text"
    if t >= 3 and policy.strict_tier3 and not no_field:
        return Decision.BLOCK, f"{text}; the policy requires dangerous capabilities to be declared"
    if kind == "code.remote":
        said = vendor_installer(scope, purpose)
        if said:
            return min(dec, Decision.REVIEW, key=rank), f"{text}; {said}"
        if t >= 3 and dec is Decision.BLOCK and kind in policy.payload_kinds:
            why = unexplained_download(scope, words, purpose, policy.trusted_installer)
            if why and practice:  # a security skill's tooling from an https domain: transparent, review
                return min(dec, Decision.REVIEW, key=rank), f"{text}; {PRACTICE.format(practice)}"
            if why:
                return dec, f"{text}; {why}"
    if ic.capability.kind == "secrets.read" and t >= 3 and dec is Decision.BLOCK:
        why = _credential_malice(ic, roles, purpose, egress or {})
        if why:
            return dec, f"{text}; {why}"
    if t >= 3 and dec is Decision.BLOCK:
        # privilege without malice: review with its evidence
        return min(dec, policy.no_field_tier3 if no_field else policy.privilege, key=rank), text
    return dec, text
