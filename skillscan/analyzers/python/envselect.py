"""Environment selections in Python (analyzers/envselect.py): a comprehension or `filter` over `os.environ`
whose condition tests the variable's name against a pattern the code states, and whether what it keeps is
the values or only the names.

- `{k: v for k, v in os.environ.items() if any(s in k for s in ('KEY', 'TOKEN'))}`: values.
- `[os.environ[k] for k in os.environ if k.endswith('_TOKEN')]`, `{k: os.getenv(k) for k in os.environ if
  re.search('token|secret', k, re.I)}`: values.
- `filter(lambda kv: 'KEY' in kv[0], os.environ.items())`: values (the pairs).
- `[k for k in os.environ if k.endswith('_API_KEY')]`: names only.

`comprehension_selection(node, reader) -> (EnvSelection, values) | None`, and
`filter_selection(node, reader)` for `filter(lambda …, os.environ.items())`; None when the iteration is not over
the environment or the condition is not a test of the name this module reads. Literal terms may be bound to a name first
(`SENSITIVE = ['KEY', 'TOKEN']` … `any(s in k for s in SENSITIVE)`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from skillscan.analyzers.envselect import EnvSelection, from_regex
from skillscan.analyzers.python.walk import nodes_under



@dataclass(frozen=True)
class Reader:
    """What the selection reads the code with: qualified names, literal values, and a name's binding."""

    qualname: Callable[[cst.CSTNode], str | None]
    value_of: Callable[[cst.BaseExpression], object]
    lookup: Callable[[str], object]


ENV = "os.environ"
_CASE = frozenset({"upper", "lower", "casefold"})
_RE_TESTS = frozenset({"re.search", "re.match", "re.fullmatch"})
_VALUE_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.__getitem__", "os.environ.pop"})
MAX_TEST_DEPTH = 8


@dataclass(frozen=True)
class _Vars:
    key: str = ""  # the loop name holding the variable's name (`for k in os.environ`, `for k, v in …items()`)
    value: str = ""  # the loop name holding its value (`for k, v in os.environ.items()`)
    pair: str = ""  # a loop name holding (name, value) (`for kv in os.environ.items()`, `lambda kv:`)


def _env_iter(it: cst.BaseExpression, qualname: Callable[[cst.CSTNode], str | None]) -> str | None:
    """`keys` for `os.environ` / `os.environ.keys()`, `items` for `os.environ.items()`, else None."""
    if qualname(it) == ENV:
        return "keys"
    if isinstance(it, cst.Call) and not it.args and isinstance(it.func, cst.Attribute) and \
            qualname(it.func.value) == ENV and it.func.attr.value in ("keys", "items"):
        return it.func.attr.value
    return None


def _vars(target: cst.BaseAssignTargetExpression, kind: str) -> _Vars | None:
    if isinstance(target, cst.Name):
        return _Vars(key=target.value) if kind == "keys" else _Vars(pair=target.value)
    if kind == "items" and isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2 and \
            all(isinstance(e.value, cst.Name) for e in target.elements):
        k, v = (e.value.value for e in target.elements)  # type: ignore[attr-defined]
        return _Vars(key=k, value=v)
    return None


def _index(node: cst.Subscript) -> int | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        v = node.slice[0].slice.value
        if isinstance(v, cst.Integer):
            return int(v.value)
    return None


def _name_expr(e: cst.BaseExpression, v: _Vars) -> bool | None:
    """Whether `e` is the variable's name: None when not, False when it is as written, True when folded to one
    case (`k.upper()`)."""
    if isinstance(e, cst.Call) and not e.args and isinstance(e.func, cst.Attribute) and e.func.attr.value in _CASE:
        return True if _name_expr(e.func.value, v) is not None else None
    if isinstance(e, cst.Name) and v.key and e.value == v.key:
        return False
    if isinstance(e, cst.Subscript) and isinstance(e.value, cst.Name) and v.pair and e.value.value == v.pair and \
            _index(e) == 0:
        return False
    return None


def _strings(e: cst.BaseExpression, r: Reader) -> tuple[str, ...] | None:
    """The strings of a literal (or of a literal tuple, list or set, or of a name last bound to one)."""
    if isinstance(e, cst.Name):
        node = getattr(r.lookup(e.value), "node", None)
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            e = node
    if isinstance(e, (cst.Tuple, cst.List, cst.Set)):
        out = []
        for el in e.elements:
            got = _strings(el.value, r)
            if got is None:
                return None
            out.extend(got)
        return tuple(out)
    val = r.value_of(e)
    text = getattr(val, "data", None)
    return (text,) if isinstance(text, str) and getattr(val, "exact", False) and text else None


def _join(a: EnvSelection, b: EnvSelection) -> EnvSelection | None:
    if a.how == b.how and a.how in ("contain", "prefix", "suffix"):
        return EnvSelection(a.how, tuple(dict.fromkeys(a.terms + b.terms)), a.ignore_case or b.ignore_case)
    return None


