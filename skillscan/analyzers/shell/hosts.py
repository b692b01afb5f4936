"""Hosts as the shell analyzer reads them: the host of a URL, of an `ssh`-style operand, and whether a
URL is on one of the map's host lists. (Hosts are split by skillscan.capabilities.urls.)"""

from __future__ import annotations

from collections.abc import Sequence

from skillscan.capabilities.urls import after_scheme, host_of


def matches_host(url: str, entries: Sequence[str]) -> bool:
    host = host_of(url)
    if host == "*":
        return False
    rest = after_scheme(url)
    for e in entries:
        if "/" in e:
            if rest.startswith(e) or rest.split("@", 1)[-1].startswith(e):
                return True
        elif host == e or host.endswith("." + e):
            return True
    return False
