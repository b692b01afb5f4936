"""Hosts as the shell analyzer reads them: the host of a URL, of an `ssh`-style operand, and whether a
URL is on one of the map's host lists. (The one place in the shell analyzer that splits hosts.)"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from skillscan.lazyre import lazy

RAW_IP = lazy(r"^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+:[0-9a-f:]*\]?$", re.IGNORECASE)
HOST_RE = lazy(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE)


def host_of(url: str | None) -> str:
    if not url or url == "*":
        return "*"
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return "*"
    return host if host and (HOST_RE.match(host) or RAW_IP.match(host)) else "*"


def host_operand(value: str | None) -> str:
    """`user@host`, `ssh://user@host:22`, `host:path`, `host` → host, else *."""
    if not value or value.startswith("-") or "$" in value:
        return "*"
    v = value
    if "://" in v:
        return host_of(v)
    v = v.rsplit("@", 1)[-1]
    if v.startswith("["):
        v = v[1:].split("]", 1)[0]
    else:
        v = v.split(":", 1)[0].split("/", 1)[0]
    v = v.lower()
    if RAW_IP.match(v) or (HOST_RE.match(v) and ("." in v or v == "localhost" or "@" in value)):
        return v
    return "*"


def matches_host(url: str, entries: Sequence[str]) -> bool:
    host = host_of(url)
    if host == "*":
        return False
    rest = url.split("://", 1)[-1].lower()
    for e in entries:
        if "/" in e:
            if rest.startswith(e) or rest.split("@", 1)[-1].startswith(e):
                return True
        elif host == e or host.endswith("." + e):
            return True
    return False
