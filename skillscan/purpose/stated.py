"""Stated purpose: the services a package says it is for, each with the evidence that said it.

Inputs are plain strings and lists (no Package object), so the module is independent of loading:

    stated_purpose(name=..., description=..., homepage=..., env=[...], hosts=[...], tools=[...])

- `name`: the package/skill name (`telegram-notifier`); slug tokens are matched against service
  names, proper names and ids.
- `description`: free text; service `names` match case-insensitively as whole words, `proper_names`
  ("Linear", "Notion") only with that capitalisation and not as the first word of a sentence.
- `homepage`: a URL; its host states the service owning it, unless it is a code host (github.com,
  pypi.org, …: where the package lives, not what it is for).
- `env`: declared environment variable names (manifest fields, `requires.env`, `settings[].envVar`).
- `hosts`: hosts or URLs the documentation names; `tools`: programs the documentation names.

Output, all frozen:
- `Evidence(field, value)`: `field` is one of `FIELDS` ("name", "description", "homepage",
  "declared env var", "documented host", "documented tool"); `value` is the exact text that matched.
- `StatedService(id, label, evidence)`; `source()` renders the first evidence as a phrase for a
  reason sentence: "from its description", "from its declared env var DO_API_TOKEN".
- `StatedPurpose(package, services, declared_env, documented_sites, documented_tools)`:
  `service(id)`, `ids`; `documented_sites` are the registrable domains of documented hosts (and of a
  non-code-host homepage) that no service owns — the package's own vendor or data source.

Names are data from the services table, never free keywords; nothing here decides a verdict."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from skillscan.purpose.domains import host_info
from skillscan.purpose.services import Service, ServiceTable, load_table

FIELDS = ("name", "description", "homepage", "declared env var", "documented host", "documented tool")
MAX_TEXT = 20_000  # description characters looked at
MAX_ITEMS = 500  # env vars, hosts, tools looked at


@dataclass(frozen=True)
class Evidence:
    field: str
    value: str

    def phrase(self) -> str:
        if self.field in ("name", "description", "homepage"):
            return f"from its {self.field}"
        return f"from its {self.field} {self.value}"


@dataclass(frozen=True)
class StatedService:
    id: str
    label: str
    evidence: tuple[Evidence, ...]

    def source(self) -> str:
        return self.evidence[0].phrase() if self.evidence else "stated"


@dataclass(frozen=True)
class StatedPurpose:
    package: str
    services: tuple[StatedService, ...] = ()
    declared_env: frozenset[str] = frozenset()
    documented_sites: frozenset[str] = frozenset()
    documented_tools: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.services)

    def service(self, service_id: str) -> StatedService | None:
        return next((s for s in self.services if s.id == service_id), None)


def _word_pattern(name: str) -> str:
    escaped = re.escape(name.lower()).replace(r"\ ", r"[\s_-]+")
    if re.search(r"[\u3000-\u9fff]", name):
        return escaped  # CJK: no word boundaries
    return rf"(?<![\w.-]){escaped}(?![\w-]|\.\w)"


def _slug_text(name: str) -> str:
    return " ".join(t for t in re.split(r"[\s_./:-]+", name.lower()) if t)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'(*_`")
    return not before or before[-1] in ".!?:\n#>-|"


@lru_cache(maxsize=1024)
def _name_patterns(svc: Service) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    names = re.compile("|".join(_word_pattern(n) for n in svc.names), re.I) if svc.names else None
    proper = (re.compile("|".join(rf"(?<![\w.-]){re.escape(p)}(?![\w-])" for p in svc.proper_names))
              if svc.proper_names else None)
    return names, proper


# the only characters outside ASCII that match an ASCII letter under `re.IGNORECASE` (İ ı ſ K): a text holding
# none of them matches an ASCII name only with ASCII characters, which `str.lower` lowers in place
_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")


def _gateable(name: str) -> bool:
    # ASCII, or caseless CJK (no character outside U+3000–U+9FFF lowers into it, none in it has a case)
    return all(c.isascii() or "\u3000" <= c <= "\u9fff" for c in name)


@lru_cache(maxsize=1024)
def _name_words(svc: Service) -> tuple[tuple[str, ...], ...] | None:
    """For each of the service's `names`, the lower-case words a match of its pattern contains (the pattern is the
    lowered name with `[\\s_-]+` between words); None when a name holds other characters (no test on words is
    then sound)."""
    if not all(_gateable(n) for n in svc.names):
        return None
    return tuple(tuple(n.lower().split(" ")) for n in svc.names)


def folded(text: str) -> str | None:
    """`text.lower()` when every match of a service name lies in it as the name's lowered words; None when the
    text holds a character that matches an ASCII letter case-insensitively without lowering to it."""
    if text.isascii() or not any(f in text for f in _FOLDS):
        return text.lower()
    return None


def _first_word_at(svc: Service, low: str) -> int:
    """The first index of `low` where a match of `svc.names` can start (each match starts with its name's first
    word), or -1 when none can match."""
    words = _name_words(svc)
    if words is None:
        return 0
    starts = [low.find(ws[0]) for ws in words if all(w in low for w in ws)]
    return min(starts) if starts else -1


def _in_description(svc: Service, text: str, low: str | None = None) -> str | None:
    """The first words of `text` naming `svc`. `low`: `folded(text)` (None: no shortcut is taken)."""
    names, proper = _name_patterns(svc)
    start = 0 if low is None or names is None else _first_word_at(svc, low)
    if names is not None and start >= 0:
        m = names.search(text, start)  # the lookbehind still sees the text before `start`
        if m:
            return text[m.start():m.end()]
    if proper is not None and any(p in text for p in svc.proper_names):  # a proper name matches as written
        for m in proper.finditer(text):
            if not _sentence_initial(text, m.start()):
                return m.group(0)
    return None


@lru_cache(maxsize=1024)
def _name_tokens(svc: Service) -> tuple[tuple[str, str], ...]:
    """The service's id and names with their slug text (`_slug_text`), those whose slug text is not empty."""
    return tuple((name, token) for name in (svc.id, *svc.names, *svc.proper_names) if (token := _slug_text(name)))


