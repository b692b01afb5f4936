"""The one place URLs are taken apart: the host of a URL as each kind of source spells it, the host of
a network operand (`user@host:path`), and the parts the remote fetcher needs. Nothing else in skillscan
calls `urlsplit`/`urlparse` (tests/test_concepts.py checks it).

Hosts are lower-case, without user info, port or trailing dot; `*` (or the caller's marker) when the
host is not statically known. Every reader shares `authority_host`; they differ only in what they
accept as a URL, which depends on the source:

* `host_of` — a URL in a shell command, a manifest or a permission declaration (`urlsplit`; a bare
  `host/path` is read as https) checked against a strict host name / IP shape;
* `literal_host` — a URL folded from code literals (Python, JavaScript): any `scheme://authority`,
  or with `bare` a leading `host[:port]`; unknown parts (the caller's marker) make it unknown;
* `script_host` — a value folded from JavaScript: network schemes only, or a bare dotted host;
* `operand_host` — an ssh/scp/rsync/nc operand;
* `normalize_host` — a host written in a declaration (`https://api.x.com/v1`, `x.com:443`, `[::1]`);
* `text_authorities`, `prose_host`, `url_in_line`, `first_host_name` — URLs found in running text
  (the purpose check, prose capabilities) and in bytes (YARA hits). No other module holds a regex that
  takes a host out of a URL (tests/test_concepts.py checks that too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import SplitResult, urlsplit

from skillscan.lazyre import lazy

RAW_IP = lazy(r"^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+:[0-9a-f:]*\]?$", re.IGNORECASE)
HOST_RE = lazy(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE)
_SCHEME_AUTHORITY = lazy(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://([^/?#]*)")
_LITERAL_HOST = lazy(r"^[a-z0-9._\-:]+$")


def parts(url: str) -> SplitResult:
    """`urlsplit`, for the remote fetcher (raises ValueError on a malformed URL)."""
    return urlsplit(url)


def hostname(url: str) -> str | None:
    """The host name as `urlsplit` reads it (lower-case), None when it has none."""
    return urlsplit(url).hostname


def netloc(url: str) -> str:
    return urlsplit(url).netloc


def file_name(url: str) -> str:
    """The last segment of a URL's path (`https://x/a/tool.sh?x=1` → `tool.sh`)."""
    return PurePosixPath(urlsplit(url).path).name


def authority_host(authority: str) -> str:
    """`user@host:port` / `[v6]:port` → `host` / `v6`, lower-case, without trailing dot."""
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        host = authority[1 : authority.find("]")] if "]" in authority else authority[1:]
    else:
        host = authority.split(":", 1)[0]
    return host.strip().lower().rstrip(".")


