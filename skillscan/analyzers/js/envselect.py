"""Environment selections in JavaScript/TypeScript (analyzers/envselect.py): `Object.entries(process.env)`
(or `Object.keys`) filtered by a test of the variable's name the code states — `/key|secret/i.test(k)`,
`k.includes('TOKEN')`, `k.startsWith('AWS_')`, `k.endsWith('_KEY')`, `k.toUpperCase()…`, joined with `||` —
and whether what it keeps is the values (`Object.entries`) or the names only (`Object.keys`).

- `selection(parsed, values, call) -> (EnvSelection, values) | None` for the `.filter(…)` call.
- `loop_iterable(parsed, node, name)`: the `xs` whose elements a `for (const [k, v] of xs)` or a callback
  `xs.forEach(([k, v]) => …)` enclosing `node` binds `name` to.
- `guarded(parsed, values, node, name)`: in such a loop over `Object.entries(process.env)`, the test of `k`
  that an `if` around `node` (or a guard `if (!test) continue;`) states."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.envselect import EnvSelection, from_regex
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.values import Values, dotted, unwrap

ENV = "process.env"
_CASE = frozenset({"toUpperCase", "toLowerCase", "toLocaleUpperCase", "toLocaleLowerCase"})
_TESTS = {"includes": "contain", "startsWith": "prefix", "endsWith": "suffix", "indexOf": "contain"}
CALLBACKS = frozenset({"forEach", "map", "flatMap", "filter", "some", "every", "find"})
MAX_TEST_DEPTH = 8
MAX_ENCLOSING = 64  # enclosing nodes looked through for the loop or callback binding a name


def _args(node: Any) -> list[Any]:
    args = node.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _params(fn: Any) -> list[Any]:
    one = fn.child_by_field_name("parameter")
    if one is not None:
        return [one]
    ps = fn.child_by_field_name("parameters")
    return [c for c in ps.named_children if c.type != "comment"] if ps is not None else []


def _key_names(fn: Any, parsed: Parsed) -> tuple[str, str]:
    """(the name bound to the variable's name, the name bound to the whole entry) of a filter callback:
    `([k]) =>` → (k, ""), `(e) =>` → ("", e)."""
    ps = _params(fn)
    if not ps:
        return "", ""
    p = ps[0]
    if p.type == "identifier":
        return "", parsed.text(p)
    if p.type == "array_pattern" and p.named_children and p.named_children[0].type == "identifier":
        return parsed.text(p.named_children[0]), ""
    return "", ""


def _is_name(node: Any, parsed: Parsed, key: str, entry: str, keys_only: bool) -> bool | None:
    """Whether `node` is the variable's name: None when not, True when folded to one case."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "call_expression":
        fn = unwrap(node.child_by_field_name("function"))
        if fn is not None and fn.type == "member_expression" and \
                parsed.text(fn.child_by_field_name("property")) in _CASE and not _args(node):
            return True if _is_name(fn.child_by_field_name("object"), parsed, key, entry, keys_only) is not None \
                else None
        return None
    text = parsed.text(node)
    if node.type == "identifier" and (text == key or keys_only and text == entry):
        return False
    if node.type == "subscript_expression" and entry and parsed.text(node.child_by_field_name("object")) == entry \
            and parsed.text(node.child_by_field_name("index")) == "0":
        return False
    return None


def _regex(node: Any, parsed: Parsed) -> tuple[str, bool] | None:
    node = unwrap(node)
    if node is None or node.type != "regex":
        return None
    pattern, flags = node.child_by_field_name("pattern"), node.child_by_field_name("flags")
    return (parsed.text(pattern) if pattern is not None else "", flags is not None and "i" in parsed.text(flags))


def _test(node: Any, parsed: Parsed, values: Values, names: tuple[str, str, bool], depth: int = 0
          ) -> EnvSelection | None:
    node = unwrap(node)
    if node is None or depth > MAX_TEST_DEPTH:
        return None
    if node.type == "statement_block":  # `{ return …; }`
        ret = [c for c in node.named_children if c.type == "return_statement"]
        return _test(ret[0].named_children[0], parsed, values, names, depth + 1) \
            if len(ret) == 1 and ret[0].named_children else None
    if node.type == "binary_expression" and parsed.text(node.child_by_field_name("operator")) == "||":
        a = _test(node.child_by_field_name("left"), parsed, values, names, depth + 1)
        b = _test(node.child_by_field_name("right"), parsed, values, names, depth + 1)
        if a is not None and b is not None and a.how == b.how and a.how in ("contain", "prefix", "suffix"):
            return EnvSelection(a.how, tuple(dict.fromkeys(a.terms + b.terms)), a.ignore_case or b.ignore_case)
        return None
    if node.type == "binary_expression":  # `k.indexOf('KEY') !== -1`, `… >= 0`
        left = unwrap(node.child_by_field_name("left"))
        op = parsed.text(node.child_by_field_name("operator"))
        if left is not None and left.type == "call_expression" and op in ("!==", "!=", ">=", ">") and \
                parsed.text(left.child_by_field_name("function")).endswith(".indexOf"):
            return _test(left, parsed, values, names, depth + 1)
        return None
    if node.type != "call_expression":
        return None
    fn = unwrap(node.child_by_field_name("function"))
    args = _args(node)
    if fn is None or fn.type != "member_expression" or len(args) != 1:
        return None
    obj, method = fn.child_by_field_name("object"), parsed.text(fn.child_by_field_name("property"))
    key, entry, keys_only = names
    rx = _regex(obj, parsed)
    if rx is not None and method == "test":
        case = _is_name(args[0], parsed, key, entry, keys_only)
        return from_regex(rx[0], rx[1] or case is True) if case is not None else None
    case = _is_name(obj, parsed, key, entry, keys_only)
    if case is None:
        return None
    if method in ("match", "search"):
        rx = _regex(args[0], parsed)
        return from_regex(rx[0], rx[1] or case) if rx is not None else None
    if method in _TESTS:
        term = values.constant(args[0])
        return EnvSelection(_TESTS[method], (term,), case) if term else None
    return None


def selection(parsed: Parsed, values: Values, node: Any) -> tuple[EnvSelection, bool] | None:
    """`Object.entries(process.env).filter(cb)` / `Object.keys(process.env).filter(cb)`."""
    fn = unwrap(node.child_by_field_name("function"))
    if fn is None or fn.type != "member_expression" or parsed.text(fn.child_by_field_name("property")) != "filter":
        return None
    inner = unwrap(fn.child_by_field_name("object"))
    args = _args(node)
    if inner is None or inner.type != "call_expression" or len(args) != 1 or \
            unwrap(args[0]) is None or unwrap(args[0]).type not in ("arrow_function", "function_expression"):
        return None
    source = dotted(parsed, inner.child_by_field_name("function"))
    inner_args = _args(inner)
    if source not in ("Object.entries", "Object.keys") or len(inner_args) != 1 or \
            dotted(parsed, inner_args[0]) != ENV:
        return None
    cb = unwrap(args[0])
    key, entry = _key_names(cb, parsed)
    keys_only = source == "Object.keys"
    sel = _test(cb.child_by_field_name("body"), parsed, values, (key, entry, keys_only))
    if sel is None:
        return None
    return EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), not keys_only


