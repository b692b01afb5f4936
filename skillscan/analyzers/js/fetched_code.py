"""Code downloaded and run: in one JavaScript/TypeScript file, a dynamic-code call — `eval(x)`,
`new Function(…, x)`, `Function(x)`, the `vm` module's runners, `new vm.Script(x)` — whose code is not a plain
string literal and comes from a network response:

- the call sits in a function handed to a network request (`https.get(url, res => { … res.on("end", () =>
  eval(body)) })`) or to a `.then` of a chain that starts with one (`fetch(url).then(r => r.text()).then(t =>
  eval(t))`), or the runner itself is handed to that `.then` (`.then(eval)`);
- or its code names a variable assigned from an awaited request or from an awaited read of one (`const r =
  await fetch(url)` … `eval(await r.text())`), or holds the awaited request itself.

Requests: `fetch`, `axios` (and its methods), `got`, `ky`, `needle`, `superagent`, `request`, `undici`, and
`http`/`https` `get`/`request` (also through `require("https")`). A server's code arriving later is not
reviewable in the package: download-and-execute (rule js-download-execute, block). The message names the URL
when the request's first argument is a literal."""

from __future__ import annotations

import re
from typing import Any

from skillscan.analyzers.base import finding, line_text
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.served_code import FUNCTIONS, _args, _sink
from skillscan.analyzers.js.values import dotted, string_value, unwrap
from skillscan.model import Capability, Finding, Location

RULE_IDS: tuple[str, ...] = ("js-download-execute",)

_REQUEST = re.compile(
    r"^(?:(?:globalThis|window|self)\.)?fetch$|^axios(?:\.(?:get|post|request|put))?$|^got(?:\.(?:get|post))?$"
    r"|^ky(?:\.(?:get|post))?$|^needle(?:\.(?:get|post|request))?$|^superagent\.(?:get|post)$|^request$"
    r"|^undici\.(?:request|fetch)$|^(?:https?|require\(\"https?\"\)|node:https?)\.(?:get|request)$")
_RUNNERS = frozenset({"eval", "Function", "globalThis.eval", "window.eval"})
MAX_REPORTS = 5  # findings per file: enough for a verdict


def _request(parsed: Parsed, node: Any) -> Any:
    """The network request `node` is, or starts (a `.then`/`.text()` chain on one): the request call, or None."""
    node = unwrap(node)
    for _ in range(16):
        if node is None:
            return None
        if node.type == "await_expression":
            node = unwrap(node.named_children[0]) if node.named_children else None
            continue
        if node.type != "call_expression":
            return None
        fn = node.child_by_field_name("function")
        name = dotted(parsed, fn).replace("'", '"')
        if _REQUEST.match(name):
            return node
        fn = unwrap(fn)
        if fn is None or fn.type != "member_expression":
            return None
        node = unwrap(fn.child_by_field_name("object"))  # `fetch(u).then(f)`: the chain's start
    return None


def _url(parsed: Parsed, call: Any) -> str:
    args = _args(call)
    first = unwrap(args[0]) if args else None
    if first is not None and first.type in ("string", "template_string"):
        value = string_value(parsed, first)
        if value and re.match(r"https?://", value):
            return value
    return ""


def _handed_to_request(parsed: Parsed, node: Any) -> Any:
    """The request whose callback (an argument, or a `.then` argument on its chain) encloses `node`."""
    cur = node.parent
    while cur is not None:
        if cur.type in FUNCTIONS:
            holder = cur.parent
            call = holder.parent if holder is not None and holder.type == "arguments" else None
            if call is not None and call.type == "call_expression":
                found = _request(parsed, call)
                if found is not None:
                    return found
        cur = cur.parent
    return None


def _awaited_names(parsed: Parsed) -> dict[str, Any]:
    """Names assigned from an awaited request or an awaited read of one: name → the request call."""
    out: dict[str, Any] = {}
    for _ in range(2):  # `const r = await fetch(u)`, then `const t = await r.text()`
        for node in parsed.of_kind("variable_declarator") + parsed.of_kind("assignment_expression"):
            left = node.child_by_field_name("name") or node.child_by_field_name("left")
            raw = node.child_by_field_name("value") or node.child_by_field_name("right")
            if left is None or left.type != "identifier" or raw is None or raw.type != "await_expression":
                continue
            req = _request(parsed, raw)
            if req is None:
                inner = unwrap(raw)  # the awaited call (unwrap removes the `await`)
                fn = unwrap(inner.child_by_field_name("function")) if inner is not None and \
                    inner.type == "call_expression" else None
                obj = unwrap(fn.child_by_field_name("object")) if fn is not None and fn.type == "member_expression" \
                    else None
                if obj is not None and obj.type == "identifier" and parsed.text(obj) in out:
                    req = out[parsed.text(obj)]
            if req is not None:
                out.setdefault(parsed.text(left), req)
    return out


def _fed_by_await(parsed: Parsed, code: Any, awaited: dict[str, Any]) -> Any:
    """The request the code argument holds or names."""
    code = unwrap(code)
    if code is None:
        return None
    req = _request(parsed, code)
    if req is not None:
        return req
    stack = [code]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and parsed.text(n) in awaited:
            return awaited[parsed.text(n)]
        if n.type == "await_expression" and (req := _request(parsed, n)) is not None:
            return req
        stack.extend(n.named_children)
    return None


def _then_runner(parsed: Parsed, call: Any) -> bool:
    """`….then(eval)`: a runner handed to a `.then`."""
    fn = unwrap(call.child_by_field_name("function"))
    if fn is None or fn.type != "member_expression":
        return False
    prop = fn.child_by_field_name("property")
    args = _args(call)
    return prop is not None and parsed.text(prop) == "then" and bool(args) and dotted(parsed, args[0]) in _RUNNERS


def download_execute(parsed: Parsed, path: str) -> list[Finding]:
    if parsed.root is None:
        return []
    text = parsed.src.decode("utf-8", "replace")
    if not re.search(r"\beval\b|\bFunction\b|runIn\w*Context|compileFunction|\bScript\b", text):
        return []
    awaited = _awaited_names(parsed) if "await" in text else {}
    out: list[Finding] = []
    calls = sorted(parsed.of_kind("call_expression") + parsed.of_kind("new_expression"), key=lambda n: n.start_byte)
    for node in calls:
        runner = _sink(parsed, node) if node.type != "call_expression" or not _then_runner(parsed, node) else ""
        req = None
        if node.type == "call_expression" and _then_runner(parsed, node):
            req, runner = _request(parsed, node), dotted(parsed, _args(node)[0])
        elif runner:
            args = _args(node)
            code = args[-1] if runner.endswith("Function") else args[0]
            req = _handed_to_request(parsed, node) or _fed_by_await(parsed, code, awaited)
        if req is None:
            continue
        url = _url(parsed, req)
        line, col = parsed.position(node)
        req_line, req_col = parsed.position(req)
        what = dotted(parsed, req.child_by_field_name("function")) or "a request"
        source = f"downloaded from {url}" if url else "a network response delivers"
        out.append(finding("js-download-execute",
                           f"{runner} runs code {source} (the response of {what}, line {req_line})",
                           path, line, col, snippet=line_text(text, line).strip()[:200],
                           capabilities=(Capability("code.remote", url or "*"),),
                           related=(Location(path, req_line, req_col, snippet=line_text(text, req_line).strip()[:200]),)
                           if req_line != line else ()))
        if len(out) >= MAX_REPORTS:
            break
    return out
