"""The HTTP client behind remote sources: the trust store, proxies and redirects, as pip handles them.

Trust (first that applies):

1. ``--ca-bundle FILE`` (the CLI sets ``SKILLSCAN_CA_BUNDLE``): only the certificates in that file,
   like pip's ``--cert``;
2. ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``: the bundle or directory they name (OpenSSL's variables);
3. the operating system's trust store through ``truststore`` (Keychain on macOS, the Windows
   certificate store, the distribution's bundle on Linux), so a TLS-inspecting proxy whose CA the
   administrator installed is trusted as it is by curl and pip; ``certifi``'s bundle when
   ``truststore`` cannot be used.

Proxies come from ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY`` (httpx's
``trust_env``; HTTPS goes through the proxy in a CONNECT tunnel, verified end to end). ``.netrc`` is
never read.

Redirects are followed by httpx itself (at most ``MAX_REDIRECTS``; httpx drops ``Authorization``
when the origin changes) and every hop, the first included, passes :func:`check_hop` before a
connection is made: ``https`` only (plain ``http`` for loopback hosts), never a downgrade from
``https`` to ``http``, and never a hop into a loopback, private, link-local or reserved address
unless the scan itself started at one (a local mirror)."""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

MAX_REDIRECTS = 5
CA_BUNDLE_ENV = "SKILLSCAN_CA_BUNDLE"


class HopError(Exception):
    """A URL (the first or a redirect target) that the policy refuses."""


@dataclass(frozen=True)
class Trust:
    context: ssl.SSLContext
    source: str  # where the trusted certificates come from, for error messages


def trust(ca_bundle: str | None = None) -> Trust:
    """The SSL context for downloads; raises HopError when a named bundle cannot be read."""
    bundle = ca_bundle or os.environ.get(CA_BUNDLE_ENV) or None
    if bundle:
        return Trust(_load(bundle, None), f"the CA bundle {bundle}")
    cert_file, cert_dir = os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None
    if cert_file or cert_dir:
        names = " and ".join(x for x in (f"SSL_CERT_FILE={cert_file}" if cert_file else "",
                                         f"SSL_CERT_DIR={cert_dir}" if cert_dir else "") if x)
        return Trust(_load(cert_file, cert_dir), names)
    try:
        import truststore

        return Trust(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT), "the system trust store")
    except (ImportError, OSError, ssl.SSLError):
        import certifi

        return Trust(ssl.create_default_context(cafile=certifi.where()), "certifi's CA bundle")


def _load(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise HopError(f"cannot load CA certificates from {cafile or capath}: {exc}") from None


def _local(host: str) -> bool:
    """A loopback, private, link-local or reserved IP literal, or localhost."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_hop(url: str, *, first: str, previous: str | None = None) -> None:
    """Refuse a URL the download must not touch (see the module docstring)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http"):
        raise HopError(f"{url}: unsupported URL scheme {parts.scheme!r}")
    if parts.scheme == "http" and not _loopback(host):
        raise HopError(f"{url}: plain http is only accepted for loopback addresses; use https")
    if previous is not None and urlsplit(previous).scheme == "https" and parts.scheme == "http":
        raise HopError(f"{previous}: redirect to plain http ({url}) refused")
    if _local(host) and not _local(urlsplit(first).hostname or ""):
        raise HopError(f"{url}: redirect from {urlsplit(first).hostname} into a local or private address refused")


def client(url: str, *, connect_timeout: float, read_timeout: float, accept: str,
           ca_bundle: str | None = None) -> tuple[httpx.Client, Trust]:
    """An httpx client for one download starting at `url`, with the trust store, the proxies from
    the environment, and redirects followed with a check on each hop."""
    check_hop(url, first=url)
    chosen = trust(ca_bundle)
    seen: list[str] = []

    def on_request(request: httpx.Request) -> None:
        current = str(request.url)
        check_hop(current, first=url, previous=seen[-1] if seen else None)
        seen.append(current)

    hooks: dict[str, list[Callable[..., object]]] = {"request": [on_request], "response": []}
    return httpx.Client(verify=chosen.context, trust_env=True, follow_redirects=True, max_redirects=MAX_REDIRECTS,
                        timeout=httpx.Timeout(read_timeout, connect=connect_timeout), event_hooks=hooks,
                        headers={"User-Agent": "skillscan", "Accept": accept}), chosen


def describe(exc: httpx.HTTPError, chosen: Trust) -> str:
    """A message for a transport error; certificate failures name the trust source and the remedies."""
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return (f"TLS certificate not trusted ({text}); trusted certificates came from {chosen.source} — "
                f"pass --ca-bundle FILE or set SSL_CERT_FILE for a private or proxy CA")
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {text}"
    return f"{type(exc).__name__}: {text}"