def loop_iterable(parsed: Parsed, node: Any, name: str) -> tuple[Any, int] | None:
    """What an unbound name in `node` iterates: the `xs` of an enclosing `for (const [k, v] of xs)` or of a
    callback `xs.forEach(([k, v]) => …)` whose left side or first parameter binds `name`, with the name's place
    in the pattern (`[k, v]`: 0 for k, 1 for v; -1 for a plain name); else None."""
    found = _enclosing(parsed, node, name)
    return (found[1], _place(found[2], parsed, name)) if found is not None else None


def _enclosing(parsed: Parsed, node: Any, name: str) -> tuple[Any, Any, Any] | None:
    """(the loop or callback, its iterable, the pattern that binds `name`) enclosing `node`, or None."""
    at = node.parent
    for _ in range(MAX_ENCLOSING):
        if at is None:
            return None
        if at.type == "for_in_statement" and any(c.type == "of" for c in at.children):
            left = at.child_by_field_name("left")
            if left is not None and name in _bound(left, parsed):
                return at, at.child_by_field_name("right"), left
        elif at.type in ("arrow_function", "function_expression"):
            ps = _params(at)
            call = at.parent.parent if at.parent is not None and at.parent.type == "arguments" else None
            fn = unwrap(call.child_by_field_name("function")) if call is not None else None
            if ps and name in _bound(ps[0], parsed):
                if fn is not None and fn.type == "member_expression" and _args(call) and _args(call)[0] == at and \
                        parsed.text(fn.child_by_field_name("property")) in CALLBACKS:
                    return at, fn.child_by_field_name("object"), ps[0]
                return None
        at = at.parent
    return None


