"""Small value types shared by the visitor and the checks: resolved literals, taint sources, events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skillscan.analyzers.envselect import EnvSelection
from skillscan.capabilities.urls import literal_host
from skillscan.model import Capability, Location

UNKNOWN = "*"  # an unresolved part of a partly known string


@dataclass(frozen=True)
class Val:
    """A statically known value: text or bytes; `exact` is False when parts were unknown (shown as
    `*`); `chain` lists the decoders that were applied to literals to get it."""

    data: str | bytes
    exact: bool = True
    chain: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if isinstance(self.data, bytes):
            return self.data.decode("utf-8", "replace")
        return self.data

    @property
    def raw(self) -> bytes:
        if isinstance(self.data, bytes):
            return self.data
        return self.data.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Source:
    """Where tainted data came from. kind: store (credential store / secret file), envdump (the whole
    environment), envsel (the values of the variables whose names match a pattern: `selection`), cred
    (credential-looking env var, .env), remote (downloaded content), decoded (decoded literal or data),
    param (a function parameter: symbolic, resolved at call sites)."""

    kind: str
    label: str
    location: Location
    capability: Capability | None = None
    param: int | None = None
    func: str | None = None
    selection: EnvSelection | None = None


@dataclass
class FuncInfo:
    name: str
    params: list[str] = field(default_factory=list)
    returns: list[Source] = field(default_factory=list)
    values: list[Val | None] = field(default_factory=list)  # the value of each `return` (evaluate.returned)
    # (param index, sink kind, sink location, sink description, capability of the sink)
    param_sinks: list[tuple[int, str, Location, str, Capability | None]] = field(default_factory=list)
    # parameters used as a path that is read: (param index, qualified API)
    param_reads: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Binding:
    alias: str | None = None  # qualified name it stands for (imports, `x = subprocess.run`)
    type: str | None = None  # qualified type of the value (`socket.socket`, `pathlib.Path`, `open`)
    value: Val | None = None  # statically known string value
    node: object | None = None  # the expression last assigned (argv lists, decode chains)
    taint: tuple[Source, ...] = ()
    func: FuncInfo | None = None
    path: Val | None = None  # for file objects: the path opened
    items: dict[str, Val | None] | None = None  # string-keyed entries written into a dict (`d["k"] = v`)


def env_name_glob(v: Val | None) -> str | None:
    """The scope of a read of an environment variable whose name is computed: the known parts as a glob
    (`*_TOKEN`), or None (one variable the analysis cannot name) — never `*`, the whole environment."""
    if v is None or v.text.strip("*") == "" or not re.fullmatch(r"[A-Za-z0-9_*]+", v.text):
        return None
    return v.text


def host_of(url: str) -> str:
    """Host of a URL (or a bare host[:port]); `*` when it is not known."""
    return literal_host(url, UNKNOWN)
