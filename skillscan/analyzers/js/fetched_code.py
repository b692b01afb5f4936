"""Code downloaded and run: in one JavaScript/TypeScript file, a dynamic-code call — `eval(x)`,
`new Function(…, x)`, `Function(x)`, the `vm` module's runners, `new vm.Script(x)` — whose code is not a plain
string literal and comes from a network response:

- the call sits in a function handed to a network request, or to a `.then` of a chain that starts with one, and
  its code names what that function receives or declares (`https.get(url, res => { let body = ""; … res.on("end",
  () => eval(body)) })`, `fetch(url).then(r => r.text()).then(t => eval(t))`); the runner itself handed to that
  `.then` (`.then(eval)`) counts too;
- or its code holds an awaited request, or a name whose binding before it is one, or an awaited read of one
  (`const r = await fetch(url)` … `eval(await r.text())`, `const t = await r.text(); eval(t)`).

Requests: `fetch`, `axios` (and its methods), `got`, `ky`, `needle`, `superagent`, `request`, `undici`, and
`http`/`https` `get`/`request` (also through `require("https")`). A server's code arriving later is not
reviewable in the package: download-and-execute (rule js-download-execute, block). The message names the URL
when the request's first argument is a literal. Every walk counts against the file's node and time budget
(`Parsed.spent`), which says when it is used up."""

from __future__ import annotations

import re
from typing import Any

from skillscan.analyzers.base import finding, line_text
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.served_code import DYNAMIC_CODE, FUNCTIONS, call_args, code_sink
from skillscan.analyzers.js.values import Bindings, dotted, key, string_value, unwrap
from skillscan.model import Capability, Finding, Location

RULE_IDS: tuple[str, ...] = ("js-download-execute",)

_REQUEST = re.compile(
    r"^(?:(?:globalThis|window|self)\.)?fetch$|^axios(?:\.(?:get|post|request|put))?$|^got(?:\.(?:get|post))?$"
    r"|^ky(?:\.(?:get|post))?$|^needle(?:\.(?:get|post|request))?$|^superagent\.(?:get|post)$|^request$"
    r"|^undici\.(?:request|fetch)$|^(?:https?|require\(\"https?\"\)|node:https?)\.(?:get|request)$")
_RUNNERS = frozenset({"eval", "Function", "globalThis.eval", "window.eval"})
MAX_CHAIN = 64  # calls of one chain (`fetch(u).then(…).then(…)`) and names through bindings followed to its start
MAX_REPORTS = 5  # findings per file: enough for a verdict


def _request(parsed: Parsed, bindings: Bindings, node: Any) -> Any:
    """The network request `node` is or starts, or None: through `await`, a call chain (`fetch(u).then(f)`,
    `r.text()`) and names by the binding before them. A promise is no code: a name on its own counts only when
    its binding is awaited, or when it is itself awaited or the start of a chain (`await pending`)."""
    settled = False  # the value at `node` is awaited or chained on: a promise there resolves to the response
    for _ in range(MAX_CHAIN):
        parsed.nodes += 1
        if node is None or parsed.spent():
            return None
        if node.type in ("await_expression", "parenthesized_expression"):
            settled = settled or node.type == "await_expression"
            node = node.named_children[0] if node.named_children else None
            continue
        if node.type == "identifier":
            where, bound = bindings.lookup_at(parsed.text(node), node.start_byte)
            if bound is None or where > node.start_byte or not (settled or bound.type == "await_expression"):
                return None
            node, settled = bound, False
            continue
        node = unwrap(node)
        if node is None or node.type != "call_expression":
            return None
        fn = node.child_by_field_name("function")
        if _REQUEST.match(dotted(parsed, fn).replace("'", '"')):
            return node
        fn = unwrap(fn)
        if fn is None or fn.type != "member_expression":
            return None
        node, settled = fn.child_by_field_name("object"), True  # `fetch(u).then(f)`, `r.text()`: the chain's start
    parsed._say(f"a call chain or name longer than {MAX_CHAIN} steps was not followed to its start")
    return None


def _url(parsed: Parsed, call: Any) -> str:
    args = call_args(call)
    first = unwrap(args[0]) if args else None
    if first is not None and first.type in ("string", "template_string"):
        value = string_value(parsed, first)
        if value and re.match(r"https?://", value):
            return value
    return ""