def _test(e: cst.BaseExpression, v: _Vars, r: Reader, depth: int = 0) -> EnvSelection | None:
    """The selection a condition states on the variable's name, or None."""
    if depth > MAX_TEST_DEPTH:
        return None
    if isinstance(e, cst.BooleanOperation) and isinstance(e.operator, cst.Or):
        a = _test(e.left, v, r, depth + 1)
        b = _test(e.right, v, r, depth + 1)
        return _join(a, b) if a is not None and b is not None else None
    if isinstance(e, cst.Comparison) and len(e.comparisons) == 1 and isinstance(e.comparisons[0].operator, cst.In):
        case = _name_expr(e.comparisons[0].comparator, v)
        terms = _strings(e.left, r) if case is not None else None
        return EnvSelection("contain", terms, case is True) if terms else None
    if isinstance(e, cst.Call) and isinstance(e.func, cst.Name) and e.func.value == "any" and len(e.args) == 1 and \
            isinstance(e.args[0].value, cst.GeneratorExp):
        g = e.args[0].value
        f = g.for_in
        if f.ifs or f.inner_for_in is not None or not isinstance(f.target, cst.Name) or \
                not isinstance(g.elt, cst.Comparison) or len(g.elt.comparisons) != 1:
            return None
        cmp = g.elt
        terms = _strings(f.iter, r)
        if not terms or not isinstance(cmp.left, cst.Name) or cmp.left.value != f.target.value:
            return None
        case = _name_expr(cmp.comparisons[0].comparator, v)
        if isinstance(cmp.comparisons[0].operator, cst.In) and case is not None:
            return EnvSelection("contain", terms, case)
        return None
    if isinstance(e, cst.Call) and isinstance(e.func, cst.Attribute) and \
            e.func.attr.value in ("startswith", "endswith") and len(e.args) == 1:
        case = _name_expr(e.func.value, v)
        terms = _strings(e.args[0].value, r) if case is not None else None
        how = "prefix" if e.func.attr.value == "startswith" else "suffix"
        return EnvSelection(how, terms, case is True) if terms else None
    if isinstance(e, cst.Call) and r.qualname(e.func) in _RE_TESTS and len(e.args) >= 2:
        if _name_expr(e.args[1].value, v) is None:
            return None
        pattern = _strings(e.args[0].value, r)
        flags = e.args[2].value if len(e.args) > 2 else next(
            (a.value for a in e.args if a.keyword is not None and a.keyword.value == "flags"), None)
        ignore = flags is not None and r.qualname(flags) in ("re.I", "re.IGNORECASE")
        if not pattern or len(pattern) != 1:
            return None
        text = pattern[0]
        if r.qualname(e.func) == "re.match" and not text.startswith("^"):
            text = "^" + text
        return from_regex(text, ignore)
    return None


def _carries_value(e: cst.CSTNode, v: _Vars, qualname: Callable[[cst.CSTNode], str | None]) -> bool:
    """Whether an element expression reads a variable's value: the loop's value or pair name, `os.environ[k]`,
    `os.getenv(k)`, `os.environ.get(k)`."""
    for n in (e, *nodes_under(e)):
        if isinstance(n, cst.Name) and n.value and n.value in (v.value, v.pair):
            return True
        if isinstance(n, cst.Subscript) and qualname(n.value) == ENV:
            return True
        if isinstance(n, cst.Call) and qualname(n.func) in _VALUE_CALLS:
            return True
    return False


def comprehension_selection(node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
                            r: Reader) -> tuple[EnvSelection, bool] | None:
    f = node.for_in
    kind = _env_iter(f.iter, r.qualname)
    if kind is None or f.inner_for_in is not None or len(f.ifs) != 1:
        return None
    v = _vars(f.target, kind)
    sel = _test(f.ifs[0].test, v, r) if v is not None else None
    if sel is None or v is None:
        return None
    parts: list[cst.CSTNode] = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
    return EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), any(_carries_value(p, v, r.qualname) for p in parts)


def filter_selection(node: cst.Call, r: Reader) -> tuple[EnvSelection, bool] | None:
    """`filter(lambda kv: 'KEY' in kv[0], os.environ.items())`, `filter(lambda k: k.endswith('_TOKEN'), os.environ)`."""
    if not (isinstance(node.func, cst.Name) and node.func.value == "filter" and len(node.args) == 2):
        return None
    fn, it = node.args[0].value, node.args[1].value
    kind = _env_iter(it, r.qualname)
    if kind is None or not isinstance(fn, cst.Lambda) or len(fn.params.params) != 1:
        return None
    name = fn.params.params[0].name.value
    v = _Vars(key=name) if kind == "keys" else _Vars(pair=name)
    sel = _test(fn.body, v, r)
    if sel is None:
        return None
    return EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), kind == "items"


def loop_selection(node: cst.For, r: Reader) -> tuple[EnvSelection, cst.If] | None:
    """`for k, v in os.environ.items():` whose body does its work only under a test of the variable's name: one
    `if <test>:` (no `else`) as the whole body, or `if not <test>: continue` as its first statement. The loop's
    names then carry the variables the test keeps, not the whole environment; the `if` is where it says so."""
    kind = _env_iter(node.iter, r.qualname)
    v = _vars(node.target, kind) if kind is not None else None
    if v is None or not isinstance(node.body, cst.IndentedBlock) or not node.body.body or node.orelse is not None:
        return None
    first, rest = node.body.body[0], node.body.body[1:]
    if not isinstance(first, cst.If) or first.orelse is not None:
        return None
    test: cst.BaseExpression | None = first.test if not rest else None
    if isinstance(first.test, cst.UnaryOperation) and isinstance(first.test.operator, cst.Not) and _only_continue(first):
        test = first.test.expression
    sel = _test(test, v, r) if test is not None else None
    return (EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), first) if sel is not None else None


def _only_continue(node: cst.If) -> bool:
    """`if …: continue` (on one line or as the whole indented block)."""
    lines = node.body.body
    if isinstance(node.body, cst.IndentedBlock):
        lines = lines[0].body if len(lines) == 1 and isinstance(lines[0], cst.SimpleStatementLine) else ()
    return len(lines) == 1 and isinstance(lines[0], cst.Continue)

