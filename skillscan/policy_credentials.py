"""A credential read as a malice fact (DESIGN.md "Permit and decide"): reading a credential store is
privilege (review with its evidence) when the package's stated purpose explains it — the AWS CLI's own
files for a skill that states AWS — and when it is only described in text. It is malice (block) when
nothing explains it and the package acts on it: code the package runs reads the store, or an agent
instruction reads it in a file that also sends data to a host the stated purpose does not explain.
A package's own claims never explain an SSH key, a keychain, a wallet, a browser's password store, an
agent's credentials or the whole secret set (`*`).

- `unexplained_store(scope, purpose)`: the words naming the store (`ssh credentials`) when nothing in
  the stated purpose explains reading it; None for an environment variable (`env:NAME`: one named
  value, judged by where it flows) or a cloud store of a stated service.
- `unexplained_egress(inferred, roles, purpose, allowed)`: path → a host the package sends data to from
  that file in code or an agent instruction, that its stated purpose does not explain."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from skillscan.capabilities.grammar import store_phrase
from skillscan.capabilities.tiers import is_local_host
from skillscan.model import Capability, InferredCapability
from skillscan.policy_roles import CONTEXT_ROLES
from skillscan.purpose.coherence import judge_host
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table
from skillscan.purpose.stated import StatedPurpose

# `secrets.read[cloud:<x>]` → the services-table id whose own CLI keeps those files
_CLOUD = {"aws": "aws", "gcp": "google-cloud", "gcloud": "google-cloud", "azure": "azure", "kube": "kubernetes",
          "docker": "docker-hub", "npm": "npm", "pypi": "pypi", "gh": "github", "github": "github",
          "heroku": "heroku", "fly": "fly", "vercel": "vercel", "netlify": "netlify", "aliyun": "alibaba-cloud",
          "digitalocean": "digitalocean", "terraform": "terraform", "vault": "vault"}


def unexplained_store(scope: str, purpose: StatedPurpose) -> str | None:
    if not scope or scope.startswith("env:"):
        return None
    if scope.startswith("cloud:"):
        svc = _CLOUD.get(scope.split(":", 1)[1])
        if svc is not None and svc in purpose.ids:
            return None
    return "every credential it can find" if scope == "*" else store_phrase(scope)


def unexplained_egress(inferred: Iterable[InferredCapability], roles: dict[tuple[str, int, str], str],
                       purpose: StatedPurpose, allowed: Callable[[str], bool]) -> dict[str, str]:
    out: dict[str, str] = {}
    table = load_table()
    for ic in inferred:
        host = ic.capability.scope or ""
        if ic.capability.kind != "net.egress" or not host or host == "*" or is_local_host(host) or allowed(host):
            continue
        if host_info(host).kind not in ("domain", "ip") or judge_host(host, purpose, table).explained:
            continue  # a placeholder (`mcp-host`, `TARGET`) is no literal endpoint
        for e in ic.evidence:
            if roles.get((e.path, e.line, e.rule_id), "") not in CONTEXT_ROLES:
                out.setdefault(e.path, host)
    return out


def own_service_flow(legs: Iterable[Capability], purpose: StatedPurpose) -> str | None:
    """A sentence when a secret-and-egress combination is the stated service's own token sent to that
    service's own hosts (a Telegram bot's TELEGRAM_BOT_TOKEN to api.telegram.org); else None. A credential
    store, the whole environment or a throwaway sink is never a service's own flow."""
    table = load_table()
    hosts, services = [], set()
    for leg in legs:
        scope = leg.scope or ""
        if leg.kind == "net.egress":
            if not scope or scope == "*" or table.sink(scope) is not None:
                return None
            owners = {s.id for s in table.for_host(scope)} & purpose.ids
            if not owners:
                return None
            hosts.append(scope)
            services |= owners
        elif leg.kind == "secrets.read":
            if not scope.startswith("env:"):
                return None
            if not {s.id for s in table.for_env(scope[4:])} & purpose.ids:
                return None
        else:
            return None
    if not hosts:
        return None
    label = next(s.label for s in table.services if s.id in services)
    return f"{', '.join(hosts)} is the skill's stated service ({label}) and the secret is that service's own"
