"""js-strips-safety-text: a JavaScript/TypeScript script deletes safety and policy wording from the text it passes
on — `text.replace(/\\[SAFETY\\][\\s\\S]*?\\[\\/SAFETY\\]/g, "")`, `.replaceAll(new RegExp("must not …"), "")`: a
replacement by nothing of what a pattern about safety, guardrails, refusals or prohibitions matches. A context
compressor or a clean-up built this way hands the agent the user's text without the restrictions it held (the
Python rule is `python/checks/safety_strip.py`; the words are shared, `rules/capabilities/code.yaml`). Detecting
such wording without dropping it is not reported."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import dotted, unwrap

RULE_IDS: tuple[str, ...] = ("js-strips-safety-text",)

STRONG_WORDS = pattern("strong_safety_words")
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
