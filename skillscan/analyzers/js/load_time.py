"""js-import-time-network, js-import-time-write: JavaScript/TypeScript code at a module's top level runs when the
module is loaded (`require`, `import`, `node file`). A module that keeps its job behind an entry point
(`if (require.main === module) { … }`, `import.meta.url === pathToFileURL(process.argv[1]).href`) or that exports
an API (it is meant to be imported) also runs, at its top level outside that entry point, a call that contacts the
network — a request API itself (`fetch`, `axios`, `http.request`, `new WebSocket`…, the sinks of `js/flows.py`),
or a function of the same file that reaches one through at most MAX_CALL_DEPTH local calls — or that writes a
file with every error silenced (`try { fs.writeFileSync(…) } catch {}`, `.catch(() => {})`). Only what runs
unconditionally is read: expression statements and declarations, exported or inside a top-level `try` (never the
body of an `if`, a loop or a `switch`, as in the Python rule). Loading the module
then talks to a host or edits a file before anything the user asked for runs (the Python rules are
`python/checks/import_time.py`). A plain script with no entry point and no exports, whose top level is its job,
is not reported; nor a write whose errors surface, nor code inside functions, handlers and callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import dotted, unwrap

RULE_IDS: tuple[str, ...] = ("js-import-time-network", "js-import-time-write")

WRITES = frozenset({"fs.writeFileSync", "fs.appendFileSync", "fs.writeFile", "fs.appendFile",
                    "fs.promises.writeFile", "fs.promises.appendFile", "fsp.writeFile", "fsp.appendFile",
                    "writeFileSync", "appendFileSync", "writeFile", "appendFile", "fs.outputFileSync",
                    "fs.outputFile", "fse.outputFileSync", "Deno.writeTextFile", "Deno.writeTextFileSync",
                    "Bun.write"})
FUNCTIONS = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                       "arrow_function", "function", "generator_function", "class_declaration", "class",
                       "method_definition"})
MAX_CALL_DEPTH = 3
MAX_REPORTS = 2


def check(ctx: Context) -> None:
    root = ctx.parsed.root
    top = [c for c in root.named_children if c.type != "comment"]
    guard = next((s for s in top if _is_entry_guard(ctx, s)), None)
    exported = None if guard is not None else _export(ctx, top)
    if guard is None and exported is None:
        return
    why = (f"outside its `{_condition(ctx, guard)}` entry point" if guard is not None else
           f"before any of its exports (`{exported}`) is used")
    reached: dict[str, tuple[str, str, Any] | None] = {}
    reported = 0
    for stmt in top:
        if reported >= MAX_REPORTS:
            return
        if stmt == guard:
            continue
        for call, quiet in (c for s, q in _runs_at_load(stmt, False) for c in _calls(s, q)):
            hit = _reach(ctx, call, quiet, 0, set(), reached)
            if hit is None:
                continue
            kind, api, node = hit
            where = ctx.where(node)
            who = dotted(ctx.parsed, _callee(call)) or ctx.text(_callee(call))[:60]
            if kind == "network":
                via = "is a network call" if node == call else \
                    f"reaches {api} (line {where.line}), a network API,"
            else:
                via = f"reaches {api} (line {where.line}), a file write whose every error is silenced,"
            ctx.emit(f"js-import-time-{kind}", f"the module-level call `{who}()` {via} and runs whenever the module "
                     f"is loaded, {why}", call, related=() if node == call else (where,),
                     capabilities=("net.egress[*]",) if kind == "network" and node == call else ())
            reported += 1
            break


def _callee(call: Any) -> Any:
    return call.child_by_field_name("constructor" if call.type == "new_expression" else "function")


def _is_entry_guard(ctx: Context, stmt: Any) -> bool:
    if stmt.type != "if_statement":
        return False
    cond = ctx.text(stmt.child_by_field_name("condition"))
    return ("require.main" in cond and "module" in cond.replace("require.main", "")) or \
        ("import.meta" in cond and ("process.argv" in cond or "import.meta.main" in cond or "esMain" in cond))


def _condition(ctx: Context, stmt: Any) -> str:
    cond = " ".join(ctx.text(stmt.child_by_field_name("condition")).split())
    cond = cond[1:-1] if cond.startswith("(") and cond.endswith(")") else cond
    return f"if ({cond[:80]})"


def _export(ctx: Context, top: list[Any]) -> str | None:
    """A name the module exports (`module.exports = …`, `exports.x =`, `export …`), or None."""
    for s in top:
        if s.type == "export_statement":
            decl = s.child_by_field_name("declaration")
            name = decl.child_by_field_name("name") if decl is not None else None
            if name is not None:
                return ctx.text(name)
            for d in decl.named_children if decl is not None else ():
                if d.type == "variable_declarator" and d.child_by_field_name("name") is not None:
                    return ctx.text(d.child_by_field_name("name"))
            return "default" if "default" in ctx.text(s)[:20] else " ".join(ctx.text(s).split())[:40]
        if s.type == "expression_statement" and s.named_children and \
                s.named_children[0].type == "assignment_expression":
            left = dotted(ctx.parsed, s.named_children[0].child_by_field_name("left"))
            if left == "module.exports" or left.startswith(("module.exports.", "exports.")):
                return left
    return None


LOAD_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration"})


def _runs_at_load(stmt: Any, quiet: bool, depth: int = 0) -> Iterator[tuple[Any, bool]]:
    """The statements of a top-level statement that run whenever the module loads, each with whether a `try`
    around it silences every error: expression statements and declarations, also exported or inside a top-level
    `try` (never a function or class, an import, or the body of an `if`, a loop or a `switch`, which run only
    under their condition)."""
    if depth > 8:
        return
    if stmt.type in LOAD_STATEMENTS:
        yield stmt, quiet
    elif stmt.type == "export_statement" and not _declares_only(stmt):
        decl = stmt.child_by_field_name("declaration")
        yield (decl if decl is not None else stmt), quiet
    elif stmt.type == "try_statement":
        body = stmt.child_by_field_name("body")
        silenced = quiet or _silences(stmt)
        for inner in body.named_children if body is not None else ():
            yield from _runs_at_load(inner, silenced, depth + 1)
    elif stmt.type == "statement_block":
        for inner in stmt.named_children:
            yield from _runs_at_load(inner, quiet, depth + 1)


def _declares_only(stmt: Any) -> bool:
    """An import, or an export of a function or class (nothing runs)."""
    if stmt.type.startswith("import"):
        return True
    decl = stmt.child_by_field_name("declaration")
    return decl is not None and decl.type in FUNCTIONS


def _calls(node: Any, quiet: bool) -> Iterator[tuple[Any, bool]]:
    """Every call under `node` that runs when `node` runs (nested functions excluded), each with whether an
    enclosing `try` or `.catch(() => {})` silences every error."""
    stack: list[tuple[Any, bool]] = [(node, quiet)]
    while stack:
        n, q = stack.pop()
        if n.type in FUNCTIONS:
            continue
        if n.type in ("call_expression", "new_expression"):
            yield n, q or _caught_silently(n)
        if n.type == "try_statement" and _silences(n):
            body = n.child_by_field_name("body")
            stack.extend((c, q or (body is not None and c == body)) for c in reversed(n.named_children))
            continue
        stack.extend((c, q) for c in reversed(n.named_children))


def _silences(node: Any) -> bool:
    """`try { … } catch {}` / `catch (e) {}`: the handler does nothing (no finally that could rethrow)."""
    handler = node.child_by_field_name("handler")
    if handler is None:
        return False
    body = handler.child_by_field_name("body")
    return body is not None and not [c for c in body.named_children if c.type != "comment"]


def _caught_silently(call: Any) -> bool:
    """`write(…).catch(() => {})`: the promise's error handler does nothing."""
    parent = call.parent
    if parent is None or parent.type != "member_expression" or parent.child_by_field_name("property") is None or \
            parent.child_by_field_name("property").text != b"catch":
        return False
    outer = parent.parent
    args = outer.child_by_field_name("arguments") if outer is not None and outer.type == "call_expression" else None
    fn = args.named_children[0] if args is not None and args.named_children else None
    if fn is None or fn.type not in ("arrow_function", "function_expression", "function"):
        return False
    body = fn.child_by_field_name("body")
    return body is not None and body.type == "statement_block" and \
        not [c for c in body.named_children if c.type != "comment"]


def _reach(ctx: Context, call: Any, quiet: bool, depth: int, seen: set[str],
           reached: dict[str, tuple[str, str, Any] | None]) -> tuple[str, str, Any] | None:
    """(network | write, the API, its call) this call is or reaches through the file's own functions."""
    callee = dotted(ctx.parsed, unwrap(_callee(call)))
    if ctx.flows.sink(call) is not None:
        return "network", callee or ctx.text(_callee(call))[:60], call
    if quiet and callee in WRITES:
        return "write", callee, call
    fn = ctx.values.bindings.functions.get(callee) if callee and "." not in callee else None
    if fn is None or depth >= MAX_CALL_DEPTH or callee in seen:
        return None
    memo = f"{callee}:{quiet}:{depth}"  # deeper, fewer calls are left to follow: the answer differs
    if memo in reached:  # each function is walked once per depth
        return reached[memo]
    seen.add(callee)
    found = None
    body = fn.child_by_field_name("body")
    for inner, q in _calls(body, quiet) if body is not None else ():
        found = _reach(ctx, inner, q, depth + 1, seen, reached)
        if found is not None:
            break
    reached[memo] = found
    return found
