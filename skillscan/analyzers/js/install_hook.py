"""js-install-hook-written: a JavaScript/TypeScript file writes a `package.json` (`fs.writeFileSync(…package.json,
…)`, folded by the value evaluator) and holds an npm install hook — a `scripts` entry `preinstall`, `install` or
`postinstall` in an object literal or in JSON text. Whoever runs `npm install` in the generated project runs that
command without reading it: the package plants code in the user's project instead of running it itself (the
Python rule is `python/checks/install_hook.py`; the hook names and the JSON pattern are shared,
`rules/capabilities/code.yaml`). Generated scripts `build`, `test`, `prepare`… are not reported."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import json_install_hooks, words
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.load_time import WRITES
from skillscan.analyzers.js.values import UNKNOWN, dotted, string_value

RULE_IDS: tuple[str, ...] = ("js-install-hook-written",)

MAX_REPORTS = 2
MAX_SHOWN = 80


def check(ctx: Context) -> None:
    write = _manifest_write(ctx)
    if write is None:
        return
    at = ctx.where(write)
    for node, hook, command in _hooks(ctx)[:MAX_REPORTS]:
        shown = command if len(command) <= MAX_SHOWN else command[:MAX_SHOWN] + "…"
        ctx.emit("js-install-hook-written", f"holds an install hook (the `{hook}` script runs `{shown}`) and this file "
                 f"writes a package.json (line {at.line}): every `npm install` of the generated project runs it", node,
                 related=(at,))


def _manifest_write(ctx: Context) -> Any:
    for call in ctx.parsed.of_kind("call_expression"):
        if dotted(ctx.parsed, call.child_by_field_name("function")) not in WRITES:
            continue
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        path = ctx.values.value(first) if first is not None else None
        if path and path.replace(UNKNOWN, "").rstrip("'\"").endswith("package.json"):
            return call
    return None


def _hooks(ctx: Context) -> list[tuple[Any, str, str]]:
    hooks = words("install_hooks")
    out: list[tuple[Any, str, str]] = []
    for pair in ctx.of_kind("pair"):
        if _key(ctx, pair) != "scripts":
            continue
        obj = ctx.values._container(pair.child_by_field_name("value"), 0)
        for inner in obj.named_children if obj is not None and obj.type == "object" else ():
            if inner.type == "pair" and _key(ctx, inner) in hooks:
                command = ctx.values.constant(inner.child_by_field_name("value"))
                if command is not None:
                    out.append((inner, _key(ctx, inner), command))
    for node in ctx.of_kind("string") + ctx.of_kind("template_string"):
        text = ctx.values.constant(node) if node.type == "template_string" else string_value(ctx.parsed, node)
        if not text or "scripts" not in text:
            continue
        out.extend((node, hook, command) for hook, command in json_install_hooks(text))
    return out


def _key(ctx: Context, pair: Any) -> str:
    k = pair.child_by_field_name("key")
    if k is None:
        return ""
    return string_value(ctx.parsed, k) if k.type == "string" else ctx.text(k)
