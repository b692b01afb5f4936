"""The ground of one pass: per-pass state, scopes and names (imports, aliases, qualified names, types) and
the emission of events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import libcst as cst

from skillscan.analyzers.base import more_note
from skillscan.analyzers.python.capmap import CapMap
from skillscan.analyzers.python.carriers import HostCarrier
from skillscan.analyzers.python.events import Event, Result
from skillscan.analyzers.python.literals import call_arg
from skillscan.analyzers.python.locator import Locator
from skillscan.analyzers.python.names import MAX_EVENTS, MAX_EXPR_DEPTH, PATHLIB_ONLY
from skillscan.analyzers.python.shared import Shared
from skillscan.analyzers.python.values import Binding, FuncInfo, Source, Val
from skillscan.model import Capability, Carrier, Confidence, Flow, Location, Severity, SharedFile


class Scope(cst.CSTVisitor):
    def __init__(self, module: cst.Module, source: str, path: str, capmap: CapMap, shell: Any | None,
                 confidence_cap: Confidence = Confidence.HIGH, shared: Mapping[str, SharedFile] | None = None) -> None:
        super().__init__()
        self.module = module
        self.path = path
        self.capmap = capmap
        self.shell = shell  # the shell analyzer module (lazy import), or None
        self.confidence_cap = confidence_cap
        self.loc = Locator(module, source)
        self.shared = Shared(shared, path, source)  # values from the package's other files (python/shared.py)
        self.scopes: list[dict[str, Binding]] = [{}]
        self.funcs: list[FuncInfo] = []
        self.result = Result()
        self._qual_cache: dict[int, str | None] = {}
        self._source_cache: dict[int, tuple[Source, ...]] = {}
        self._store_targets: set[int] = set()
        self._env_kw_nodes: set[int] = set()
        self._decode_candidates: dict[int, tuple[cst.CSTNode, Val]] = {}
        self._consumed_literals: set[int] = set()
        self._executed: set[int] = set()  # nodes passed to exec/eval/subprocess
        self._guess_literals: list[tuple[cst.SimpleString, str]] = []
        self._split_seen: set[int] = set()  # `+` chains already read (checks/decoded.py)
        self._split_payloads: list[tuple[cst.CSTNode, str]] = []  # code written as literals split inside a word
        self._path_taint: dict[str, Source] = {}  # path value → source (downloaded file, copied store)
        self._deferred_calls: list[tuple[str, list[tuple[int | str, tuple[Source, ...]]], Location]] = []
        self._flow_seen: set[tuple[str, int, int, str]] = set()
        # one flow finding per rule and location: (rule, path, line, column) → (event, [(verb, what, where)])
        self._flow_events: dict[tuple[str, str, int, int], tuple[Event, list[tuple[str, str, str]]]] = {}
        self._hosts = HostCarrier(module, source, path)  # where a flow's host is written (python/carriers.py)
        self._sink_hosts: dict[tuple[int, int], Carrier] = {}  # by the sink's (line, column)
        self._socket_connects: list[Location] = []
        self._dup2: list[Location] = []
        self._shell_spawns: list[Location] = []
        self._star_imports: list[str] = []
        self._mining = capmap.pattern("mining_url")
        self._miners = capmap.words("miner_binaries")
        self._interpreters = capmap.words("interpreters")
        self._shells = capmap.words("shells")
        self._tls_off_calls = frozenset(capmap.indicators.get("tls_off_calls", []) or [])
        self._home_env = frozenset(capmap.indicators.get("home_env", ["HOME"]) or [])
        self.shell_findings: list[Any] = []
        self._deferred_funcs: dict[str, FuncInfo] = {}
        self._deferred_caller: dict[int, FuncInfo] = {}

    # ------------------------------------------------------------------ scopes and names

    def lookup(self, name: str) -> Binding | None:
        for scope in reversed(self.scopes):
            b = scope.get(name)
            if b is not None:
                return b
        return None

    def bind(self, name: str, binding: Binding) -> None:
        self.scopes[-1][name] = binding


    def qualname(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """The fully qualified name an expression refers to, through imports and aliases."""
        key = id(node)
        if key in self._qual_cache:
            return self._qual_cache[key]
        result = self._qualname(node, depth)
        self._qual_cache[key] = result
        return result

    def _qualname(self, node: cst.BaseExpression, depth: int) -> str | None:
        if depth > MAX_EXPR_DEPTH:
            return None
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            if b is not None:
                if b.alias:
                    return b.alias
                if b.type:
                    return b.type
                return None
            for mod in self._star_imports:
                if self.capmap.lookup(f"{mod}.{node.value}") is not None:
                    return f"{mod}.{node.value}"
            return node.value
        if isinstance(node, cst.Attribute):
            base = self.qualname(node.value, depth + 1)
            if base is None:
                base = self.type_of(node.value, depth + 1)
            if base is None and node.attr.value in PATHLIB_ONLY:
                base = "pathlib.Path"
            return f"{base}.{node.attr.value}" if base else None
        if isinstance(node, cst.Call):
            func = self.qualname(node.func, depth + 1)
            if func in ("__import__", "importlib.import_module", "builtins.__import__"):
                v = self.value_of(call_arg(node, 0, "name"), depth + 1)
                return v.text if v is not None and v.exact else None
            if func in ("getattr", "builtins.getattr"):
                positional = [a.value for a in node.args if a.keyword is None]
                if len(positional) >= 2:
                    base = self.qualname(positional[0], depth + 1) or self.type_of(positional[0], depth + 1)
                    attr = self.value_of(positional[1], depth + 1)
                    if base and attr is not None and attr.exact:
                        return f"{base}.{attr.text}"
            return None
        return None

    def type_of(self, node: cst.BaseExpression | None, depth: int = 0) -> str | None:
        if node is None or depth > MAX_EXPR_DEPTH:
            return None
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            return b.type if b is not None else None
        if isinstance(node, cst.Call):
            q = self.qualname(node.func, depth + 1)
            if q is None:
                return None
            if q in self.capmap.instances:
                return self.capmap.instances[q]
            if q.startswith("pathlib.Path.") and q.rsplit(".", 1)[1] in ("resolve", "absolute", "expanduser",
                                                                         "joinpath", "with_name", "with_suffix"):
                return "pathlib.Path"
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide) and \
                self.type_of(node.left, depth + 1) == "pathlib.Path":
            return "pathlib.Path"
        if isinstance(node, cst.Attribute) and node.attr.value == "parent" and \
                self.type_of(node.value, depth + 1) == "pathlib.Path":
            return "pathlib.Path"
        return None

    # ------------------------------------------------------------------ literal resolution


    def emit(self, rule_id: str, message: str, location: Location, caps: Iterable[Capability] = (), *,
             confidence: Confidence | None = None, severity: Severity | None = None,
             related: Iterable[Location] = (), decoded: str | None = None, flow: Flow | None = None) -> None:
        if len(self.result.events) >= MAX_EVENTS:
            self.result.dropped["findings"] = self.result.dropped.get("findings", 0) + 1
            return
        conf = confidence
        if conf is not None and conf > self.confidence_cap:
            conf = self.confidence_cap
        if conf is None and self.confidence_cap < Confidence.HIGH:
            conf = self.confidence_cap
        self.result.events.append(Event(rule_id, message, location, tuple(caps), conf, severity, tuple(related),
                                        decoded, flow))

    def over_cap(self, rule_id: str, limit: int, more: int = 1) -> None:
        """`more` places of `rule_id` were left unreported by its per-module cap of `limit`: the last report of
        the rule says how many (`note_caps`, at the end of the module), so the cap drops nothing in silence."""
        capped: dict[str, tuple[int, int]] = self.__dict__.setdefault("_capped", {})
        capped[rule_id] = (capped.get(rule_id, (0, limit))[0] + more, limit)

    def emit_first(self, rule_id: str, limit: int,
                   places: list[tuple[Location, str | Callable[[], str], dict[str, Any]]]) -> None:
        """Report the first `limit` of `places` (where, the message or what makes it, `emit`'s other arguments) in
        source order; the rest are counted for the note (`over_cap`)."""
        places = sorted(places, key=lambda p: (p[0].line, p[0].column))
        if len(places) > limit:
            self.over_cap(rule_id, limit, len(places) - limit)
        for where, message, extra in places[:limit]:
            self.emit(rule_id, message if isinstance(message, str) else message(), where, **extra)

    def note_shared(self) -> None:
        """Where values from the package's other files came from, said in the findings they reach; a file a bound
        left unread, reported where a name that would have held its values reaches a call left unknown."""
        if not self.shared:
            return
        self.shared.annotate(self.result.events)
        for name, why, where in self.shared.unread(self.result.events):
            self.emit("analysis-incomplete", f"{self.path}:{where.line}: `{name}` holds values of another file of "
                      f"the package that were not read, so what this call uses is not known: {why}", where)

    def note_caps(self) -> None:
        """The note of each capped rule, on its last report in source order (the latest emitted on a tie)."""
        events = self.result.events
        for rule_id, (more, limit) in self.__dict__.pop("_capped", {}).items():
            own = [i for i, e in enumerate(events) if e.rule_id == rule_id]
            at = max(own, key=lambda i: (events[i].location.line, events[i].location.column, i)) if own else None
            if at is not None:
                events[at] = replace(events[at], message=events[at].message + more_note(more, limit, "module"))

    # ------------------------------------------------------------------ visitor: imports and scopes
