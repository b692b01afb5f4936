"""py-import-time-network, py-import-time-write: a script with an entry point (`if __name__ == "__main__":`)
also runs, at module level outside that entry point, a call that contacts the network — a network API itself,
or a function of the same file that reaches one (through at most `MAX_CALL_DEPTH` local calls) — or that writes
a file with every error silenced (`try: … except Exception: pass` around the write). Loading or running the
script for its stated job then also talks to a host or edits a file, whatever arguments the user gives, before
`main()` runs; the author knew how to keep code out of import and did not for this call. A module with no
entry point (a plain script whose top level is its job) is not reported, nor a write whose errors surface."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import code_children as children
from skillscan.model import Capability

RULE_IDS: tuple[str, ...] = ("py-import-time-network", "py-import-time-write")

OPENERS = frozenset({"open", "builtins.open", "io.open"})
WRITE_METHODS = frozenset({"write_text", "write_bytes"})

MAX_CALL_DEPTH = 3  # local functions followed from the module-level call to the network API
MAX_REPORTS = 2


class ImportTimeChecks(Flows):
    # a report needs a network call of the capability map or a file write (open is in the map) — and the
    # `if __name__ == "__main__":` entry point
    TRIGGERS = Triggers(capmap=True, words=WRITE_METHODS, also=Triggers(words=frozenset({"__name__"})))

    def finish_import_time(self, module: cst.Module) -> None:
        body = list(module.body)
        if not any(_is_main_guard(s) for s in body):
            return
        defs = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
        self._reached: dict[tuple[str, bool, int], tuple[str, str, cst.Call] | None] = {}
        reported = 0
        for stmt in body:
            if reported >= MAX_REPORTS:
                return
            for call in _top_level_calls(stmt):
                hit = self._reach(call, defs, 0, set(), False)
                if hit is None:
                    continue
                kind, api, node = hit
                where = self.loc.location(self.path, node)
                who = self.module.code_for_node(call.func)
                if kind == "network":
                    via = "is a network call" if node is call else f"reaches {api} (line {where.line}), a network API,"
                else:
                    via = f"reaches {api} (line {where.line}), a file write whose every error is silenced,"
                self.emit(f"py-import-time-{kind}",
                          f"the module-level call `{who}()` {via} and runs whenever the module is loaded, outside "
                          f"its `if __name__ == \"__main__\":` entry point", self.loc.location(self.path, call),
                          [Capability("net.egress", "*")] if node is call and kind == "network" else (),
                          related=[where])
                reported += 1
                break

    def _reach(self, call: cst.Call, defs: dict[str, cst.FunctionDef], depth: int, seen: set[str],
               silenced: bool) -> tuple[str, str, cst.Call] | None:
        """(network | write, API, call) of the network API — or the silenced file write — this call is or
        reaches through local functions."""
        q = self.qualname(call.func)
        entry = self.capmap.lookup(q) if q else None
        if entry is not None and entry.kind == "net.egress":
            return "network", q or "", call
        if silenced and self._writes(call, q):
            return "write", q or self.module.code_for_node(call.func), call
        if not isinstance(call.func, cst.Name) or call.func.value not in defs or depth >= MAX_CALL_DEPTH or \
                call.func.value in seen:
            return None
        key = (call.func.value, silenced, depth)  # deeper, fewer calls are left to follow: the answer differs
        if key in self._reached:  # each function is walked once per depth (a module calling it n times stays linear)
            return self._reached[key]
        seen.add(call.func.value)
        found = None
        for inner, quiet in _calls(defs[call.func.value].body, silenced):
            found = self._reach(inner, defs, depth + 1, seen, quiet)
            if found is not None:
                break
        self._reached[key] = found
        return found

    def _writes(self, call: cst.Call, q: str | None) -> bool:
        if q in OPENERS and len(call.args) >= 2:
            mode = self.value_of(call.args[1].value)
            return mode is not None and any(c in mode.text for c in "wax+")
        if q in OPENERS:
            mode = self.value_of(next((a.value for a in call.args if a.keyword and a.keyword.value == "mode"), None))
            return mode is not None and any(c in mode.text for c in "wax+")
        return isinstance(call.func, cst.Attribute) and call.func.attr.value in WRITE_METHODS


def _is_main_guard(stmt: cst.BaseStatement) -> bool:
    if not isinstance(stmt, cst.If) or not isinstance(stmt.test, cst.Comparison):
        return False
    test = stmt.test
    parts = [test.left] + [c.comparator for c in test.comparisons]
    names = {p.value for p in parts if isinstance(p, cst.Name)}
    strings = {p.value.strip("\"'") for p in parts if isinstance(p, cst.SimpleString)}
    return "__name__" in names and "__main__" in strings


def _top_level_calls(stmt: cst.BaseStatement) -> Iterator[cst.Call]:
    """The calls a module-level statement makes when the module loads: expression statements and
    assignments of a call, also inside a module-level `try`/`with` (never a def, class or the main guard)."""
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            value = small.value if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign)) else None
            if isinstance(value, cst.Call):
                yield value
    elif isinstance(stmt, (cst.Try, cst.With)):
        for inner in stmt.body.body:
            yield from _top_level_calls(inner)


def _calls(node: cst.CSTNode, silenced: bool = False) -> Iterator[tuple[cst.Call, bool]]:
    """Every call under `node` in source order, nested function and class bodies excluded, each with whether a
    `try` around it silences every error."""
    stack: list[tuple[cst.CSTNode, bool]] = [(c, silenced) for c in reversed(children(node))]
    while stack:
        n, quiet = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(n, cst.Call):
            yield n, quiet
        if isinstance(n, cst.Try) and _silences(n):
            stack.extend((c, c is n.body or quiet) for c in reversed(children(n)))
            continue
        stack.extend((c, quiet) for c in reversed(children(n)))


def _silences(node: cst.Try) -> bool:
    """Every handler of the `try` catches everything (bare, Exception, BaseException) and does nothing."""
    if not node.handlers:
        return False
    for h in node.handlers:
        caught = h.type
        if caught is not None and not (isinstance(caught, cst.Name) and caught.value in ("Exception", "BaseException")):
            return False
        body = h.body.body if isinstance(h.body, cst.IndentedBlock) else []
        if not all(isinstance(st, cst.SimpleStatementLine) and all(isinstance(x, (cst.Pass, cst.Expr)) for x in st.body)
                   for st in body):
            return False
    return True
