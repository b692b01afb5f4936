"""Folding of literal values (string literals, %- and {}-formatting, concatenation) and argument access on a
libcst call."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import libcst as cst

from skillscan.analyzers.python.values import UNKNOWN, Val


def string_value(node: cst.SimpleString) -> str | bytes | None:
    try:
        value = ast.literal_eval(node.value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (str, bytes)) else None


MAX_VALUE = 1 << 20  # characters of a folded value


def format_percent(fmt: str, args: list[str]) -> str:
    it = iter(a[:65536] for a in args[:256])

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        return next(it, UNKNOWN)

    return re.sub(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdrifgeExXoca]", repl, fmt)


def format_braces(fmt: str, args: list[str], kwargs: dict[str, str]) -> str:
    counter = iter(range(10_000))
    budget = [MAX_VALUE]
    args = [a[:65536] for a in args[:256]]
    kwargs = {k: v[:65536] for k, v in list(kwargs.items())[:256]}

    def repl(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        name = m.group(1).split("!", 1)[0].split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
        if name == "":
            idx = next(counter)
            out = args[idx] if idx < len(args) else UNKNOWN
        elif name.isdigit():
            out = args[int(name)] if len(name) < 4 and int(name) < len(args) else UNKNOWN
        else:
            out = kwargs.get(name, UNKNOWN)
        budget[0] -= len(out)
        return out if budget[0] > 0 else UNKNOWN

    return re.sub(r"\{\{|\}\}|\{([^{}]*)\}", repl, fmt)




def concat(parts: Sequence[Val | None]) -> Val | None:
    if all(p is None for p in parts):
        return None
    if sum(len(p.data) for p in parts if p is not None) > MAX_VALUE:
        return None
    out_bytes = any(p is not None and isinstance(p.data, bytes) for p in parts)
    exact = all(p is not None and p.exact for p in parts)
    chain: tuple[str, ...] = ()
    for p in parts:
        if p is not None and p.chain:
            chain = p.chain
    if out_bytes:
        data: str | bytes = b"".join(p.raw if p is not None else b"*" for p in parts)
    else:
        data = "".join(p.text if p is not None else UNKNOWN for p in parts)
    return Val(data, exact, chain)


def call_kwarg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a.value
    return None


def call_arg(call: cst.Call, index: int | None, kw: str | None) -> cst.BaseExpression | None:
    if kw:
        v = call_kwarg(call, kw)
        if v is not None:
            return v
    if index is None:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index].value if index < len(positional) else None


def is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True" or (
        isinstance(node, cst.Integer) and node.value not in ("0",))


def is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False" or (isinstance(node, cst.Integer) and node.value == "0")

