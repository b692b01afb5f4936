"""A server that runs the code its requests send: in one JavaScript/TypeScript file, a dynamic-code call —
`eval(x)`, `new Function(…, x)`, `Function(x)`, the `vm` module's `runInThisContext`/`runInNewContext`/
`runInContext`/`compileFunction`, `new vm.Script(x)` — whose code is not a plain string literal, inside the
request handler of a server the file creates:

- the function given to `createServer` (`http`, `https`, `http2`, `net`, or imported bare), written inline or
  as the name of a function of the file;
- the handler of a route of an app the file builds with `express()`, `express.Router()`, `Router()`,
  `fastify()`, `polka()` or `new Hono()` (`app.post(path, fn)`, `router.all(…)`, `app.use(fn)` …);
- the message handler of a WebSocket (`ws.on("message", fn)`, `socket.on("message", fn)`) in a file that
  creates a WebSocket server (`new WebSocketServer`, `new WebSocket.Server`).

Whoever can send that server a request runs code on the user's machine with the agent's rights; with
`Access-Control-Allow-Origin: *` in the file, any web page the user opens can. A debugging console has the same
shape, so this is review (low confidence), not block. Rule: js-request-code-eval."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.base import finding, line_text
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.values import Bindings, dotted, unwrap
from skillscan.model import Confidence, Finding

RULE_IDS: tuple[str, ...] = ("js-request-code-eval",)

FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration",
                       "generator_function_declaration", "method_definition"})
APP_FACTORIES = frozenset({"express", "express.Router", "Router", "fastify", "Fastify", "polka", "Hono", "Koa",
                           "koaRouter", "KoaRouter"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "use", "route", "options", "head"})
WS_SERVERS = re.compile(r"\bnew\s+(?:WebSocketServer|WebSocket\.Server|ws\.Server|Server)\s*\(")
VM_RUN = frozenset({"runInThisContext", "runInNewContext", "runInContext", "compileFunction"})
# a file that names none of these runs no code built at run time (the text test before any tree walk)
DYNAMIC_CODE = re.compile(r"\beval\b|\bFunction\b|runIn\w*Context|compileFunction|\bScript\b")
CORS_ANY = re.compile(r"Access-Control-Allow-Origin['\"`]?\s*[,:]\s*['\"`]\*['\"`]|\bcors\(\s*\)|origin\s*:\s*['\"`]\*['\"`]",
                      re.IGNORECASE)
MAX_HANDLERS = 200  # request handlers looked into per file
MAX_REPORTS = 5  # findings per file: enough for a verdict


@dataclass(frozen=True)
class Handler:
    node: Any  # the function
    what: str  # how the server reaches it, for the message
    line: int  # where the server or route is set up


def call_args(node: Any) -> list[Any]:
    a = node.child_by_field_name("arguments")
    return [] if a is None else [c for c in a.named_children if c.type != "comment"]


def _function(parsed: Parsed, bindings: Bindings, node: Any) -> Any:
    """The function an argument is: written inline, or the name of a function of the file."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type in FUNCTIONS:
        return node
    if node.type == "identifier":
        return bindings.functions.get(parsed.text(node))
    return None


def _apps(parsed: Parsed) -> set[str]:
    """Names bound to an app or router a server factory returns (`const app = express()`)."""
    out: set[str] = set()
    for node in parsed.of_kind("variable_declarator") + parsed.of_kind("assignment_expression"):
        left = node.child_by_field_name("name") or node.child_by_field_name("left")
        value = unwrap(node.child_by_field_name("value") or node.child_by_field_name("right"))
        if left is None or value is None or left.type != "identifier":
            continue
        if value.type in ("call_expression", "new_expression"):
            callee = dotted(parsed, value.child_by_field_name("function") or value.child_by_field_name("constructor"))
            if callee in APP_FACTORIES or callee.endswith(".Router"):
                out.add(parsed.text(left))
    return out


