"""js-strips-safety-text: a JavaScript/TypeScript script deletes safety and policy wording from the text it passes
on — `text.replace(/\\[SAFETY\\][\\s\\S]*?\\[\\/SAFETY\\]/g, "")`, `.replaceAll(new RegExp("must not …"), "")`: a
replacement by nothing of what a pattern about safety, guardrails, refusals or prohibitions matches. A context
compressor or a clean-up built this way hands the agent the user's text without the restrictions it held (the
Python rule is `python/checks/safety_strip.py`; the words are shared, `rules/capabilities/code.yaml`). The filter
form is the twin of the Python comprehension: `parts.filter(p => !SAFETY_RE.test(p))` (also `!p.match(RE)`,
`!PATTERNS.some(r => r.test(p))` over a list of two or more patterns about such wording) keeps only the items the
pattern does not match. Detecting such wording without dropping it is not reported."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import dotted, unwrap

RULE_IDS: tuple[str, ...] = ("js-strips-safety-text",)

STRONG_WORDS = pattern("strong_safety_words")
SAFETY_WORDS = pattern("safety_words")
TESTERS = frozenset({"test", "match", "search", "exec"})
MAX_PATTERNS = 64
REPLACERS = frozenset({"replace", "replaceAll"})
MAX_REPORTS = 4


def check(ctx: Context) -> None:
    reported = 0
    for call in ctx.parsed.of_kind("call_expression"):
        if reported >= MAX_REPORTS:
            return
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        items = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        if fn is not None and fn.type == "member_expression" and ctx.text(fn.child_by_field_name("property")) == \
                "filter" and len(items) == 1:
            reported += _filter(ctx, call, fn, items[0])
            continue
        if fn is None or fn.type != "member_expression" or len(items) < 2 or \
                ctx.text(fn.child_by_field_name("property")) not in REPLACERS:
            continue
        if ctx.values.constant(items[1]) != "" and ctx.text(items[1]) not in ("''", '""', "``"):
            continue
        source = _pattern(ctx, items[0])
        m = STRONG_WORDS.search(source) if source else None
        if m is None:
            continue
        target = " ".join(ctx.text(fn.child_by_field_name("object")).split())
        target = target if len(target) <= 60 else target[:57] + "…"
        ctx.emit("js-strips-safety-text", f"deletes, with .{ctx.text(fn.child_by_field_name('property'))}(), the text "
                 f"that the pattern `{source[:80]}` matches — wording about {m.group(0).lower()} — from `{target}`", call)
        reported += 1


def _filter(ctx: Context, call: Any, fn: Any, callback: Any) -> int:
    """`xs.filter(x => !RE.test(x))`: the items a pattern about safety wording matches are dropped. 1 if reported."""
    callback = unwrap(callback)
    if callback is None or callback.type not in ("arrow_function", "function_expression", "function"):
        return 0
    param = _single_parameter(ctx, callback)
    body = callback.child_by_field_name("body")
    if param is None or body is None:
        return 0
    if body.type == "statement_block":
        stmts = [c for c in body.named_children if c.type != "comment"]
        if len(stmts) != 1 or stmts[0].type != "return_statement" or not stmts[0].named_children:
            return 0
        body = stmts[0].named_children[0]
    body = unwrap(body)
    if body is None or body.type != "unary_expression" or ctx.text(body.child_by_field_name("operator")) != "!":
        return 0
    tested = _tested_patterns(ctx, unwrap(body.child_by_field_name("argument")), param)
    if not tested:
        return 0
    strong = next((m for m in (STRONG_WORDS.search(t) for t in tested) if m), None)
    if strong is None or (len(tested) > 1 and sum(1 for t in tested if SAFETY_WORDS.search(t)) < 2):
        return 0
    target = " ".join(ctx.text(fn.child_by_field_name("object")).split())
    target = target if len(target) <= 60 else target[:57] + "…"
    shown = ", ".join(f"`{t[:40]}`" for t in tested[:3])
    ctx.emit("js-strips-safety-text", f"keeps, with .filter(), only the items of `{target}` that the pattern"
             f"{'s' if len(tested) > 1 else ''} {shown} do{'' if len(tested) > 1 else 'es'} not match — wording about "
             f"{strong.group(0).lower()} is dropped", call)
    return 1


def _single_parameter(ctx: Context, fn: Any) -> str | None:
    """The name of the one plain parameter of a callback, or None."""
    one = fn.child_by_field_name("parameter")
    if one is None:
        params = fn.child_by_field_name("parameters")
        named = [c for c in params.named_children if c.type != "comment"] if params is not None else []
        if len(named) < 1:
            return None
        one = named[0]
        if one.type in ("required_parameter", "optional_parameter"):
            one = one.child_by_field_name("pattern")
    return ctx.text(one) if one is not None and one.type == "identifier" else None


def _tested_patterns(ctx: Context, node: Any, param: str) -> list[str]:
    """The patterns `node` tests the item `param` against: `RE.test(x)`, `x.match(RE)`, `LIST.some(r => r.test(x))`."""
    if node is None or node.type != "call_expression":
        return []
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    items = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    if fn is None or fn.type != "member_expression" or len(items) != 1:
        return []
    method = ctx.text(fn.child_by_field_name("property"))
    obj = fn.child_by_field_name("object")
    if method == "test" and ctx.text(items[0]) == param:
        source = _pattern(ctx, obj)
        return [source] if source else []
    if method in TESTERS and ctx.text(obj) == param:
        source = _pattern(ctx, items[0])
        return [source] if source else []
    if method == "some" and param in ctx.text(items[0]):
        return _pattern_list(ctx, obj)
    return []


def _pattern_list(ctx: Context, node: Any) -> list[str]:
    """The patterns of an array literal of regexes (or of a name bound to one)."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        bound = ctx.bound(node)
        node = unwrap(bound) if bound is not None else None
    if node is None or node.type != "array":
        return []
    out = []
    for e in node.named_children[:MAX_PATTERNS]:
        source = _pattern(ctx, e)
        if source:
            out.append(source)
    return out


def _pattern(ctx: Context, node: Any) -> str | None:
    """The text of a regex literal, of `new RegExp(CONSTANT)`, or of a name bound to either."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        bound = ctx.bound(node)
        node = unwrap(bound) if bound is not None else node
    if node is None:
        return None
    if node.type == "regex":
        body = node.child_by_field_name("pattern")
        return ctx.text(body) if body is not None else None
    if node.type in ("new_expression", "call_expression"):
        fn = node.child_by_field_name("constructor" if node.type == "new_expression" else "function")
        if dotted(ctx.parsed, fn) == "RegExp":
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            return ctx.values.constant(first) if first is not None else None
    return None
