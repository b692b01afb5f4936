"""The services table (`rules/purpose/services.yaml`), loaded once and indexed.

Interface (all frozen dataclasses, all lookups pure):
- `Service`: `id`, `label`, `names`, `proper_names`, `domains`, `hosts`, `env`, `env_prefixes`,
  `files`, `tools` (tuples of strings, as in the YAML; see the file's header for their meaning).
- `SinkMatch`: `category` (`paste`, `request-catcher`, `file-drop`, `file-hosting`, `tunnel`, `free-hosting`,
  `url-shortener`, or `raw-ip`), `label` ("a paste site"), `matched` (the suffix or address).
- `ServiceTable`:
  - `service(id) -> Service | None`
  - `for_host(host) -> tuple[Service, ...]`: services owning the host (the host equals, or lies under,
    one of their `domains`), most specific domain first. Accepts URLs and `host:port`.
  - `for_env(name) -> tuple[Service, ...]`: services whose `env` lists the name exactly, else whose
    `env_prefixes` start it (so `OPENAI_API_KEY` → openai; `TELEGRAM_CHAT_ID` → telegram).
  - `for_tool(program) -> tuple[Service, ...]`: by CLI basename (`/usr/bin/gh` → github).
  - `for_file(path) -> tuple[Service, ...]`: services whose own credential/config files match the
    path (any home spelling; see `skillscan.purpose.paths`).
  - `sink(host) -> SinkMatch | None`: the never-coherent category of a host, or `raw-ip` for a
    public IP address literal (loopback and private addresses are not sinks).
  - `is_code_host(host) -> bool`: a code or package host (`code_hosts`: github.com, pypi.org, …),
    where a homepage or documented link says where the package lives, not what it is for.
  - `credential_store(path) -> str | None`: the store kind (`ssh`, `browser`, `wallet`, …) whose
    globs match the path.
- `load_table(path=None) -> ServiceTable`: the shipped table (memoised) or the one at `path`;
  `TableError` when the file is not a mapping of the expected shape (the JSON schema in
  `rules/schemas/services.schema.json` is the full contract; the unit tests validate it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.capabilities.urls import label_suffixes
from skillscan.purpose.domains import host_info, host_within, normalize_host
from skillscan.purpose.paths import glob_match

MEMO_HOSTS = 16_384  # remembered answers per table (forgotten all at once beyond)


class TableError(ValueError):
    pass


@dataclass(frozen=True)
class Service:
    id: str
    label: str
    names: tuple[str, ...] = ()
    proper_names: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    env_prefixes: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()


@dataclass(frozen=True)
class SinkCategory:
    id: str
    label: str
    suffixes: tuple[str, ...]
    subdomains_only: bool = False


@dataclass(frozen=True)
class SinkMatch:
    category: str
    label: str
    matched: str


@dataclass(frozen=True)
class ServiceTable:
    services: tuple[Service, ...]
    sinks: tuple[SinkCategory, ...]
    credential_stores: tuple[tuple[str, tuple[str, ...]], ...]
    code_hosts: tuple[str, ...] = ()
    _by_id: dict[str, Service] = field(default_factory=dict, compare=False, repr=False)
    _by_env: dict[str, tuple[Service, ...]] = field(default_factory=dict, compare=False, repr=False)
    _by_tool: dict[str, tuple[Service, ...]] = field(default_factory=dict, compare=False, repr=False)
    # answers by host (a pure function of the host and this table): scans ask about the same hosts again and again
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)
    # each normalised service domain → (service, length of the domain as written); each normalised sink suffix →
    # (category rank, suffix rank, category, suffix as written). A host is looked up by its own label suffixes,
    # so an answer costs the host's labels, not the table's size: comparing every host with every domain made a
    # scan of many distinct hosts superlinear once the memos overflowed (issue 18's growth check)
    _domains: dict[str, list[tuple[Service, int]]] = field(default_factory=dict, compare=False, repr=False)
    _suffixes: dict[str, list[tuple[int, int, SinkCategory, str]]] = field(default_factory=dict, compare=False,
                                                                          repr=False)

    def __post_init__(self) -> None:
        env: dict[str, list[Service]] = {}
        tools: dict[str, list[Service]] = {}
        for svc in self.services:
            self._by_id[svc.id] = svc
            for name in svc.env:
                env.setdefault(name, []).append(svc)
            for tool in svc.tools:
                tools.setdefault(tool, []).append(svc)
        self._by_env.update({k: tuple(v) for k, v in env.items()})
        self._by_tool.update({k: tuple(v) for k, v in tools.items()})
        for svc in self.services:
            for d in svc.domains:
                if nd := normalize_host(d):
                    self._domains.setdefault(nd, []).append((svc, len(d)))
        for i, cat in enumerate(self.sinks):
            for j, suffix in enumerate(cat.suffixes):
                if ns := normalize_host(suffix):
                    self._suffixes.setdefault(ns, []).append((i, j, cat, suffix))

    def service(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def _remembered(self, kind: str, host: str, compute: Callable[[str], Any]) -> Any:
        key = (kind, host)
        if key not in self._memo:
            if len(self._memo) >= MEMO_HOSTS:
                self._memo.clear()
            self._memo[key] = compute(host)
        return self._memo[key]

    def for_host(self, host: str) -> tuple[Service, ...]:
        return self._remembered("for_host", host, self._for_host)  # type: ignore[no-any-return]

    def _for_host(self, host: str) -> tuple[Service, ...]:
        h = normalize_host(host)
        if not h:
            return ()
        best: dict[str, tuple[int, Service]] = {}  # service id → the longest of its domains the host is within
        for suffix in label_suffixes(h):
            for svc, length in self._domains.get(suffix, ()):
                if length > best.get(svc.id, (0, svc))[0]:
                    best[svc.id] = (length, svc)
        return tuple(svc for _, _, svc in sorted((-length, sid, svc) for sid, (length, svc) in best.items()))

    def for_env(self, name: str) -> tuple[Service, ...]:
        exact = self._by_env.get(name)
        if exact:
            return exact
        upper = name.upper()
        return tuple(s for s in self.services if any(upper.startswith(p) and len(upper) > len(p)
                                                     for p in s.env_prefixes))

    def for_tool(self, program: str) -> tuple[Service, ...]:
        base = program.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()
        base = base.removesuffix(".exe")
        return self._by_tool.get(base, ())

    def for_file(self, path: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if any(glob_match(g, path) for g in s.files))

    def sink(self, host: str) -> SinkMatch | None:
        return self._remembered("sink", host, self._sink)  # type: ignore[no-any-return]

    def _sink(self, host: str) -> SinkMatch | None:
        info = host_info(host)
        if info.kind == "ip":
            return SinkMatch("raw-ip", "a raw IP address", info.host)
        if not info.host or info.kind == "invalid":
            return None
        h = normalize_host(info.host)
        found = [m for s in label_suffixes(h) for m in self._suffixes.get(s, ())
                 if not (m[2].subdomains_only and info.host == m[3])] if h else []
        if not found:
            return None
        _, _, cat, suffix = min(found, key=lambda m: (m[0], m[1]))  # the first category, then suffix, listed
        return SinkMatch(cat.id, cat.label, suffix)

    def is_code_host(self, host: str) -> bool:
        return any(host_within(host, d) for d in self.code_hosts)

    def credential_store(self, path: str) -> str | None:
        for kind, globs in self.credential_stores:
            if any(glob_match(g, path) for g in globs):
                return kind
        return None


def _strs(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TableError(f"{key}: expected a list of strings")
    return tuple(value)


def build_table(data: Any) -> ServiceTable:
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise TableError("services table: expected a mapping with `services`")
    services = []
    for sid, entry in data["services"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise TableError(f"service {sid}: expected a mapping with a label")
        services.append(Service(
            str(sid), entry["label"], _strs(entry, "names"), _strs(entry, "proper_names"),
            tuple(d.lower() for d in _strs(entry, "domains")), tuple(h.lower() for h in _strs(entry, "hosts")),
            _strs(entry, "env"), _strs(entry, "env_prefixes"), _strs(entry, "files"), _strs(entry, "tools")))
    sinks = []
    for cid, entry in (data.get("sinks") or {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise TableError(f"sink {cid}: expected a mapping with a label")
        sinks.append(SinkCategory(str(cid), entry["label"], tuple(s.lower() for s in _strs(entry, "suffixes")),
                                  bool(entry.get("subdomains_only", False))))
    stores = []
    for kind, globs in (data.get("credential_stores") or {}).items():
        stores.append((str(kind), _strs({"g": globs}, "g")))
    return ServiceTable(tuple(services), tuple(sinks), tuple(stores),
                        tuple(h.lower() for h in _strs(data, "code_hosts")))


def table_path() -> Path:
    from skillscan.catalog import rules_dir

    return rules_dir() / "purpose" / "services.yaml"


@lru_cache(maxsize=4)
def _load(path: str) -> ServiceTable:
    from skillscan.ruledata import load_yaml_file

    return build_table(load_yaml_file(Path(path)))


def load_table(path: Path | None = None) -> ServiceTable:
    return _load(str(path or table_path()))
