"""Where a value comes from: credentials, credential stores, the environment, downloads, decoded data and
function parameters."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from skillscan.analyzers.envselect import EnvSelection
from skillscan.analyzers.python.callcaps import CallCapabilities
from skillscan.analyzers.python.envselect import Reader, comprehension_selection, filter_selection
from skillscan.analyzers.python.literals import call_arg
from skillscan.analyzers.python.names import (
    DECODERS,
    FLOW_KW_IGNORED,
    KEYCHAIN_TOOLS,
    MAX_EXPR_DEPTH,
    MAX_TAINTS,
    split_words,
)
from skillscan.analyzers.python.values import UNKNOWN, Source, host_of
from skillscan.capabilities.grammar import is_credential_env, normalize_binary, normalize_path, secret_kind_of_path
from skillscan.model import Capability


class Tainter(CallCapabilities):
    def taint_of(self, node: cst.BaseExpression | None, depth: int = 0) -> tuple[Source, ...]:
        if node is None or depth > MAX_EXPR_DEPTH:
            return ()
        try:
            return self._taint_of(node, depth)
        except RecursionError:
            return ()

    def _taint_of(self, node: cst.BaseExpression, depth: int) -> tuple[Source, ...]:
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            return b.taint if b is not None else ()
        if isinstance(node, cst.Attribute):
            if node.attr.value == "environ" and self.qualname(node) == "os.environ":
                return (self._source(node, "envdump", "os.environ", Capability("env.read", "*")),)
            return self.taint_of(node.value, depth + 1)
        if isinstance(node, cst.Subscript):
            if self.qualname(node.value) == "os.environ" and len(node.slice) == 1 and isinstance(
                    node.slice[0].slice, cst.Index):
                name = self.value_of(node.slice[0].slice.value)
                return self._env_source(node, name.text if name is not None and name.exact else None)
            return self.taint_of(node.value, depth + 1)
        if isinstance(node, cst.Call):
            chosen = filter_selection(node, self._reader())
            if chosen is not None:
                return self._selection(node, *chosen)
            own = self._call_sources(node)
            q = self.qualname(node.func)
            args = [a.value for a in node.args if not (a.keyword is not None and a.keyword.value in FLOW_KW_IGNORED)]
            out = list(own)
            if q in DECODERS or self._codec_of(node, q) is not None:
                out.extend(self._union(self.taint_of(a, depth + 1) for a in args))
                if not any(t.kind == "decoded" for t in out):
                    out.append(Source("decoded", q or "decode", self.loc.location(self.path, node)))
                return self._cap(out)
            if isinstance(node.func, cst.Name):
                b = self.lookup(node.func.value)
                if b is not None and b.func is not None:
                    out.extend(b.func.returns)
                    for _scope, kind in self._secret_reads_via(node, b.func):
                        out.append(Source("cred" if kind == "dotenv" else "store", kind,
                                          self.loc.location(self.path, node), Capability("secrets.read", kind)))
            if isinstance(node.func, cst.Attribute) and not self._env_method(q) and \
                    not any(t.kind == "envdump" for t in own):  # `os.environ.items()` is named once
                out.extend(self.taint_of(node.func.value, depth + 1))
            for a in args:
                out.extend(self.taint_of(a, depth + 1))
            return self._cap(out)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._cap(t for e in node.elements for t in self.taint_of(e.value, depth + 1))
        if isinstance(node, cst.Dict):
            out = []
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    out.extend(self.taint_of(e.key, depth + 1))
                    out.extend(self.taint_of(e.value, depth + 1))
                else:
                    out.extend(self.taint_of(e.value, depth + 1))
            return self._cap(out)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            chosen = comprehension_selection(node, self._reader())
            if chosen is not None:
                return self._selection(node, *chosen)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._cap(list(self.taint_of(node.elt, depth + 1)) + list(self._comp_taint(node.for_in, depth)))
        if isinstance(node, cst.DictComp):
            return self._cap(list(self.taint_of(node.key, depth + 1)) + list(self.taint_of(node.value, depth + 1))
                             + list(self._comp_taint(node.for_in, depth)))
        if isinstance(node, cst.BinaryOperation):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, cst.BooleanOperation):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, cst.IfExp):
            return self._cap(list(self.taint_of(node.body, depth + 1)) + list(self.taint_of(node.orelse, depth + 1)))
        if isinstance(node, cst.FormattedString):
            return self._cap(t for p in node.parts if isinstance(p, cst.FormattedStringExpression)
                             for t in self.taint_of(p.expression, depth + 1))
        if isinstance(node, cst.ConcatenatedString):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, (cst.Await, cst.StarredElement)):
            return self.taint_of(node.expression if isinstance(node, cst.Await) else node.value, depth + 1)
        return ()

    def _reader(self) -> Reader:
        return Reader(self.qualname, self.value_of, self.lookup)

    def _selection(self, node: cst.CSTNode, selection: EnvSelection, values: bool) -> tuple[Source, ...]:
        """The variables a comprehension or `filter` keeps by name: their values are a source (credential
        material when the names are credential-looking); their names alone are not."""
        if not values:
            return ()
        cap = Capability("secrets.read", "env:*") if selection.credential else Capability("env.read", "*")
        return (Source("envsel", selection.phrase(), self.loc.location(self.path, node), cap, selection=selection),)

    def loop_taint(self, taint: tuple[Source, ...], it: cst.BaseExpression, index: int,
                   count: int) -> tuple[Source, ...]:
        """What the `index`-th of `count` names of a `for` over `it` carries: the name of a selected variable
        (`for k, v in leak.items()`: k; `for k in leak`, `.keys()` of a selection built as a dict) does not
        carry the selection's values."""
        if not any(t.kind == "envsel" for t in taint):
            return taint
        method = it.func.attr.value if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) else ""
        base = it.func.value if method else it  # type: ignore[attr-defined]
        bound = self.lookup(base.value) if isinstance(base, cst.Name) else None
        built = bound.node if bound is not None else None
        is_dict = isinstance(built, cst.DictComp) or isinstance(built, cst.Call) and self.qualname(built.func) == "dict"
        keys = (method == "items" and count == 2 and index == 0) or (method in ("", "keys") and count == 1 and is_dict)
        return tuple(t for t in taint if t.kind != "envsel") if keys else taint

    def _env_method(self, q: str | None) -> bool:
        """`os.environ.get(NAME)`, `.setdefault`, `.pop`: the call reads or writes one variable, so the
        receiver `os.environ` does not make its value the whole environment (`.copy()`, `.items()` do,
        through their own capability)."""
        entry = self.capmap.lookup(q) if q and q.startswith("os.environ.") else None
        return entry is not None and entry.handler in ("env", "env_write")

    def _comp_taint(self, for_in: cst.CompFor, depth: int) -> list[Source]:
        out = list(self.taint_of(for_in.iter, depth + 1))
        if for_in.inner_for_in is not None:
            out.extend(self._comp_taint(for_in.inner_for_in, depth + 1))
        return out

    @staticmethod
    def _union(groups: Iterable[Iterable[Source]]) -> list[Source]:
        return [t for g in groups for t in g]

    @staticmethod
    def _cap(items: Iterable[Source]) -> tuple[Source, ...]:
        out: list[Source] = []
        seen: set[tuple[str, str, int]] = set()
        for t in items:
            key = (t.kind, t.label, t.location.line)
            if key in seen:
                continue
            seen.add(key)
            out.append(t)
            if len(out) >= MAX_TAINTS:
                break
        return tuple(out)

    def _source(self, node: cst.CSTNode, kind: str, label: str, cap: Capability | None) -> Source:
        return Source(kind, label, self.loc.location(self.path, node), cap)

    def _env_source(self, node: cst.CSTNode, name: str | None) -> tuple[Source, ...]:
        if name is None or not is_credential_env(name):
            return ()
        return (self._source(node, "cred", name, Capability("secrets.read", f"env:{name}")),)

    def _call_sources(self, node: cst.Call) -> tuple[Source, ...]:
        key = id(node)
        if key in self._source_cache:
            return self._source_cache[key]
        self._source_cache[key] = ()  # guards recursion
        out: list[Source] = []
        q = self.qualname(node.func)
        entry = self.capmap.lookup(q) if q else None
        if entry is not None:
            caps = self._caps_for(node, entry, q or "", quiet=True)
            loc = None
            for cap in caps:
                if cap.kind == "secrets.read":
                    src_kind = "cred" if (cap.scope or "").startswith(("env:", "dotenv", "user-config")) else "store"
                    if cap.scope == "user-config":
                        continue
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source(src_kind, cap.scope or "secret", loc, cap))
                elif cap == Capability("env.read", "*"):
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source("envdump", "os.environ" if (q or "").startswith("os.environ.") else "environment",
                                      loc, cap))
            if entry.source == "remote":
                url = self.value_of(call_arg(node, entry.arg, entry.kw))
                loc = loc or self.loc.location(self.path, node)
                out.append(Source("remote", url.text if url is not None else UNKNOWN, loc,
                                  Capability("net.egress", host_of(url.text) if url is not None else UNKNOWN)))
            if entry.handler in ("open", "path", "path_self"):
                pv = self._path_arg(node, entry)
                if pv is not None and pv.text in self._path_taint:
                    out.append(self._path_taint[pv.text])
            if entry.handler in ("subprocess", "shell"):
                # output of a command that reads a credential store (`security find-generic-password`, `cat ~/.ssh/id_rsa`)
                _, argv, command = self._process_caps(node, entry)
                words = argv or (split_words(command) if command else [])
                kind = "keychain" if words and normalize_binary(words[0]) in KEYCHAIN_TOOLS else None
                for w in words[1:]:
                    if kind is None and w.startswith(("~", "/", "$")):
                        kind = secret_kind_of_path(normalize_path(w))
                if kind:
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source("store", kind, loc, Capability("secrets.read", kind)))
        result = self._cap(out)
        self._source_cache[key] = result
        return result

    # ------------------------------------------------------------------ capabilities of a call