class _Callbacks:
    """The functions handed to a request (or to a `.then` of its chain), each with the names it receives or
    declares, read once per function."""

    def __init__(self, parsed: Parsed, bindings: Bindings) -> None:
        self.parsed = parsed
        self.bindings = bindings
        self._names: dict[tuple[int, int, str], frozenset[str]] = {}

    def around(self, node: Any) -> tuple[Any, Any]:
        """(request, callback) of the innermost function around `node` handed to a request, or (None, None)."""
        cur = node.parent
        while cur is not None:
            self.parsed.nodes += 1
            if self.parsed.spent():
                return None, None
            if cur.type in FUNCTIONS:
                holder = cur.parent
                call = holder.parent if holder is not None and holder.type == "arguments" else None
                if call is not None and call.type == "call_expression":
                    req = _request(self.parsed, self.bindings, call)
                    if req is not None:
                        return req, cur
            cur = cur.parent
        return None, None

    def names(self, fn: Any) -> frozenset[str]:
        """The names `fn` receives (its parameters) or declares within it."""
        k = key(fn)
        if k not in self._names:
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            found = set(_identifiers(self.parsed, params)) if params is not None else set()
            for d in self.parsed.of_kind("variable_declarator"):
                if fn.start_byte <= d.start_byte < fn.end_byte and (name := d.child_by_field_name("name")) is not None:
                    found.update(_identifiers(self.parsed, name))
            self._names[k] = frozenset(found)
        return self._names[k]


def _identifiers(parsed: Parsed, node: Any) -> list[str]:
    """The names in a subtree (a parameter list, a destructuring pattern, an expression), within the budget."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        parsed.nodes += 1
        if parsed.spent():
            break
        if n.type in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(parsed.text(n))
        stack.extend(n.named_children)
    return out


def _awaited_request(parsed: Parsed, bindings: Bindings, code: Any) -> Any:
    """The request an awaited expression or a name in the code argument stands for."""
    stack = [code]
    while stack:
        n = stack.pop()
        parsed.nodes += 1
        if parsed.spent():
            return None
        if n.type in ("identifier", "await_expression"):
            req = _request(parsed, bindings, n)
            if req is not None:
                return req
        stack.extend(n.named_children)
    return None


def _then_runner(parsed: Parsed, call: Any) -> str:
    """`….then(eval)`: the runner handed to a `.then`, else ""."""
    fn = unwrap(call.child_by_field_name("function"))
    prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
    args = call_args(call)
    runner = dotted(parsed, args[0]) if prop is not None and parsed.text(prop) == "then" and args else ""
    return runner if runner in _RUNNERS else ""


def download_execute(parsed: Parsed, path: str, bindings: Bindings | None = None) -> list[Finding]:
    if parsed.root is None:
        return []
    text = parsed.src.decode("utf-8", "replace")
    if not DYNAMIC_CODE.search(text):
        return []
    bindings = bindings if bindings is not None else Bindings(parsed)
    callbacks = _Callbacks(parsed, bindings)
    out: list[Finding] = []
    for node in sorted(parsed.of_kind("call_expression") + parsed.of_kind("new_expression"), key=lambda n: n.start_byte):
        if parsed.spent():
            break
        runner = _then_runner(parsed, node) if node.type == "call_expression" else ""
        if runner:
            req = _request(parsed, bindings, node)
        else:
            runner = code_sink(parsed, node)
            if not runner:
                continue
            args = call_args(node)
            code = args[-1] if runner.endswith("Function") else args[0]
            req, fn = callbacks.around(node)
            if req is not None and not set(_identifiers(parsed, code)) & callbacks.names(fn):
                req = None  # the callback's code runs something else (`eval(localCode)`), not what it received
            req = req or _awaited_request(parsed, bindings, code)
        if req is None:
            continue
        url = _url(parsed, req)
        line, col = parsed.position(node)
        req_line, req_col = parsed.position(req)
        what = dotted(parsed, req.child_by_field_name("function")) or "a request"
        source = f"downloaded from {url}" if url else "a network response delivers"
        related = (Location(path, req_line, req_col, snippet=line_text(text, req_line).strip()[:200]),) \
            if req_line != line else ()
        out.append(finding("js-download-execute", f"{runner} runs code {source} (the response of {what}, line "
                           f"{req_line})", path, line, col, snippet=line_text(text, line).strip()[:200],
                           capabilities=(Capability("code.remote", url or "*"),), related=related))
        if len(out) >= MAX_REPORTS:
            break
    return out
