"""A pre-order walk over a libcst tree that calls a visitor's `visit_<Node>` / `leave_<Node>` methods, and
`children`: a node's children as libcst's `children` lists them, without its cost."""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Iterator, Sequence
from typing import Any

import libcst as cst

# Fields that never contain code worth visiting (whitespace, punctuation, operators as tokens).
_SKIP_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "colon", "dot", "equal", "whitespace_before", "whitespace_after",
    "whitespace_after_func", "whitespace_before_args", "whitespace_after_star", "whitespace_after_arg",
    "whitespace_before_colon", "whitespace_after_colon", "whitespace_before_indicator", "whitespace_after_indicator",
    "whitespace_after_def", "whitespace_after_name", "whitespace_before_params", "whitespace_after_class",
    "whitespace_after_for", "whitespace_before_in", "whitespace_after_in", "whitespace_after_if",
    "whitespace_after_while", "whitespace_after_with", "whitespace_after_import", "whitespace_after_from",
    "whitespace_before_import", "whitespace_after_return", "whitespace_after_await", "whitespace_after_lambda",
    "whitespace_after_async", "whitespace_after_except", "whitespace_after_yield", "whitespace_after_assert",
    "whitespace_after_del", "whitespace_after_global", "whitespace_after_nonlocal", "whitespace_after_raise",
    "whitespace_before_from", "whitespace_after_as", "whitespace_before_as", "whitespace_after_at",
    "whitespace_after_elif", "whitespace_after_match", "whitespace_after_case", "whitespace_before_else",
    "whitespace_after_else", "whitespace_before_if", "leading_lines", "lines_after_decorators", "header", "footer",
    "trailing_whitespace", "newline", "indent", "operator", "asynchronous", "walrus", "star_tok",
    "whitespace_before_walrus", "whitespace_after_walrus", "lbrace", "rbrace", "lbracket", "rbracket",
    "first_line", "empty_lines", "last_line",
})
_FIELD_CACHE: dict[type, tuple[str, ...]] = {}
# what a field's value is, by its type: 1 a node, 2 a sequence (of nodes or not), 0 neither. `isinstance(v, CSTNode)`
# goes through ABCMeta's `__instancecheck__` (a Python call) for every field of every node; a lookup by type gives
# the same answer (a parsed tree holds plain values: the answer depends on the type alone)
_KINDS: dict[type, int] = {}


def _kind(cls: type) -> int:
    kind = _KINDS[cls] = 1 if issubclass(cls, cst.CSTNode) else 2 if issubclass(cls, (tuple, list)) else 0
    return kind


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELD_CACHE.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _SKIP_FIELDS)
        orders: dict[type, tuple[str, ...]] = {cst.FunctionDef: ("decorators", "name", "params", "returns"),
                                               cst.ClassDef: ("decorators", "name", "bases", "keywords")}
        first = orders.get(cls)
        if first:  # source order, not field order
            names = first + tuple(n for n in names if n not in first)
        _FIELD_CACHE[cls] = names
    return names


def walk(visitor: Any, module: cst.Module) -> None:
    """Pre-order walk calling `visit_<Node>` / `leave_<Node>` like libcst's visitor, without libcst's
    node reconstruction (its `visit` rebuilds every node, several times the cost of the walk)."""
    visits: dict[type, Any] = {}
    leaves: dict[type, Any] = {}
    kinds = _KINDS
    # reports a check made about a node further down (checks/deferred.py): made when the walk reaches the node
    pending = getattr(visitor, "pending_at_node", None)
    flush = getattr(visitor, "flush_deferred", None)

    def go(node: cst.CSTNode) -> None:
        if pending and id(node) in pending:
            flush(node)
        cls = type(node)
        try:
            v = visits[cls]
            lv = leaves[cls]
        except KeyError:
            v = visits[cls] = getattr(visitor, "visit_" + cls.__name__, None)
            lv = leaves[cls] = getattr(visitor, "leave_" + cls.__name__, None)
        if v is None or v(node) is not False:
            for name in _child_fields(cls):
                value = getattr(node, name)
                kind = kinds.get(type(value))
                if kind is None:
                    kind = _kind(type(value))
                if kind == 1:
                    go(value)
                elif kind == 2:
                    for item in value:
                        if (kinds.get(type(item)) or _kind(type(item))) == 1:
                            go(item)
        if lv is not None:
            lv(node)

    go(module)