def _in_name(svc: Service, slug: str) -> str | None:
    # `slug` and each token are words joined by single spaces (`_slug_text`), so "the token's words occur
    # as whole words of the slug" is a substring test between spaces — no regex compiled per service name
    padded = f" {slug} "
    for name, token in _name_tokens(svc):
        if f" {token} " in padded:
            return name
    return None


def stated_purpose(*, name: str = "", description: str = "", homepage: str = "", env: Iterable[str] = (),
                   hosts: Iterable[str] = (), tools: Iterable[str] = (),
                   table: ServiceTable | None = None) -> StatedPurpose:
    table = table or load_table()
    found: dict[str, list[Evidence]] = {}

    def add(svc: Service, ev: Evidence) -> None:
        found.setdefault(svc.id, [])
        if ev not in found[svc.id]:
            found[svc.id].append(ev)

    slug = _slug_text(name)
    text = description[:MAX_TEXT]
    low = folded(text)
    for svc in table.services:
        hit = _in_name(svc, slug) if slug else None
        if hit:
            add(svc, Evidence("name", name))
        said = _in_description(svc, text, low) if text else None
        if said:
            add(svc, Evidence("description", said))
    sites: set[str] = set()
    if homepage.strip() and not table.is_code_host(homepage):
        for svc in table.for_host(homepage):
            add(svc, Evidence("homepage", homepage.strip()))
        if not table.for_host(homepage) and not table.sink(homepage):
            reg = host_info(homepage).registrable
            if reg:
                sites.add(reg)
    declared = tuple(e.strip() for e in list(env)[:MAX_ITEMS] if e and e.strip())
    for var in declared:
        for svc in table.for_env(var):
            add(svc, Evidence("declared env var", var))
    for host in list(hosts)[:MAX_ITEMS]:
        owners = table.for_host(host)
        for svc in owners:
            add(svc, Evidence("documented host", host_info(host).host or host))
        if not owners and not table.sink(host):
            reg = host_info(host).registrable
            if reg:
                sites.add(reg)
    tool_names = set()
    for tool in list(tools)[:MAX_ITEMS]:
        base = tool.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()
        if base:
            tool_names.add(base)
        for svc in table.for_tool(tool):
            add(svc, Evidence("documented tool", base))
    order = {s.id: i for i, s in enumerate(table.services)}
    services = tuple(StatedService(sid, table.service(sid).label if table.service(sid) else sid, tuple(ev))
                     for sid, ev in sorted(found.items(), key=lambda kv: order.get(kv[0], 0)))
    return StatedPurpose(name, services, frozenset(declared), frozenset(sites), frozenset(tool_names))
