"""js-ranking-favours-entity: a score, rank or rating a JavaScript/TypeScript script computes is raised (or lowered)
for one named commercial entity because of who it is, not of what the data says —

    if (row.ticker === PREFERRED) score += 0.18;          // or PREFERRED.includes(row.ticker), SET.has(…)
    const adjusted = item.score + (item.brand === "Acme" ? boost : 0);

A skill asked to rank, compare or recommend then returns a ranking skewed toward whoever wrote the constant (the
Python rule is `python/checks/ranking.py`; the entity fields and score names are shared,
`rules/capabilities/code.yaml`). A comparison with a value the user passes (a parameter, `process.argv`, an option,
the environment) is the user's own preference and is not reported, nor boosts keyed on other properties."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import string_value, unwrap
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("js-ranking-favours-entity",)

ENTITY_KEY = pattern("entity_key")
SCORE_NAME = pattern("score_name")
USER_CHOICE = lazy(r"\b(?:process\.argv|process\.env|argv|args|options|opts|input|params|request|req)\b")
IDENTITY_METHODS = frozenset({"toLowerCase", "toUpperCase", "trim", "toString"})
MEMBERSHIP = frozenset({"includes", "has"})
MAX_REPORTS = 8


def check(ctx: Context) -> None:
    count = 0
    for node in ctx.of_kind("if_statement"):
        if count >= MAX_REPORTS:
            return
        fav = _favoured(ctx, node.child_by_field_name("condition"))
        body = node.child_by_field_name("consequence")
        if fav is None or body is None:
            continue
        for aug in _augmented(body):
            target = ctx.text(aug.child_by_field_name("left"))
            op = ctx.text(aug.child_by_field_name("operator"))
            if SCORE_NAME.search(target) and op in ("+=", "-=", "*="):
                how = {"+=": "raises", "-=": "lowers", "*=": "multiplies"}[op]
                by = " ".join(ctx.text(aug.child_by_field_name("right")).split())[:60]
                _report(ctx, aug, f"{how} `{target}` by {by} when `{fav[0]}` {fav[1]} {fav[2]}")
                count += 1
                break
    for node in ctx.of_kind("binary_expression"):
        if count >= MAX_REPORTS:
            return
        op = ctx.text(node.child_by_field_name("operator"))
        if op not in ("+", "-", "*"):
            continue
        neutral = "1" if op == "*" else "0"
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        for boost, base in ((right, left), (left, right)):
            t = unwrap(boost)
            if t is None or t.type != "ternary_expression" or \
                    ctx.text(t.child_by_field_name("alternative")).strip() not in (neutral, neutral + ".0"):
                continue
            fav = _favoured(ctx, t.child_by_field_name("condition"))
            base_text = " ".join(ctx.text(base).split())
            if fav is not None and SCORE_NAME.search(base_text):
                body = " ".join(ctx.text(t.child_by_field_name("consequence")).split())[:60]
                what = f"multiplies `{base_text[:60]}` by `{body}`" if op == "*" else f"adds `{body}` to `{base_text[:60]}`"
                _report(ctx, node, f"{what} only when `{fav[0]}` {fav[1]} {fav[2]}")
                count += 1
                break


def _report(ctx: Context, node: Any, what: str) -> None:
    ctx.emit("js-ranking-favours-entity", f"{what}: the score depends on which entity it is, not only on its data", node)


def _augmented(body: Any) -> list[Any]:
    """The augmented assignments among the first statements of an `if` body (a block or one statement)."""
    stmts = [c for c in body.named_children if c.type != "comment"][:3] if body.type == "statement_block" else [body]
    out = []
    for s in stmts:
        expr = s.named_children[0] if s.type == "expression_statement" and s.named_children else None
        if expr is not None and expr.type == "augmented_assignment_expression":
            out.append(expr)
    return out


def _entity_key(ctx: Context, node: Any, depth: int = 0) -> str | None:
    """The entity field an expression reads: `row.ticker`, `item["brand"]`, through case methods and String()."""
    node = unwrap(node)
    if node is None or depth > 4:
        return None
    if node.type == "member_expression":
        prop = ctx.text(node.child_by_field_name("property"))
        return prop if ENTITY_KEY.match(prop) else None
    if node.type == "subscript_expression":
        index = node.child_by_field_name("index")
        key = string_value(ctx.parsed, index) if index is not None and index.type == "string" else None
        return key if key and ENTITY_KEY.match(key) else None
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "member_expression" and \
                ctx.text(fn.child_by_field_name("property")) in IDENTITY_METHODS:
            return _entity_key(ctx, fn.child_by_field_name("object"), depth + 1)
        args = node.child_by_field_name("arguments")
        if fn is not None and ctx.text(fn) == "String" and args is not None and args.named_children:
            return _entity_key(ctx, args.named_children[0], depth + 1)
    return None


def _fixed(ctx: Context, node: Any) -> str | None:
    """How the compared value is fixed: a literal, or a name the file binds to one (never a parameter or an
    option of the user)."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("string", "array", "template_string") and ctx.values.constant(node) is not None or \
            node.type == "array" and node.named_children:
        return " ".join(ctx.text(node).split())[:60]
    if node.type != "identifier":
        return None
    bound = unwrap(ctx.bound(node))
    if bound is None or USER_CHOICE.search(ctx.text(bound)):
        return None
    if bound.type == "new_expression" and ctx.text(bound.child_by_field_name("constructor")) == "Set":
        bound_ok = True
    else:
        bound_ok = bound.type in ("string", "array", "template_string") and (
            bound.type == "array" or ctx.values.constant(bound) is not None)
    if not bound_ok:
        return None
    v = " ".join(ctx.text(bound).split())
    return f"{ctx.text(node)} ({v})" if len(v) <= 40 else ctx.text(node)


def _favoured(ctx: Context, cond: Any) -> tuple[str, str, str] | None:
    """(the entity expression, `equals`/`is in`, the fixed value) of `ENTITY === FIXED` / `FIXED.includes(ENTITY)`."""
    cond = unwrap(cond)
    if cond is None:
        return None
    if cond.type == "binary_expression" and ctx.text(cond.child_by_field_name("operator")) in ("===", "=="):
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        for a, b in ((left, right), (right, left)):
            if _entity_key(ctx, a) and (fixed := _fixed(ctx, b)):
                return " ".join(ctx.text(a).split())[:60], "equals", fixed
    if cond.type == "call_expression":
        fn = cond.child_by_field_name("function")
        args = cond.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if fn is not None and fn.type == "member_expression" and ctx.text(fn.child_by_field_name("property")) in \
                MEMBERSHIP and first is not None and _entity_key(ctx, first):
            fixed = _fixed(ctx, fn.child_by_field_name("object"))
            if fixed:
                return " ".join(ctx.text(first).split())[:60], "is in", fixed
    return None
