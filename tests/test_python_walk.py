"""`walk.children` lists a libcst node's children as libcst's own `children` property does (the same objects,
in the same order), for every node of a module that uses every kind of Python syntax: the checks that walk a
tree again after the visitor's pass read it instead of the property, for speed, and must see the same tree."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from skillscan.analyzers.python import walk

SYNTAX = '''
"""doc"""
from __future__ import annotations
import os.path as p, sys
from . import sibling
from ..pkg import (a as b, c,)
from m import *
@decorator(arg)
@other
async def f(x, /, y: int = 1, *args, z, w=2, **kw) -> "T":
    global G
    nonlocal_ = lambda q, *r, s=3, **t: q if r else s
    async with open(x) as fh, ctx() as (u, v):
        async for i in fh:
            await g(i)
    try:
        raise ValueError("x") from None
    except (KeyError, ValueError) as e:
        pass
    else:
        del x[0], y
    finally:
        assert x, "msg"
    try:
        pass
    except* OSError:
        pass
    while x:
        break
    else:
        continue
    return [i for i in y if i], {k: v for k, v in kw.items()}, {s for s in z}, (g for g in w)
class C(Base, metaclass=Meta):
    attr: int = 0
    def m(self):
        yield from self.n
        yield
x = a if b else c
y = f"{x!r:>{width}} {x=}" "tail", b"bytes" rb"raw"
z = x[1:2:3, ::, ...] @ y ** -z // 4 % 5 << 6 >> 7 & 8 | 9 ^ ~10
w = not a and b or c < d <= e != f is not g in h not in i
(n := 10)
v += 1; v -= 1; v *= 2; v /= 2; v //= 2; v %= 2; v **= 2; v >>= 1; v <<= 1; v &= 1; v |= 1; v ^= 1; v @= m
t = *a, *b
print(*args, **kwargs, sep="")
match command.split():
    case [action, obj] if obj:
        pass
    case {"k": v, **rest}:
        pass
    case Point(x=0, y=0) | None:
        pass
    case [1, 2, *others]:
        pass
    case str() as s:
        pass
    case _:
        pass
type Alias[T] = list[T]
def generic[T: int, *Ts, **P](a: T) -> T: ...
if __name__ == "__main__":
    f(1)
elif x:
    pass
else:
    pass
'''


def _nodes(module: cst.Module) -> list[cst.CSTNode]:
    out, stack = [], [module]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def _same(node: cst.CSTNode) -> bool:
    mine, theirs = list(walk.children(node)), list(node.children)
    return len(mine) == len(theirs) and all(a is b for a, b in zip(mine, theirs, strict=True))


def test_children_match_libcst_on_every_kind_of_syntax() -> None:
    nodes = _nodes(cst.parse_module(SYNTAX))
    kinds = {type(n) for n in nodes}
    assert {cst.Match, cst.TypeAlias, cst.FormattedStringExpression, cst.ImportFrom, cst.ImportStar,
            cst.TryStar, cst.NamedExpr, cst.Lambda}.issubset(kinds)
    assert [type(n).__name__ for n in nodes if not _same(n)] == []


def test_children_match_libcst_on_the_engine_itself() -> None:
    # real code of every shape the package has: the Python engine's own modules
    root = Path(walk.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in _nodes(cst.parse_module(path.read_text(encoding="utf-8"))):
            assert _same(node), (path.name, type(node).__name__)


def test_a_class_whose_visits_cannot_be_read_is_left_to_libcst(monkeypatch) -> None:
    def no_source(obj: object) -> str:
        raise OSError("no source")

    monkeypatch.setattr(walk.inspect, "getsource", no_source)
    monkeypatch.delitem(walk._ORDER_CACHE, cst.Call, raising=False)
    node = cst.parse_expression("f(a, b)")
    assert walk._visit_order(cst.Call) is None
    assert list(walk.children(node)) == list(node.children)
    monkeypatch.delitem(walk._ORDER_CACHE, cst.Call)  # read again, with the source, by the next user


def _skipped(node: cst.CSTNode) -> set[int]:
    """The children of `node` that sit in a field the walk skips (whitespace, commas, brackets, tokens)."""
    out: set[int] = set()
    for name in walk._SKIP_FIELDS:
        value = getattr(node, name, None)
        for item in value if isinstance(value, (tuple, list)) else [value]:
            if isinstance(item, cst.CSTNode):
                out.add(id(item))
    return out


def _code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    skipped = _skipped(node)
    return [c for c in node.children if id(c) not in skipped]


def _scope_walk(scope: cst.CSTNode) -> list[cst.CSTNode]:
    """One scope's code nodes as py-runs-written-code walked them before it listed them all in one walk: depth
    first, the last child first, a nested function's `def` listed but its body not entered (libcst's
    `children`, less the nodes of the fields the walk skips)."""
    out, stack = [], _code_children(scope)
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, cst.FunctionDef):
            stack.extend(_code_children(node))
    return out


# what the checks that walk a tree again look for: never inside a skipped field
CODE_TYPES = (cst.Call, cst.Name, cst.Attribute, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.For, cst.WithItem,
              cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.Dict, cst.List, cst.Tuple, cst.SimpleString,
              cst.FormattedString, cst.ConcatenatedString, cst.Subscript, cst.Arg, cst.Try, cst.If, cst.With,
              cst.IndentedBlock, cst.Else, cst.CompIf)


def _sources() -> list[str]:
    sources = [SYNTAX, "def outer():\n    def inner():\n        x = 1\n    y = inner()\nclass K:\n    def m(self): pass\n"]
    return sources + [p.read_text(encoding="utf-8") for p in sorted(Path(walk.__file__).parent.rglob("*.py"))]


def test_code_children_are_children_less_the_skipped_fields_and_those_hold_no_code() -> None:
    for source in _sources():
        for node in _scope_walk_all(cst.parse_module(source)):
            assert all(a is b for a, b in zip(walk.code_children(node), _code_children(node), strict=True))
            skipped = _skipped(node)
            for child in node.children:
                if id(child) in skipped:
                    assert not any(isinstance(n, CODE_TYPES) for n in [child, *_scope_walk_all(child)]), child


def test_one_walk_lists_each_scope_as_walking_it_apart_does() -> None:
    from skillscan.analyzers.python.checks.written_code import _scopes

    for source in _sources():
        module = cst.parse_module(source)
        functions = [n for n in _scope_walk_all(module) if isinstance(n, cst.FunctionDef)]
        expected = [_scope_walk(scope) for scope in [module, *functions]]
        got = _scopes(module)
        assert len(got) == len(expected)
        assert all(a is b for (a, _), b in zip(got, [module, *functions], strict=True))  # each scope named
        for (_, mine), theirs in zip(got, expected, strict=True):
            assert len(mine) == len(theirs) and all(a is b for a, b in zip(mine, theirs, strict=True))


def _scope_walk_all(module: cst.Module) -> list[cst.CSTNode]:
    out, stack = [], list(module.children)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out