def guarded(parsed: Parsed, values: Values, node: Any, name: str) -> tuple[EnvSelection, Any] | None:
    """The test of the variable's name that governs `node` in the loop over the environment's entries binding
    `name` (`for (const [k, v] of Object.entries(process.env))`): `node` inside `if (<test>) …` (no `else`) in
    the loop, or after `if (!<test>) continue;` (or `return;`) as the loop body's first statement. With the
    condition, where the selection is stated."""
    found = _enclosing(parsed, node, name)
    pattern = found[2] if found is not None else None
    if pattern is None or pattern.type != "array_pattern" or not pattern.named_children or \
            pattern.named_children[0].type != "identifier":
        return None
    loop, names = found[0], (parsed.text(pattern.named_children[0]), "", False)  # type: ignore[index]
    at = node
    while at is not None and at != loop:
        parent = at.parent
        if parent is not None and parent.type == "if_statement" and at == parent.child_by_field_name("consequence") \
                and parent.child_by_field_name("alternative") is None:
            cond = parent.child_by_field_name("condition")
            sel = _test(cond, parsed, values, names)
            if sel is not None:
                return EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), cond
        at = parent
    body = loop.child_by_field_name("body")
    first = next((c for c in body.named_children if c.type != "comment"), None) if body is not None and \
        body.type == "statement_block" else None
    if first is None or first.type != "if_statement" or first.child_by_field_name("alternative") is not None or \
            node.start_byte < first.end_byte:
        return None
    cond = unwrap(first.child_by_field_name("condition"))
    then = first.child_by_field_name("consequence")
    stmts = [c for c in then.named_children if c.type != "comment"] if then is not None and \
        then.type == "statement_block" else [then]
    if cond is None or cond.type != "unary_expression" or parsed.text(cond.child_by_field_name("operator")) != "!" \
            or len(stmts) != 1 or stmts[0] is None or stmts[0].type not in ("continue_statement", "return_statement"):
        return None
    sel = _test(cond.child_by_field_name("argument"), parsed, values, names)
    return (EnvSelection(sel.how, sel.terms, sel.ignore_case, ENV), cond) if sel is not None else None


def _place(node: Any, parsed: Parsed, name: str) -> int:
    if node.type == "array_pattern":
        names = [parsed.text(c) if c.type == "identifier" else "" for c in node.named_children]
        return names.index(name) if name in names else -1
    return -1


def _bound(node: Any, parsed: Parsed) -> list[str]:
    """The identifiers a loop's left side or a parameter binds (`[k, v]`, `const x`)."""
    if node.type == "identifier":
        return [parsed.text(node)]
    if node.type == "array_pattern":
        return [parsed.text(c) for c in node.named_children if c.type == "identifier"]
    return [n for c in node.named_children for n in _bound(c, parsed)] if node.type in (
        "lexical_declaration", "variable_declaration", "variable_declarator") else []
