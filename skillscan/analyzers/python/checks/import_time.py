"""py-import-time-network: a script with an entry point (`if __name__ == "__main__":`) also runs, at module
level outside that entry point, a call that contacts the network — a network API itself, or a function of
the same file that reaches one (through at most `MAX_CALL_DEPTH` local calls). Loading or running the script
for its stated job then also talks to a host, whatever arguments the user gives, before `main()` runs; the
author knew how to keep code out of import and did not for this call. A module with no entry point (a
plain script whose top level is its job) is not reported."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.model import Capability

RULE_IDS: tuple[str, ...] = ("py-import-time-network",)

MAX_CALL_DEPTH = 3  # local functions followed from the module-level call to the network API
MAX_REPORTS = 2


class ImportTimeChecks(Flows):
    def finish_import_time(self, module: cst.Module) -> None:
        body = list(module.body)
        if not any(_is_main_guard(s) for s in body):
            return
        defs = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
        reported = 0
        for stmt in body:
            if reported >= MAX_REPORTS:
                return
            for call in _top_level_calls(stmt):
                hit = self._network_call(call, defs, 0, set())
                if hit is None:
                    continue
                api, net = hit
                where = self.loc.location(self.path, net)
                who = self.module.code_for_node(call.func)
                via = "is a network call" if net is call else f"reaches {api} (line {where.line}), a network API,"
                self.emit("py-import-time-network",
                          f"the module-level call `{who}()` {via} and runs whenever the module is loaded, outside "
                          f"its `if __name__ == \"__main__\":` entry point", self.loc.location(self.path, call),
                          [Capability("net.egress", "*")] if net is call else (), related=[where])
                reported += 1
                break

    def _network_call(self, call: cst.Call, defs: dict[str, cst.FunctionDef], depth: int,
                      seen: set[str]) -> tuple[str, cst.Call] | None:
        """(API, call) of the network API this call is or reaches through local functions."""
        q = self.qualname(call.func)
        entry = self.capmap.lookup(q) if q else None
        if entry is not None and entry.kind == "net.egress":
            return q or "", call
        if not isinstance(call.func, cst.Name) or call.func.value not in defs or depth >= MAX_CALL_DEPTH or \
                call.func.value in seen:
            return None
        seen.add(call.func.value)
        for inner in _calls(defs[call.func.value].body):
            hit = self._network_call(inner, defs, depth + 1, seen)
            if hit is not None:
                return hit
        return None


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


def _calls(node: cst.CSTNode) -> Iterator[cst.Call]:
    """Every call under `node`, nested function and class bodies excluded."""
    stack = list(reversed(node.children))  # popped in source order
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(n, cst.Call):
            yield n
        stack.extend(reversed(n.children))