def handlers(parsed: Parsed, bindings: Bindings | None = None) -> Iterator[Handler]:
    """The request handlers of the servers the file creates (`bindings`: the file's, when already read)."""
    bindings = bindings if bindings is not None else Bindings(parsed)
    apps = _apps(parsed)
    ws_server = bool(WS_SERVERS.search(parsed.src.decode("utf-8", "replace")))
    for call in parsed.of_kind("call_expression"):
        callee = dotted(parsed, call.child_by_field_name("function"))
        if not callee:
            continue
        head, _, method = callee.rpartition(".")
        line = parsed.position(call)[0]
        args = call_args(call)
        if method == "createServer" or callee == "createServer":
            for a in args:
                fn = _function(parsed, bindings, a)
                if fn is not None:
                    yield Handler(fn, f"the request handler of the server created with {callee}", line)
        elif head in apps and method in ROUTE_METHODS and args:
            fn = _function(parsed, bindings, args[-1])
            if fn is not None:
                yield Handler(fn, f"the handler of the route {head}.{method}", line)
        elif ws_server and method == "on" and len(args) == 2 and parsed.text(args[0]).strip("'\"`") == "message":
            fn = _function(parsed, bindings, args[1])
            if fn is not None:
                yield Handler(fn, "the message handler of a WebSocket server", line)


def _literal(node: Any) -> bool:
    """A plain string literal (a template without substitutions counts)."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "string":
        return True
    return node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children)


def code_sink(parsed: Parsed, node: Any) -> str:
    """The dynamic-code call `node` is, when its code is not a literal, else ""."""
    is_new = node.type == "new_expression"
    callee = dotted(parsed, node.child_by_field_name("constructor" if is_new else "function"))
    args = call_args(node)
    if not args or not callee:
        return ""
    name = callee.rpartition(".")[2]
    if callee in ("eval", "Function", "globalThis.eval", "window.eval") or name in VM_RUN:
        code = args[-1] if name == "Function" else args[0]
    elif is_new and name == "Script":
        code = args[0]
    else:
        return ""
    return "" if _literal(code) else ("new " if is_new else "") + callee


def _within(node: Any, fn: Any) -> bool:
    return fn.start_byte <= node.start_byte and node.end_byte <= fn.end_byte


def request_code_eval(parsed: Parsed, path: str, bindings: Bindings | None = None) -> list[Finding]:
    if parsed.root is None:
        return []
    text = parsed.src.decode("utf-8", "replace")
    if not DYNAMIC_CODE.search(text):
        return []
    found: list[Handler] = []
    for h in handlers(parsed, bindings):
        if len(found) >= MAX_HANDLERS:
            parsed._say(f"only the first {MAX_HANDLERS} request handlers of its servers were searched for code "
                        "run from a request")
            break
        found.append(h)
    if not found:
        return []
    cors = CORS_ANY.search(text)
    out: list[Finding] = []
    seen: set[int] = set()
    sinks = sorted(parsed.of_kind("call_expression") + parsed.of_kind("new_expression"), key=lambda n: n.start_byte)
    for node in sinks:
        call = code_sink(parsed, node)
        if not call or node.start_byte in seen:
            continue
        h = next((h for h in found if _within(node, h.node)), None)
        if h is None:
            continue
        seen.add(node.start_byte)
        line, col = parsed.position(node)
        anyone = (", and the file answers any web page's requests (Access-Control-Allow-Origin: *, line "
                  f"{text.count(chr(10), 0, cors.start()) + 1})") if cors else ""
        out.append(finding("js-request-code-eval",
                           f"{call} runs code built at run time inside {h.what} (line {h.line}): whoever can send "
                           f"that server a request runs code on this machine{anyone}",
                           path, line, col, snippet=line_text(text, line).strip()[:200], confidence=Confidence.LOW))
        if len(out) >= MAX_REPORTS:
            break
    return out
