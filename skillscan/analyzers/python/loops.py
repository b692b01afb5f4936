"""`for` loops over known strings: the values the visitor follows the body with, and what it leaves out.

`for key in ["~/.ssh/id_rsa", "~/.aws/credentials"]: open(key)` reads two secrets, though the call names
neither: the visitor (`visitor.visit_For`) walks the body once per known value, with the loop's name bound
to that value (`for name, cmd in TABLE.items()`: each name to its part of the row). Walks are bounded three ways, and every value left out where it could matter is reported:

- `MAX_LOOP_VALUES` values of one loop;
- `MAX_LOOP_NODES` nodes walked again per file, over every loop (a body's size times its extra values:
  a long list over a large body, or loops inside loops, stop here);
- `MAX_LOOP_NEST` loops inside loops followed value by value; a deeper loop has its first value only.

A value left out *could matter* when the body hands the loop's name — or a name the body assigns from it —
to a call the analysis reads values of: an API of the capability map or a function of the module. A body
that only appends, compares or prints the value gives no finding whatever the value, and is not reported.

- `loop_names(target)`: the names a loop binds (`for k in`, `for k, v in`).
- `known_rows(visitor, names, iter) -> (rows, total)`: the first `MAX_LOOP_VALUES` rows of known strings the
  loop binds its names to — the elements of a literal list, tuple or set, or of a name last bound to one (tuples
  of strings for `for a, b in`), or the keys, values or items of a dict literal — and how many rows there are;
  `([], 0)` when any row is not known strings.
- `known_sequences(visitor, iter) -> (rows, total)`: for one name over tuples or lists of known strings, the
  rows as expressions (the name is bound to each row's expression, so `"".join(parts)` folds).
- `node_count(body) -> int`: the nodes a walk of `body` visits (counted up to `MAX_LOOP_NODES + 1`).
- `handed_to(visitor, body, names) -> str | None`: the callee the body hands a loop value to, or None.
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


def _strings(visitor: Any, exprs: list[cst.BaseExpression]) -> tuple[Val, ...] | None:
    out = []
    for e in exprs:
        v = visitor.value_of(e)
        if v is None or not v.exact or not isinstance(v.data, str):
            return None
        out.append(v)
    return tuple(out)


def _literal(e: cst.BaseExpression) -> bool:
    if isinstance(e, (cst.Tuple, cst.List)):
        return all(not isinstance(x, cst.StarredElement) and _literal(x.value) for x in e.elements)
    return isinstance(e, (cst.SimpleString, cst.ConcatenatedString))


def _bound(visitor: Any, e: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(e, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):  # a name, `conf.FILES`, `cfg["files"]`,
        node = visitor.bound_node(e)  # `cfg.get("files", [])`
        if node is not None:
            return node
    return e


def _table(visitor: Any, it: cst.BaseExpression, width: int) -> list[list[cst.BaseExpression]] | None:
    """The rows of expressions a loop of `width` names iterates over, or None: the elements of a list, tuple or
    set (each a tuple or list of `width` when `width` > 1; with their index under `enumerate(…)`), or the keys,
    values or items of a dict literal."""
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and not it.args and \
            it.func.attr.value in ("keys", "values", "items"):
        d = _bound(visitor, it.func.value)
        part = it.func.attr.value
        if not isinstance(d, cst.Dict) or not all(isinstance(x, cst.DictElement) for x in d.elements):
            return None
        if (width == 2) != (part == "items"):
            return None
        return [[x.key, x.value] if part == "items" else [x.key if part == "keys" else x.value]
                for x in d.elements if isinstance(x, cst.DictElement)]
    counted = False
    if isinstance(it, cst.Call) and visitor.qualname(it.func) == "enumerate" and width == 2 and \
            len(it.args) == 1 and it.args[0].keyword is None:
        it, width, counted = it.args[0].value, 1, True  # `for i, p in enumerate(PATHS)`: (index, element) rows
    it = _bound(visitor, it)
    if not isinstance(it, (cst.List, cst.Tuple, cst.Set)):
        return None
    rows = []
    for n, e in enumerate(it.elements):
        if isinstance(e, cst.StarredElement):
            return None
        if counted:
            rows.append([cst.Integer(str(n)), e.value])
        elif width == 1:
            rows.append([e.value])
        elif isinstance(e.value, (cst.Tuple, cst.List)) and len(e.value.elements) == width and \
                not any(isinstance(x, cst.StarredElement) for x in e.value.elements):
            rows.append([x.value for x in e.value.elements])
        else:
            return None
    return rows


def loop_names(target: cst.BaseExpression) -> tuple[str, ...]:
    """The names a `for` binds, when they are plain names (`for k in`, `for k, v in`); else ()."""
    if isinstance(target, cst.Name):
        return (target.value,)
    if isinstance(target, (cst.Tuple, cst.List)) and target.elements and \
            all(isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements):
        return tuple(e.value.value for e in target.elements if isinstance(e.value, cst.Name))
    return ()


def known_rows(visitor: Any, names: tuple[str, ...], it: cst.BaseExpression) -> tuple[list[tuple[Val, ...]], int]:
    """(the first MAX_LOOP_VALUES rows of known strings the loop binds its names to, how many rows it has);
    ([], 0) when a row in the bound holds anything else, or one past it is not a literal."""
    table = _table(visitor, it, len(names)) if names else None
    if not table:
        return [], 0
    rows: list[tuple[Val, ...]] = []
    for exprs in table:
        if len(rows) < MAX_LOOP_VALUES:
            row = _strings(visitor, exprs)
            if row is None:
                return [], 0
            rows.append(row)
        elif not all(_literal(e) for e in exprs):
            return [], 0  # past the bound only literals are counted as known: a name or a call is not
    return rows, len(table)


def known_sequences(visitor: Any, it: cst.BaseExpression) -> tuple[list[cst.BaseExpression], int]:
    """For a loop of one name over rows that are tuples or lists of known strings (`for parts in [("~/", ".ssh/",
    "id_rsa"), …]: "".join(parts)`): (the first MAX_LOOP_VALUES rows as expressions, how many rows there are);
    ([], 0) when any row in the bound is anything else."""
    table = _table(visitor, it, 1)
    if not table:
        return [], 0
    rows: list[cst.BaseExpression] = []
    for (e,) in table:
        if not isinstance(e, (cst.Tuple, cst.List)) or not e.elements or \
                any(isinstance(x, cst.StarredElement) for x in e.elements):
            return [], 0
        if len(rows) < MAX_LOOP_VALUES:
            if _strings(visitor, [x.value for x in e.elements]) is None:
                return [], 0
            rows.append(e)
        elif not all(_literal(x.value) for x in e.elements):
            return [], 0
    return rows, len(table)


def node_count(body: cst.CSTNode) -> int:
    n = 0
    for _ in walk_nodes(body):
        n += 1
        if n > MAX_LOOP_NODES:
            break
    return n


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    return any(isinstance(n, cst.Name) and n.value in names for n in (node, *walk_nodes(node)))


def handed_to(visitor: Any, body: cst.CSTNode, loop: tuple[str, ...]) -> str | None:
    nodes = list(walk_nodes(body))
    # the names built from the value, however many assignments away: each assignment links the names its value
    # reads to the names it binds, read once, and the links are followed from the loop's names (no pass count)
    feeds: dict[str, set[str]] = {}
    for a in nodes:
        if isinstance(a, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and a.value is not None:
            targets = [t.target for t in a.targets] if isinstance(a, cst.Assign) else [a.target]
            bound = {n.value for t in targets for n in (t, *walk_nodes(t)) if isinstance(n, cst.Name)}
            for n in (a.value, *walk_nodes(a.value)):
                if isinstance(n, cst.Name):
                    feeds.setdefault(n.value, set()).update(bound)
    names = set(loop)
    frontier = list(loop)
    while frontier:
        for t in feeds.get(frontier.pop(), ()):
            if t not in names:
                names.add(t)
                frontier.append(t)
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