def host_of(url: str | None) -> str:
    """Host of a URL in a command, manifest or declaration; a bare `host/path` is read as https; `*`
    when there is none or it is not a host name or IP address."""
    if not url or url == "*":
        return "*"
    try:
        host = (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower().rstrip(".")
    except ValueError:
        return "*"
    return host if host and (HOST_RE.match(host) or RAW_IP.match(host)) else "*"


def url_host(url: str) -> str:
    """Host of an absolute URL as `urlsplit` reads it, `*` when it has none."""
    try:
        return (urlsplit(url).hostname or "*").lower()
    except ValueError:
        return "*"


def literal_host(url: str, unknown: str = "*") -> str:
    """Host of a URL folded from code literals (or a bare `host[:port][/path]`); `unknown` when a part
    is not statically known (`unknown` inside the value) or the result is not host-shaped."""
    u = url.strip()
    if not u or u.startswith(unknown):
        return unknown
    m = _SCHEME_AUTHORITY.match(u)
    netloc_ = m.group(1) if m else (u.split("/", 1)[0] if "://" not in u else "")
    host = authority_host(netloc_)
    if not host or unknown in host or "{" in host or not _LITERAL_HOST.match(host):
        return unknown
    return host


def operand_host(value: str | None) -> str:
    """`user@host`, `ssh://user@host:22`, `host:path`, `host` → host, else `*`."""
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


def scheme(url: str) -> str:
    """The lower-case scheme of `scheme://…`, "" when the text has no `://`."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def after_scheme(url: str) -> str:
    """The text after `scheme://` (authority, path, query), lower-case; the whole text when it has no
    `://` — what host-and-path prefix lists (`github.com/org/`) are matched against."""
    return url.split("://", 1)[-1].lower()


def with_scheme(url: str, new_scheme: str) -> str:
    """`url` with its scheme replaced (`postgresql://…` → `postgresql+psycopg://…`)."""
    return new_scheme + "://" + url.split("://", 1)[1] if "://" in url else url


_STATIC_ORIGIN = lazy(r"^[\"']?(https?://[A-Za-z0-9.-]+(?::\d+)?)(?=[/?#\"'$]|$)", re.IGNORECASE)


def static_host(raw: str) -> str | None:
    """Host of an http(s) URL written in a shell word whose later parts are computed at run time
    (`https://api.telegram.org/bot$TOKEN/send` → api.telegram.org); None unless the host is literal."""
    m = _STATIC_ORIGIN.match(raw)
    return (normalize_host(m.group(1)) or None) if m else None


def normalize_host(host: str) -> str:
    """A host as written in a declaration, a service list or a URL: scheme (or a leading `//`), path,
    query, fragment, user info and a single port dropped; `[v6]` unwrapped ("" when unterminated).
    Short values are remembered: the decide stage normalises the same service domains for every host."""
    return _normalize_remembered(host) if len(host) <= MAX_REMEMBERED_HOST else _normalize_host(host)


MAX_REMEMBERED_HOST = 256  # longer values (rare, possibly hostile) are normalised each time, never kept


@lru_cache(maxsize=8192)
def _normalize_remembered(host: str) -> str:
    return _normalize_host(host)


def _normalize_host(host: str) -> str:
    h = host.strip().lower()
    if "://" in h:
        h = h.split("://", 1)[1]
    elif h.startswith("//"):
        h = h[2:]
    h = h.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split("@")[-1]
    if h.startswith("["):  # IPv6 literal
        return h[1 : h.index("]")] if "]" in h else ""
    if h.count(":") == 1:
        name, _, port = h.partition(":")
        if port.isdigit() or port == "*":
            h = name
    return h.rstrip(".")


def label_suffixes(host: str) -> list[str]:
    """`host` and what follows each of its dots. `host == d or host.endswith("." + d)` holds exactly for the
    domains `d` among them, so a table of domains is asked with a few lookups instead of one test per entry."""
    return [host] + [host[i + 1:] for i, c in enumerate(host) if c == "."]


_NOT_IP_CHAR = lazy(r"[^0-9A-Fa-f.:]")


def may_be_ip(host: str) -> bool:
    """False when `host` (before a `%zone`) holds a character no IP literal has: `ipaddress.ip_address` would
    only raise for it, and its two failed parses are the dearest part of asking about a host name."""
    return _NOT_IP_CHAR.search(host.split("%", 1)[0]) is None


_SCRIPT_URL = lazy(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?://)?([^/?#\s]*)")
_SCRIPT_BARE = lazy(r"^[A-Za-z0-9.-]+(?::\d+)?$")
_SCRIPT_HOST = lazy(r"[a-z0-9.:_-]+")
NETWORK_SCHEMES = ("http", "https", "ws", "wss", "ftp", "tcp", "udp")


def script_host(value: str | None, unknown: str) -> str:
    """Host of a value folded from JavaScript: a network-scheme URL (`//` optional) or a bare dotted
    `host[:port]`; `*` when there is none or a part is unknown (`unknown` inside the host)."""
    if not value:
        return "*"
    v = value.strip()
    m = _SCRIPT_URL.match(v)
    if m and m.group(1).lower() in NETWORK_SCHEMES:
        authority = m.group(2)
    elif _SCRIPT_BARE.match(v) and "." in v:
        authority = v
    else:
        return "*"
    bare_host = authority.rsplit("@", 1)[-1]
    if bare_host.startswith("[") and "]" not in bare_host:
        return "*"  # an unterminated IPv6 literal
    host = authority_host(authority)
    if not host or unknown in host or not _SCRIPT_HOST.fullmatch(host):
        return "*"
    return host


# URLs found in running text or bytes: each reader keeps what its caller accepts as a URL.
_TEXT_AUTHORITY = lazy(r"https?://([^/\s\"'`<>)]+)", re.IGNORECASE)
_PROSE_HOST = lazy(r"https?://(?:[^@/\s]*@)?(\[[^\]]+\]|[^/:\s?#]+)", re.IGNORECASE)
_BYTES_URL = re.compile(
    rb"[a-z][a-z0-9+.-]{0,20}://(?:[^/\s@]{1,100}@)?([a-z0-9.-]{1,253}|\[[0-9a-f:]{2,45}\])[^\s)\]\"'<>]*",
    re.IGNORECASE)
_BYTES_HOST_NAME = re.compile(rb"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}", re.IGNORECASE)


def text_authorities(text: str) -> Iterator[str]:
    """The authority (`user@host:port`, as written) of every http(s) URL in running text."""
    for m in _TEXT_AUTHORITY.finditer(text):
        yield m.group(1)


def url_hosts(text: str) -> Iterator[tuple[int, str]]:
    """(offset, host) of every http(s) URL in running text: the authority without user info or port,
    lower-case, a trailing dot dropped."""
    for m in _TEXT_AUTHORITY.finditer(text):
        yield m.start(), re.split(r"[:?#\]]", m.group(1).split("@")[-1], maxsplit=1)[0].lower().rstrip(".")


def prose_host(url: str) -> str | None:
    """Host (lower-case; `[v6]` kept bracketed) of an http(s) URL quoted from prose, None when `url`
    does not start with one."""
    m = _PROSE_HOST.match(url)
    return m.group(1).lower() if m else None


def url_in_line(line: bytes, at: int, whole_url: bool = False) -> str | None:
    """The host (or with `whole_url` the URL, at most 300 characters) of the `scheme://` URL of a
    line of bytes that covers offset `at` (or ends just before it); None when no URL does."""
    for url in _BYTES_URL.finditer(line):
        if url.start() <= at < url.end() + 1:
            return (url.group(0).decode("utf-8", "replace")[:300] if whole_url
                    else url.group(1).decode("ascii", "replace").lower())
    return None


def host_name_at(line: bytes, at: int) -> str | None:
    """The whole dotted host name in a line of bytes that covers offset `at` (`pool.supportxmr.com` for a
    hit on `supportxmr`), lower-case; None when none does."""
    for name in _BYTES_HOST_NAME.finditer(line):
        if name.start() <= at < name.end():
            return name.group(0).decode("ascii").lower()
    return None


def first_host_name(data: bytes) -> str | None:
    """The first dotted host name in `data` (lower-case), None when there is none."""
    host = _BYTES_HOST_NAME.search(data)
    return host.group(0).decode("ascii").lower() if host else None
