"""Registrable domains from an offline public-suffix snapshot.

Interface:
- `normalize_host(value) -> str`: the lower-case host of a host name, `host:port`, `[v6]:port` or URL
  (scheme, userinfo, port, path and a trailing dot removed); `""` when there is none — the one
  implementation, `skillscan.capabilities.urls.normalize_host`, re-exported.
- `host_info(value) -> HostInfo` (frozen): `host`, `kind` (one of `KINDS`: `domain`, `ip`, `loopback`,
  `private-ip`, `single-label`, `unlisted`, `public-suffix`, `invalid`), `registrable` (the
  registrable domain — public suffix plus one label — or None), `suffix` (the public suffix or ""),
  `private_suffix` (True when the suffix comes from the PSL's private section, e.g. `github.io`,
  `ngrok-free.app`: there every subdomain is a different owner).
- `registrable_domain(value) -> str | None`: `api.telegram.org` → `telegram.org`, `a.b.co.uk` →
  `b.co.uk`, `alice.github.io` → `alice.github.io`; None for IP addresses, `localhost`, single
  labels, names under no listed suffix (`printer.local`) and bare public suffixes (`co.uk`).
- `same_site(a, b) -> bool`: both have a registrable domain and it is the same one.
- `host_within(host, domain) -> bool`: `host` is `domain` or one of its subdomains (label-wise).

The snapshot is the Public Suffix List copy that the `tldextract` package (BSD-3-Clause) ships
inside its wheel; it is read with no list URLs and no cache directory, so nothing ever touches the
network or the disk outside the installed package. Its age is the installed package's age."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from skillscan.capabilities.urls import may_be_ip, normalize_host

KINDS = ("domain", "ip", "loopback", "private-ip", "single-label", "unlisted", "public-suffix", "invalid")
MAX_HOST_LEN = 253


@dataclass(frozen=True)
class HostInfo:
    host: str
    kind: str
    registrable: str | None = None
    suffix: str = ""
    private_suffix: bool = False


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # no suffix_list_urls and no cache_dir: the snapshot bundled with the package, never the network
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True,
                                 fallback_to_snapshot=True)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not may_be_ip(host):
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def host_info(value: str) -> HostInfo:
    host = normalize_host(value)
    if not host or len(host) > MAX_HOST_LEN or any(c.isspace() for c in host) or ".." in host:
        return HostInfo(host, "invalid")
    ip = _ip(host)
    if ip is not None:
        if ip.is_loopback or ip.is_unspecified:
            return HostInfo(host, "loopback")
        if ip.is_private or ip.is_link_local:
            return HostInfo(host, "private-ip")
        return HostInfo(host, "ip")
    if host == "localhost" or host.endswith(".localhost"):
        return HostInfo(host, "loopback")
    if "." not in host:
        return HostInfo(host, "single-label")
    result = _extractor()(host)
    suffix = result.suffix
    if not suffix:
        return HostInfo(host, "unlisted")
    if not result.domain:
        return HostInfo(host, "public-suffix", None, suffix, bool(result.is_private))
    return HostInfo(host, "domain", f"{result.domain}.{suffix}", suffix, bool(result.is_private))


def registrable_domain(value: str) -> str | None:
    return host_info(value).registrable


def same_site(a: str, b: str) -> bool:
    ra = registrable_domain(a)
    return ra is not None and ra == registrable_domain(b)


def host_within(host: str, domain: str) -> bool:
    h, d = normalize_host(host), normalize_host(domain)
    return bool(h) and bool(d) and (h == d or h.endswith("." + d))
