"""`for` loops over known strings: the values the visitor follows the body with, and what it leaves out.

`for key in ["~/.ssh/id_rsa", "~/.aws/credentials"]: open(key)` reads two secrets, though the call names
neither: the visitor (`visitor.visit_For`) walks the body once per known value, with the loop's name bound
to that value. Walks are bounded three ways, and every value left out where it could matter is reported:

- `MAX_LOOP_VALUES` values of one loop;
- `MAX_LOOP_NODES` nodes walked again per file, over every loop (a body's size times its extra values:
  a long list over a large body, or loops inside loops, stop here);
- `MAX_LOOP_NEST` loops inside loops followed value by value; a deeper loop has its first value only.

A value left out *could matter* when the body hands the loop's name — or a name the body assigns from it —
to a call the analysis reads values of: an API of the capability map or a function of the module. A body
that only appends, compares or prints the value gives no finding whatever the value, and is not reported.

- `known_values(visitor, iter) -> (values, total)`: the first `MAX_LOOP_VALUES` known strings of the
  iterable (a literal list, tuple or set, or a name last bound to one) and how many it holds; `([], 0)`
  when any element is not a known string.
- `node_count(body) -> int`: the nodes a walk of `body` visits (counted up to `MAX_LOOP_NODES + 1`).
- `handed_to(visitor, body, name) -> str | None`: the callee the body hands the value to, or None.
- `header_line(visitor, node) -> int`: the line of the loop's `for … in …` header."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from skillscan.analyzers.python.values import Val
from skillscan.analyzers.python.walk import nodes_under as walk_nodes

MAX_LOOP_VALUES = 64  # known values of one `for` the body is followed with
MAX_LOOP_NODES = 100_000  # nodes walked again, per file, to follow loop bodies with their values
MAX_LOOP_NEST = 2  # loops inside loops followed value by value
MAX_DERIVED_PASSES = 4  # passes over the body's assignments to find the names built from the value


def known_values(visitor: Any, it: cst.BaseExpression) -> tuple[list[Val], int]:
    if isinstance(it, cst.Name):
        b = visitor.lookup(it.value)
        it = b.node if b is not None and isinstance(b.node, cst.BaseExpression) else it
    if not isinstance(it, (cst.List, cst.Tuple, cst.Set)) or not it.elements:
        return [], 0
    out: list[Val] = []
    for e in it.elements:
        if isinstance(e, cst.StarredElement):
            return [], 0
        if len(out) < MAX_LOOP_VALUES:
            v = visitor.value_of(e.value)
            if v is None or not v.exact or not isinstance(v.data, str):
                return [], 0
            out.append(v)
        elif not isinstance(e.value, (cst.SimpleString, cst.ConcatenatedString)):
            return [], 0  # past the bound only literals are counted as known: a name or a call is not
    return out, len(it.elements)


def node_count(body: cst.CSTNode) -> int:
    n = 0
    for _ in walk_nodes(body):
        n += 1
        if n > MAX_LOOP_NODES:
            break
    return n


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    return any(isinstance(n, cst.Name) and n.value in names for n in (node, *walk_nodes(node)))


def handed_to(visitor: Any, body: cst.CSTNode, name: str) -> str | None:
    nodes = list(walk_nodes(body))
    names = {name}
    assigns = [n for n in nodes if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign))]
    for _ in range(MAX_DERIVED_PASSES):
        before = len(names)
        for a in assigns:
            if a.value is not None and _mentions(a.value, names):
                targets = [t.target for t in a.targets] if isinstance(a, cst.Assign) else [a.target]
                names |= {n.value for t in targets for n in (t, *walk_nodes(t)) if isinstance(n, cst.Name)}
        if len(names) == before:
            break
    for call in nodes:
        if not isinstance(call, cst.Call) or not any(_mentions(a.value, names) for a in call.args):
            continue
        if isinstance(call.func, cst.Name):
            local = visitor.lookup(call.func.value)
            if local is not None and local.func is not None:
                return call.func.value
        q = visitor.qualname(call.func)
        if q is not None and visitor.capmap.lookup(q) is not None:
            return q
    return None


def header_line(visitor: Any, node: cst.For) -> int:
    """The line of `for <target> in <iter>` in the source (the first loop written so): the node's own text
    starts at the blank lines and comments before it, and a loop met again in a body walk has no place in the
    locator's pre-order cursor."""
    source: str = visitor.loc.source
    code = visitor.module.code_for_node
    m = re.search(r"(?<![\w.])for\s+" + re.escape(code(node.target)) + r"\s+in\s+" + re.escape(code(node.iter)[:200]),
                  source)
    return source.count("\n", 0, m.start()) + 1 if m else int(visitor.loc.location(visitor.path, node.iter).line)
