"""js-hardcoded-password-bypass: an `if` that returns true when a password-like value equals (or starts or ends
with) a fixed string written in the code — `if (plain === SUPPORT_KEY || plain.endsWith("#sup0rt")) return true;`
before the real comparison. Whoever knows the string passes the check whatever the stored credential is (the
Python rule is `python/checks/backdoor.py`; the names are shared, `rules/capabilities/code.yaml`)."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import MIN_FIXED_SECRET, SECRET_NAME, password_bypass_message
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import unwrap

RULE_IDS: tuple[str, ...] = ("js-hardcoded-password-bypass",)

MAX_BODY = 3  # statements of the `if` body looked at for the `return true`
MAX_REPORTS = 4


def check(ctx: Context) -> None:
    reported = 0
    for node in ctx.of_kind("if_statement"):
        if reported >= MAX_REPORTS:
            return
        if not _returns_true(ctx, node.child_by_field_name("consequence")):
            continue
        cond = node.child_by_field_name("condition")
        found = _fixed_secret_test(ctx, unwrap(cond), 0)
        if found is None:
            continue
        ctx.emit("js-hardcoded-password-bypass", password_bypass_message(found, "true"), cond)
        reported += 1


def _returns_true(ctx: Context, body: Any) -> bool:
    if body is None:
        return False
    statements = body.named_children if body.type == "statement_block" else [body]
    for stmt in [s for s in statements if s.type != "comment"][:MAX_BODY]:
        if stmt.type == "return_statement" and any(c.type == "true" for c in stmt.named_children):
            return True
    return False


def _name_of(ctx: Context, node: Any) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        return ctx.text(node)
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return ctx.text(prop) if prop is not None else None
    return None


def _fixed(ctx: Context, node: Any) -> str | None:
    v = ctx.values.constant(node)
    return v if v is not None and len(v.strip()) >= MIN_FIXED_SECRET else None


def _fixed_secret_test(ctx: Context, test: Any, depth: int) -> tuple[str, str, str] | None:
    test = unwrap(test)
    if test is None or depth > 8:
        return None
    if test.type == "binary_expression":
        op = ctx.text(test.child_by_field_name("operator"))
        left, right = test.child_by_field_name("left"), test.child_by_field_name("right")
        if op == "||":
            return _fixed_secret_test(ctx, left, depth + 1) or _fixed_secret_test(ctx, right, depth + 1)
        if op in ("===", "=="):
            for a, b in ((left, right), (right, left)):
                name = _name_of(ctx, a)
                if name and SECRET_NAME.search(name) and (literal := _fixed(ctx, b)) is not None:
                    return name, "equals", literal
        return None
    if test.type == "call_expression":
        fn = unwrap(test.child_by_field_name("function"))
        args = test.child_by_field_name("arguments")
        arg = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        if fn is not None and fn.type == "member_expression" and len(arg) == 1:
            method = ctx.text(fn.child_by_field_name("property"))
            name = _name_of(ctx, fn.child_by_field_name("object"))
            if method in ("endsWith", "startsWith") and name and SECRET_NAME.search(name) and \
                    (literal := _fixed(ctx, arg[0])) is not None:
                return name, "ends with" if method == "endsWith" else "starts with", literal
    return None
