"""Code and command runners reached through names a JavaScript/TypeScript file computes (js/names.py):
`globalThis['ev'+'al'](code)`, `const run = cp['exec'+'Sync']; run(cmd)`, `const { exec: doTask } =
load(['child','process'].join('_')); doTask(cmd)`.

A `child_process` call reached through a computed step (a folded key, a computed module name, a wrapper around
`require`) is read as the direct call is: its command is folded (js/values.py) and handed to the shell analyzer,
so `curl` to a host carrying environment values is judged as such. When the runner's name (or its module's) was
built from pieces, js-hidden-call reports it, saying what the call runs (decoded data, a folded command, constant
code); the constant code an `eval`/`Function` so reached runs is scanned as a virtual file (js_decode.py)."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.flows import calls
from skillscan.analyzers.js.values import UNKNOWN, dotted, unwrap
from skillscan.model import Channel, Confidence

RULE_IDS: tuple[str, ...] = ("js-hidden-call",)

SHELL = frozenset({"exec", "execSync"})
ARGV = frozenset({"spawn", "spawnSync", "execFile", "execFileSync"})
CODE = frozenset({"eval", "Function", "vm.runInThisContext", "vm.runInNewContext", "vm.runInContext",
                  "vm.compileFunction", "vm.Script"})
DECODERS = frozenset({"atob", "Buffer.from", "Buffer", "String.fromCharCode", "decodeURIComponent", "unescape",
                      "decodeURI"})
MAX_CALLS = 64  # hidden runner calls read per file
MAX_CODE = 256 * 1024  # characters of constant code an eval so reached runs, scanned as a virtual file
MAX_DEPTH = 8
MAX_ARGS = 256  # arguments of one argv array read


def check(ctx: Context) -> None:
    names = ctx.flows.taint.names
    seen = 0
    for node in calls(ctx.parsed):
        if ctx.parsed.spent():
            return
        fn = unwrap(node.child_by_field_name("constructor" if node.type == "new_expression" else "function"))
        if fn is None or fn.type not in ("identifier", "member_expression", "subscript_expression"):
            continue
        name = names.of(fn)
        if not name.hidden:
            continue
        module, _, method = name.text.rpartition(".")
        runs_command = module == "child_process" and (method in SHELL | ARGV or method == "fork")
        if not runs_command and name.text not in CODE:
            continue
        seen += 1
        if seen > MAX_CALLS:
            ctx.parsed._say(f"only the first {MAX_CALLS} code or command runners reached through computed names "
                            "were read")
            return
        args = ctx.flows.values._args(node)
        what, program = _command(ctx, node, method, args) if runs_command else (_code(ctx, node, args), "")
        if name.pieces:
            decoded = _decoder(ctx, args[0]) if args else None
            runs = f"runs data decoded by {decoded} ({what.removeprefix('runs ')})" if decoded else what
            ctx.emit("js-hidden-call", f"{name.text} is called through `{name.how}`, a name built from pieces, and "
                     f"{runs}", node, confidence=Confidence.HIGH,
                     capabilities=[f"proc.exec[{program}]" if runs_command else "code.dynamic[eval]"])


def _command(ctx: Context, node: Any, method: str, args: list[Any]) -> tuple[str, str]:
    """The folded command of a child_process call, analysed by the shell analyzer: what it runs, in words, and
    the program it starts ("*" when not known)."""
    from skillscan.analyzers.js_values import display
    from skillscan.analyzers.shell import CommandContext, analyze_argv, analyze_command

    from skillscan.capabilities import commands

    if not args:
        return "runs a command", "*"
    first = ctx.flows.values.value(args[0])
    if first is None:
        return "runs a command computed at run time", "*"
    line, col = ctx.parsed.position(node)
    where = CommandContext(path=ctx.path, line=line, column=col, channel=Channel.CODE,
                           max_confidence=Confidence.HIGH, source="code")
    items = unwrap(args[1]) if len(args) > 1 else None
    argv = [first] + [ctx.flows.values.value(c) or UNKNOWN for c in items.named_children[:MAX_ARGS]] \
        if items is not None and items.type == "array" else [first]
    if items is not None and items.type == "array" and len(items.named_children) > MAX_ARGS:
        argv.append(UNKNOWN)  # the rest is not read: the command is not taken to end here
        ctx.parsed._say(f"only the first {MAX_ARGS} arguments of a command run through a computed name were read")
    if method in ARGV and UNKNOWN not in first:
        ctx.out.extend(analyze_argv([display(a) for a in argv], where))
        return f"runs {' '.join(display(a) for a in argv)[:160]}", commands.program_name(display(first)) or "*"
    if method == "fork":
        return f"runs node on {display(first)[:160]}", "node"
    command = " ".join(display(a) for a in argv)
    ctx.out.extend(analyze_command(command, where))
    return f"runs the shell command {command[:160]}", commands.program(command) or "*"


def _code(ctx: Context, node: Any, args: list[Any]) -> str:
    if not args:
        return "runs code"
    code = ctx.flows.values.constant(args[-1])
    if code is None or not code.strip():
        return "runs code computed at run time"
    if len(code) <= MAX_CODE:
        ctx.evaluated.append((ctx.parsed.position(node)[0], code))
    else:
        ctx.parsed._say(f"code of more than {MAX_CODE // 1024} KB run through a computed name was not scanned")
    return f"runs the code `{code[:120]}`"


def _decoder(ctx: Context, node: Any, depth: int = 0) -> str | None:
    """The decoder (`Buffer.from`, `atob`…) a value is read from, through the names bound to it."""
    node = unwrap(node)
    if node is None or depth > MAX_DEPTH:
        return None
    if node.type == "identifier":
        return _decoder(ctx, ctx.bound(node), depth + 1)
    if node.type not in ("call_expression", "new_expression"):
        return None
    fn = unwrap(node.child_by_field_name("constructor" if node.type == "new_expression" else "function"))
    callee = dotted(ctx.parsed, fn)
    args = ctx.flows.values._args(node)
    if callee in ("Buffer.from", "Buffer") and len(args) > 1:
        codec = ctx.flows.values.constant(args[1])
        return f"{callee} ({codec})" if codec in ("base64", "base64url", "hex") else None
    if callee in DECODERS:
        return callee
    if fn is not None and fn.type == "member_expression":  # `.toString()` and the like on a decoded value
        return _decoder(ctx, fn.child_by_field_name("object"), depth + 1)
    return None
