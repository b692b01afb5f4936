"""The values a Python file takes from the other files of its package (`Package.shared_values`, built by
analyzers/shared_values.py before the workers start): a sibling module's constants (`from conf import KEYFILE`,
`import conf` … `conf.ENDPOINT`, `from .conf import …`) and a data file of the package loaded by a path the
evaluator resolves into the package (`json.load(open(os.path.join(os.path.dirname(__file__), "settings.json")))`,
`json.loads((Path(__file__).parent / "settings.json").read_text())`, `yaml.safe_load(…)`, `tomllib.load(…)`).

A value is handed to the evaluator as an expression node made from its literal text (parsed once per file), so
the module's own machinery — names, `d["key"]`, `for f in cfg["files"]` — reads it as if it were written
here. Where it came from is kept (`origins`: each string → the file and line it is written on) and said in the
findings it reaches (`annotate`); a file a bound left unread (`SharedFile.cut`) is reported where a name that
would have held its values reaches a call whose value stays unknown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import libcst as cst

from skillscan.analyzers.python.events import Event
from skillscan.analyzers.python.literals import call_arg
from skillscan.analyzers.python.names import MAX_EXPR_DEPTH
from skillscan.analyzers.python.values import Val
from skillscan.analyzers.shared_values import resolve_module
from skillscan.capabilities.urls import literal_host
from skillscan.model import Carrier, Location, SharedFile

LOADERS = {  # loader → whether it takes the text (`loads`) rather than a file object
    "json.load": False, "json.loads": True, "yaml.safe_load": True, "yaml.load": True, "yaml.full_load": True,
    "tomllib.load": False, "tomllib.loads": True, "toml.load": False, "toml.loads": True, "tomli.load": False,
    "tomli.loads": True}
OPENERS = frozenset({"open", "io.open", "codecs.open", "builtins.open"})
READS = frozenset({"read", "read_text", "read_bytes"})
MAX_NOTED = 4  # origins said in one finding
MAX_DICT = 64  # entries of a dict searched for a key (evaluate.MAX_ITEMS)


class Shared:
    """One file's view of the package's shared values."""

    def __init__(self, table: Mapping[str, SharedFile] | None, path: str, source: str) -> None:
        self.table = table or {}
        self.path = path.split("#", 1)[0]
        self.source = source
        self.paths = frozenset(self.table)
        self.modules: dict[str, str] = {}  # a name the file binds to a module of the package → its path
        self.origins: dict[str, tuple[str, int]] = {}  # a string handed out → (file, line) it is written at
        self.cuts: dict[str, str] = {}  # a name bound to a file a bound left unread → why
        self.taken: set[str] = set()  # the names the import being read bound to known values
        self._nodes: dict[tuple[str, str], cst.BaseExpression | None] = {}

    def __bool__(self) -> bool:
        return bool(self.table)

    def module(self, dotted: str, level: int = 0) -> str | None:
        """The package file an import names, when the table holds it."""
        return resolve_module(self.path, dotted, level, self.paths) if self.table else None

    def node(self, path: str, name: str) -> cst.BaseExpression | None:
        """The value `name` of `path` (`""`: a data file's content) as an expression, or None."""
        key = (path, name)
        if key in self._nodes:
            return self._nodes[key]
        entry = self.table.get(path)
        found = next((e for e in entry.names if e[0] == name), None) if entry is not None else None
        node = None
        if found is not None:
            try:
                node = cst.parse_expression(found[1])
            except Exception:  # noqa: BLE001 - a literal the builder wrote: never expected to fail
                node = None
            if node is not None:
                placed = dict(entry.lines) if entry is not None else {}
                for s in _strings(found[1]):
                    self.origins.setdefault(s, (path, placed.get(s, found[2])))
        self._nodes[key] = node
        return node

    def names(self, path: str) -> list[str]:
        """The constants a module of the package offers (`from conf import *`)."""
        entry = self.table.get(path)
        return [n for n, _, _ in entry.names if n and not n.startswith("_")] if entry is not None else []

    def cut(self, path: str) -> str:
        entry = self.table.get(path)
        return entry.cut if entry is not None else ""

    def bind_module(self, local: str, path: str) -> None:
        self.modules[local] = path

    def attribute(self, qualified: str | None) -> cst.BaseExpression | None:
        """`conf.ENDPOINT` for a module of the package bound to `conf`."""
        if not qualified or "." not in qualified or not self.modules:
            return None
        base, name = qualified.rsplit(".", 1)
        path = self.modules.get(base)
        return self.node(path, name) if path is not None else None

    def asset(self, value: str | None) -> str | None:
        """The data file of the package a resolved path names (`$PKG/scripts/settings.json`), when it is one the
        table holds."""
        if not value or not value.startswith("$PKG/"):
            return None
        import posixpath

        rel = posixpath.normpath(value[len("$PKG/"):])
        return rel if rel in self.table and not rel.startswith("../") else None

    def annotate(self, events: list[Event]) -> None:
        """Say in each finding where the shared values it names are written (the host of a URL, a path), when
        this file does not write them itself."""
        if not self.origins:
            return
        hosts: dict[str, tuple[str, int]] = {}
        for s, at in self.origins.items():
            host = literal_host(s) if "://" in s else "*"
            if host != "*" and s not in self.source:
                hosts.setdefault(host.lower(), at)
        own: list[list[tuple[str, tuple[str, int]]]] = []
        by_place: dict[tuple[int, int], list[tuple[str, tuple[str, int]]]] = {}
        for e in events:
            notes: list[tuple[str, tuple[str, int]]] = []
            for cap in e.capabilities:
                scope = cap.scope or ""
                at = hosts.get(scope.lower()) if cap.kind == "net.egress" else None
                if at is None and scope in self.origins and scope not in self.source:
                    at = self.origins[scope]
                if at is not None and (scope, at) not in notes:
                    notes.append((scope, at))
            own.append(notes)
            by_place.setdefault((e.location.line, e.location.column), []).extend(notes)
        for i, e in enumerate(events):
            notes = list(own[i])
            if e.flow is not None:  # a flow also says where the path its source reads is written
                for r in (r for r in e.related if r.path == e.location.path):
                    notes += [n for n in by_place.get((r.line, r.column), []) if n not in notes]
            if not notes:
                continue
            notes = notes[:MAX_NOTED]
            said = "; ".join(f"{scope} from {p}:{line}" for scope, (p, line) in notes)
            related = tuple(Location(p, line, 1) for _, (p, line) in notes)
            flow = e.flow
            if flow is not None and flow.host and not any(c.kind == "host" for c in flow.carriers):
                at = hosts.get(flow.host.lower())
                if at is not None:
                    flow = replace(flow, carriers=flow.carriers + (Carrier("host", flow.host, "", at[0], at[1]),))
            events[i] = replace(e, message=f"{e.message} ({said})",
                                related=e.related + tuple(r for r in related if r not in e.related), flow=flow)

    def unread(self, events: list[Event]) -> list[tuple[str, str, Location]]:
        """(name, why, where) for each name bound to a file left unread that a finding with an unknown value
        (`*`) names in its code; one place a name."""
        out: list[tuple[str, str, Location]] = []
        for name, why in self.cuts.items():
            pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
            for e in events:
                if any("*" in (c.scope or "") for c in e.capabilities) and pattern.search(e.location.snippet or ""):
                    out.append((name, why, e.location))
                    break
        return out


def bound_node(ev: Any, expr: cst.BaseExpression, depth: int = 0) -> cst.BaseExpression | None:
    """The expression a name, a package module's constant (`conf.FILES`) or an entry of a known dict
    (`cfg["files"]`, `cfg.get("files")`) stands for, or None."""
    if depth > MAX_EXPR_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        b = ev.lookup(expr.value)
        node = b.node if b is not None and isinstance(b.node, cst.BaseExpression) else None
        if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
            # `m = CONFIG["manifest"]` … `m["include"]`: a name bound to another known entry stands for it
            return bound_node(ev, node, depth + 1) or node
        return node
    if isinstance(expr, cst.Attribute):
        return ev.shared.attribute(ev.qualname(expr, depth + 1)) if ev.shared else None
    key_node: cst.BaseExpression | None = None
    container: cst.BaseExpression = expr
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        container, key_node = expr.value, expr.slice[0].slice.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" \
            and expr.args and expr.args[0].keyword is None:
        container, key_node = expr.func.value, expr.args[0].value
    if key_node is None:
        return None
    inner = bound_node(ev, container, depth + 1)
    if not isinstance(inner, cst.Dict) or len(inner.elements) > MAX_DICT:
        return None
    key = ev.value_of(key_node, depth + 1)
    if key is None or not key.exact:
        return None
    for e in inner.elements:
        if isinstance(e, cst.DictElement):
            k = ev.value_of(e.key, depth + 1)
            if k is not None and k.exact and k.text == key.text:
                return e.value
    return None


def loaded(ev: Any, value: cst.BaseExpression) -> tuple[str, cst.BaseExpression | None] | None:
    """(the package data file, its content as an expression — None when a bound left it unread) that a call
    loads: `json.load(open(P))`, `json.load(f)` of `f = open(P)`, `json.loads(Path(P).read_text())`,
    `yaml.safe_load(…)`, `tomllib.load(…)`, where P resolves to a data file of the package."""
    if not ev.shared or not isinstance(value, cst.Call) or not value.args or value.args[0].keyword:
        return None
    q = ev.qualname(value.func)
    if q not in LOADERS:
        return None
    arg = value.args[0].value
    path: Val | None = None
    if isinstance(arg, cst.Name):
        b = ev.lookup(arg.value)
        path = b.path if b is not None else None
    elif isinstance(arg, cst.Call):
        fq = ev.qualname(arg.func)
        if fq in OPENERS:
            path = ev.value_of(call_arg(arg, 0, "file"))
        elif isinstance(arg.func, cst.Attribute) and arg.func.attr.value in READS | {"open"}:
            inner = arg.func.value
            if isinstance(inner, cst.Call) and ev.qualname(inner.func) in OPENERS:
                inner = call_arg(inner, 0, "file") or inner
            path = ev.value_of(inner)
    asset = ev.shared.asset(path.text if path is not None and path.exact else None)
    if asset is None:
        return None
    return asset, (None if ev.shared.cut(asset) else ev.shared.node(asset, ""))


def _strings(literal: str) -> list[str]:
    """The strings of a literal the builder wrote (a `repr` of plain values), without evaluating it."""
    import ast

    try:
        tree = ast.parse(literal, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
