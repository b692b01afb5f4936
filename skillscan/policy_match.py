"""Pure matchers of the policy's data (host lists, capability patterns), memoised: asked for every
capability of every package."""

from __future__ import annotations

from functools import lru_cache

from skillscan.capabilities.grammar import glob_match, host_covers, normalize, normalize_host
from skillscan.capabilities.tiers import is_local_host
from skillscan.capabilities.urls import after_scheme
from skillscan.model import Capability


# Pure functions of the policy's (immutable) host lists and a string, asked for every capability of
# every package: memoised.
@lru_cache(maxsize=4096)
def _trusted_installer(trusted_installers: tuple[str, ...], url: str) -> bool:
    low = url.lower()
    if low.startswith("http://"):
        return False
    rest = after_scheme(low)
    host = normalize_host(low)
    for entry in trusted_installers:
        e = entry.lower()
        if "/" in e:
            if rest.startswith(e.rstrip("/") + "/") or rest == e:
                return True
        elif host_covers(e, host) or host_covers("*." + e, host):
            return True
    return False


@lru_cache(maxsize=4096)
def _allowed_host(allow_hosts: tuple[str, ...], host: str) -> bool:
    return is_local_host(host) or any(host_covers(h.lower(), host) for h in allow_hosts)


@lru_cache(maxsize=256)
def _forbidden_of_kind(forbidden: tuple[tuple[str, str], ...], kind: str) -> tuple[tuple[str, str], ...]:
    """The forbidden patterns that can match a capability of this kind, in the policy's order (a
    pattern of another kind never matches; one that does not parse is kept, to fail as before)."""
    out = []
    for pattern, why in forbidden:
        try:
            if Capability.parse(pattern).kind != kind:
                continue
        except ValueError:
            pass
        out.append((pattern, why))
    return tuple(out)


@lru_cache(maxsize=16384)
def _cap_matches(pattern: str, cap: Capability) -> bool:
    p = Capability.parse(pattern)
    if p.kind != cap.kind:
        return False
    if p.scope is None or p.scope == "*":
        return True
    if cap.scope is None:
        return False
    return glob_match(p.scope, cap.scope) or normalize(p) == cap or (
        cap.kind == "net.egress" and host_covers(normalize_host(p.scope), cap.scope))