# `visit_required(self, "body", …)`, `visit_sequence(self, "lpar", …)`: the fields a node's
# `_visit_and_replace_children` visits, in the order it visits them
_VISITED_FIELD = re.compile(r'\bvisit_\w+\(\s*self,\s*"(\w+)"')
_ORDER_CACHE: dict[type, tuple[str, ...] | None] = {}


def _visit_order(cls: type) -> tuple[str, ...] | None:
    """The fields libcst visits for a node of `cls`, in its order (read once from the class's own
    `_visit_and_replace_children`); None when they cannot be read (no source), and `children` then asks
    libcst."""
    try:
        return _ORDER_CACHE[cls]
    except KeyError:
        pass
    order: tuple[str, ...] | None
    try:
        source = inspect.getsource(cls._visit_and_replace_children)  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        order = None
    else:
        fields = {f.name for f in dataclasses.fields(cls)}
        names = tuple(dict.fromkeys(_VISITED_FIELD.findall(source)))
        calls = len(re.findall(r"\bvisit_\w+\(", source.split("\n", 1)[-1]))  # past the `def` line
        # a leaf (whitespace, a comment) visits nothing; a visit this reading cannot name leaves it to libcst
        order = names if set(names) <= fields and calls == len(_VISITED_FIELD.findall(source)) else None
    _ORDER_CACHE[cls] = order
    return order


def children(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The node's immediate children, the same objects in the same (lexical) order as libcst's
    `node.children` (tests/test_python_walk.py), read from its fields: libcst's property rebuilds the node
    through a visitor to list them, which cost the checks that walk a tree again most of their time."""
    order = _visit_order(type(node))
    return node.children if order is None else _in_fields(node, order)


def _in_fields(node: cst.CSTNode, order: Sequence[str]) -> list[cst.CSTNode]:
    """The nodes held in the fields `order` names, in that order (a field holds a node or a sequence)."""
    out: list[cst.CSTNode] = []
    kinds = _KINDS
    for name in order:
        value = getattr(node, name)
        kind = kinds.get(type(value))
        if kind is None:
            kind = _kind(type(value))
        if kind == 1:
            out.append(value)
        elif kind == 2:
            out.extend(item for item in value if (kinds.get(type(item)) or _kind(type(item))) == 1)
    return out


_CODE_ORDER: dict[type, tuple[str, ...] | None] = {}


def code_children(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """`children` without the nodes of the fields the walk skips (`_SKIP_FIELDS`: whitespace, commas,
    brackets, operators as tokens, comments), which hold no code: the same code nodes in the same order,
    for the checks that walk a tree again (on real modules about a fifth of the nodes `children` lists)."""
    cls = type(node)
    try:
        order = _CODE_ORDER[cls]
    except KeyError:
        full = _visit_order(cls)
        order = _CODE_ORDER[cls] = None if full is None else tuple(n for n in full if n not in _SKIP_FIELDS)
    return node.children if order is None else _in_fields(node, order)


def nodes_under(node: cst.CSTNode, into_functions: bool = True) -> Iterator[cst.CSTNode]:
    """Every code node under `node` (`code_children`), depth-first, a node's last child first (a stack walk);
    the bodies of nested functions only with `into_functions` (their `def` node itself is listed)."""
    stack = list(code_children(node))
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, cst.FunctionDef) and not into_functions:
            continue
        stack.extend(code_children(n))
