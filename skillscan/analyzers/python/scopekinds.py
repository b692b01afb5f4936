"""The nodes of one scope sorted by kind once, for py-runs-data-command, which reads a scope's assignments, calls
and `with` items again for the module and for each parameter it tries (up to 1 + 2 × MAX_PARAMS times a
function): filtering the whole list by `isinstance` each time cost more than the reading. And `field_parts`: the
parts of an expression its record-field test reads, listed once per expression instead of once per pass.

The kinds are told by `type(node) is …`: the parser builds these concrete libcst classes and nothing subclasses
them, so the test is `isinstance`'s answer without ABCMeta's `__instancecheck__` (tests/test_python_scopekinds.py
compares the two on real modules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from skillscan.analyzers.python.walk import nodes_under


@dataclass(frozen=True)
class ScopeNodes:
    """A scope's nodes of each kind, each list in the scope's order: `assigns` (`=`, annotated `=` and `for`),
    `calls`, `with_items`, `withs`, and `returns` (a `return` with a value)."""

    assigns: list[cst.Assign | cst.AnnAssign | cst.For]
    calls: list[cst.Call]
    with_items: list[cst.WithItem]
    withs: list[cst.With]
    returns: list[cst.Return]

    @classmethod
    def of(cls, nodes: Sequence[cst.CSTNode]) -> ScopeNodes:
        assigns: list[cst.Assign | cst.AnnAssign | cst.For] = []
        calls: list[cst.Call] = []
        with_items: list[cst.WithItem] = []
        withs: list[cst.With] = []
        returns: list[cst.Return] = []
        for n in nodes:
            kind = type(n)
            if kind is cst.Call:
                calls.append(n)  # type: ignore[arg-type]
            elif kind is cst.Assign or kind is cst.AnnAssign or kind is cst.For:
                assigns.append(n)  # type: ignore[arg-type]
            elif kind is cst.WithItem:
                with_items.append(n)  # type: ignore[arg-type]
            elif kind is cst.With:
                withs.append(n)  # type: ignore[arg-type]
            elif kind is cst.Return and n.value is not None:  # type: ignore[attr-defined]
                returns.append(n)  # type: ignore[arg-type]
        return cls(assigns, calls, with_items, withs, returns)


def field_parts(expr: cst.BaseExpression) -> list[tuple[str, cst.CSTNode | None]]:
    """What the record-field test reads in `expr` and under it, in walk order: (`name`, the node) for a subscript
    or a `.get(…)` call with arguments on a plain name (`t["cmd"]`, `t.get("cmd")`: a field when `name` holds a
    record), and (`name`, None) for a name (a field when `name` holds one)."""
    out: list[tuple[str, cst.CSTNode | None]] = []
    for n in [expr, *nodes_under(expr)]:
        kind = type(n)
        if kind is cst.Subscript:
            if type(n.value) is cst.Name:  # type: ignore[attr-defined]
                out.append((n.value.value, n))  # type: ignore[attr-defined]
        elif kind is cst.Call:
            func = n.func  # type: ignore[attr-defined]
            if type(func) is cst.Attribute and func.attr.value == "get" and type(func.value) is cst.Name and \
                    n.args:  # type: ignore[attr-defined]
                out.append((func.value.value, n))
        elif kind is cst.Name:
            out.append((n.value, None))  # type: ignore[attr-defined]
    return out
