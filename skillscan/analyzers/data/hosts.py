"""Look-alike hosts in code and data: a host that differs from another host of the same file, or from a
service's own domain (rules/purpose/services.yaml), only by look-alike characters — a digit for a
letter (`f1xture`, `g00gle`), `rn` for `m`, `vv` for `w`, a hyphen for a dot (`api-telegram.org` for
`api.telegram.org`) — or that carries a service's name as a whole part of a hyphenated label under a domain the
service does not own (`google-finance.news.example`; in the registrable name itself only beside a word of trust:
`paypal-secure-login.example`). A script that writes the look-alike into an MCP configuration, a saved route or
a report link sends the agent's later calls or the user's clicks to someone else while every reading
of the name looks right. Hosts under the same registrable domain are never look-alikes of each other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.base import finding, line_text
from skillscan.capabilities.urls import url_hosts
from skillscan.model import Channel, Finding, Location, PackageFile
from skillscan.purpose.domains import host_info

RULE_IDS: tuple[str, ...] = ("lookalike-host",)

MAX_SCAN_CHARS = 8_000_000  # characters of one file read (each line and host costs a constant)
MAX_HOSTS = 20_000  # distinct hosts compared per file
MAX_REPORTS = 3
# what each look-alike spelling reads as (applied in order, on a lower-case host)
FOLDS: tuple[tuple[str, str], ...] = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("i", "l"), ("3", "e"),
                                      ("5", "s"), ("-", "."), ("_", "."))


# words that, beside a service's name in a registrable name, make it pose as that service's own page
TRUST_WORDS = frozenset({"secure", "security", "login", "signin", "sign", "verify", "verification", "account",
                         "accounts", "auth", "support", "update", "billing", "wallet", "official", "help", "service"})
# names reserved for documentation (RFC 2606): a placeholder, never someone's registered look-alike
DOCUMENTATION_SITES = frozenset({"example.com", "example.net", "example.org"})
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+")
MIN_BRAND = 4  # shorter names (`x`, `t`, `hf`) are parts of too many unrelated names


@dataclass(frozen=True)
class Seen:
    host: str
    line: int
    column: int
    site: str  # registrable domain, or the last two labels of a name under an unlisted suffix


def skeleton(host: str) -> str:
    out = host.lower()
    for a, b in FOLDS:
        out = out.replace(a, b)
    return out


def _site(host: str) -> str | None:
    info = host_info(host)
    if info.kind == "domain" and info.registrable:
        return info.registrable
    if info.kind == "unlisted":
        return ".".join(info.host.split(".")[-2:])
    return None


@lru_cache(maxsize=1)
def service_domains() -> dict[str, tuple[str, str]]:
    """skeleton of a service's domain or API host → (that name, the service's label)."""
    from skillscan.purpose.services import load_table

    out: dict[str, tuple[str, str]] = {}
    for svc in load_table().services:
        for name in (*svc.domains, *svc.hosts):
            out.setdefault(skeleton(name), (name, svc.label))
    for name in load_table().code_hosts:  # where code and packages live: github.com, pypi.org …
        out.setdefault(skeleton(name), (name, name))
    return out


@lru_cache(maxsize=1)
def brand_names() -> tuple[dict[str, tuple[str, str]], frozenset[str]]:
    """(a service's name that is also the first label of its own registrable domain — `google`, `paypal` — and
    that the table matches in any capitalisation (common words are kept apart as `proper_names`) → (that
    domain, the service's label); every registrable domain a service or code host owns)."""
    from skillscan.purpose.services import load_table

    names: dict[str, tuple[str, str]] = {}
    owned: set[str] = set(load_table().code_hosts)
    for svc in load_table().services:
        words = {n.lower() for n in svc.names} | {svc.label.lower()} | {n.split()[0].lower() for n in svc.names if n}
        proper = {p.lower() for p in svc.proper_names}
        for name in svc.domains:
            site = _site(name) or name
            owned.add(site)
            first = site.split(".")[0]
            if first in words and first not in proper and len(first) >= MIN_BRAND:
                names.setdefault(first, (site, svc.label))
    return names, frozenset(owned)


def _shown(label: str) -> str:
    """A label as a reader sees it: an IDN label (`xn--…`) decoded, since its ASCII letters are not all of it —
    `xn--paypal-secure-login-7h5n` reads `pay✓pal-secure-login`; "" when it does not decode."""
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode").lower()
    except (UnicodeError, ValueError):
        return ""


def brand_twin(host: str, site: str) -> tuple[str, str, str, str] | None:
    """(the service's name, its domain, its label, where the name sits) when `host` carries a service's name
    as a whole part of a hyphenated label — in front of its registrable domain (`google-finance.news.example`),
    or in the registrable name itself beside a word of trust (`paypal-secure-login.example`) — and `site`
    is no domain a service or code host owns."""
    names, owned = brand_names()
    if site in owned or site in DOCUMENTATION_SITES or site.endswith(".example") or not _PLAIN_HOST.fullmatch(host):
        return None  # the service's own, a documentation placeholder, or a template (`{region}`) not yet a host
    labels, own = host.split("."), site.split(".")
    for where, label in [*(("subdomain", lab) for lab in labels[:len(labels) - len(own)]), ("name", own[0])]:
        parts = _shown(label).split("-")
        if len(parts) < 2 or (where == "name" and not TRUST_WORDS.intersection(parts)):
            continue
        for part in parts:
            if part in names:
                return part, *names[part], where
    return None


def _suspicion(host: str) -> int:
    """How many look-alike spellings a name carries: of two look-alikes, the one with more is the imitation."""
    return sum(host.count(a) for a, _ in FOLDS if a != "i")


def _hosts(file: PackageFile) -> tuple[list[Seen], str]:
    """The distinct hosts of the file's URLs, and what a bound left unread ("" when nothing)."""
    full = file.text or ""
    unread = f"only the first {MAX_SCAN_CHARS:,} characters were read" if len(full) > MAX_SCAN_CHARS else ""
    out: list[Seen] = []
    seen: set[str] = set()
    for i, line in enumerate(full[:MAX_SCAN_CHARS].split("\n"), start=1):
        if "://" not in line:
            continue
        for at, host in url_hosts(line):
            if host in seen:
                continue
            if len(out) >= MAX_HOSTS:
                return out, f"only the first {MAX_HOSTS:,} distinct hosts were compared"
            site = _site(host)
            if site is None:
                continue
            seen.add(host)
            out.append(Seen(host, i, at + 1, site))
    return out, unread


def _service_twin(s: Seen) -> tuple[str, str] | None:
    """(the service's own name, its label) that the host imitates, if any."""
    table = service_domains()
    for candidate in (s.host, s.site):
        twin = table.get(skeleton(candidate))
        # a look-alike spelling must make the difference: `mall.example` is no imitation of `mail.example`
        if twin is not None and _site(twin[0]) != s.site and _suspicion(candidate) > _suspicion(twin[0]):
            return twin
    return None


def difference(real: str, fake: str) -> str:
    """The look-alike spellings that turn one name into the other, said character by character when the
    names have the same length (`1 for i`), else in general."""
    if len(real) != len(fake):
        groups = [f"{a} for {b}" for a, b in FOLDS if len(a) == 2 and a in fake and a not in real]
        return ", ".join(groups) or "look-alike letter groups"
    pairs = list(dict.fromkeys(f"{b} for {a}" for a, b in zip(real, fake) if a != b))
    return ", ".join(pairs[:4])


def _line(file: PackageFile, line: int) -> str:
    return line_text(file.text or "", line).strip()[:200]


def lookalike_hosts(file: PackageFile) -> list[Finding]:
    hosts, unread = _hosts(file)
    out: list[Finding] = []
    if unread:
        out.append(finding("analysis-incomplete", f"{file.path}: {unread} when looking for look-alike hosts; the "
                           "rest of the file was not checked for them", file.path, 1, channel=Channel.CODE))
    by_skeleton: dict[str, Seen] = {}
    for s in hosts:
        first = by_skeleton.setdefault(skeleton(s.host), s)
        twin = _service_twin(s)
        if twin is not None:
            out.append(finding(
                "lookalike-host",
                f"{file.path} line {s.line} names {s.host}, which differs from {twin[1]}'s {twin[0]} only by look-alike "
                f"characters ({difference(twin[0], s.host if skeleton(s.host) == skeleton(twin[0]) else s.site)}) "
                "and lies under another domain",
                file.path, s.line, s.column, snippet=_line(file, s.line), channel=Channel.CODE))
        elif (brand := brand_twin(s.host, s.site)) is not None:
            name, domain, label, where = brand
            place = "a label in front of its domain" if where == "subdomain" else "its domain name"
            out.append(finding(
                "lookalike-host",
                f"line {s.line} names {s.host}, which carries the service name {name} ({label}) in {place} but lies "
                f"under {s.site}, not under {domain}, the domain {label} owns",
                file.path, s.line, s.column, snippet=_line(file, s.line), channel=Channel.CODE))
        elif first is not s and first.site != s.site and _service_twin(first) is None and \
                _suspicion(s.host) != _suspicion(first.host):
            real, fake = (first, s) if _suspicion(s.host) > _suspicion(first.host) else (s, first)
            out.append(finding(
                "lookalike-host",
                f"{file.path} names {real.host} (line {real.line}) and {fake.host} (line {fake.line}): hosts under "
                f"different domains whose names differ only by look-alike characters ({difference(real.host, fake.host)})",
                file.path, fake.line, fake.column, snippet=_line(file, fake.line), channel=Channel.CODE,
                related=(Location(file.path, real.line, real.column, None, None, _line(file, real.line)),)))
        if len(out) >= MAX_REPORTS + bool(unread):
            break
    return out
