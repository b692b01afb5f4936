"""Data encoded into a side channel of a request, not its body — JavaScript/TypeScript (the Python rules are
`python/checks/covert.py`; the patterns of host names and headers are shared, `rules/capabilities/code.yaml`).

* js-data-in-dns-name: a script builds a host name (`` `${label}.collector.example.net` ``, `enc + ".example.net"`,
  `[enc, "example.net"].join(".")`) one of whose labels is the base64/base32/hex encoding of data computed at run
  time (`Buffer.from(text).toString("hex")`, `btoa(text)`). Passed to a resolver in the same file (`dns.resolve`,
  `dns.lookup`, `dns.promises.resolveTxt`…) it is graded high; only built, for review.
* js-encoded-data-in-header: a script puts the base64/base32/hex encoding of data computed at run time into a
  custom header of an HTTP request (`headers: {"X-Preview": btoa(text)}`, `headers.set("X-Ctx", enc)`,
  `req.setHeader(…)`). Headers carrying credentials, signatures or digests by design are not reported.

The encoding of a literal, a digest, random bytes or a fresh id carries no data and is not reported."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import dotted, key, string_value, unwrap
from skillscan.lazyre import lazy
from skillscan.model import Confidence

RULE_IDS: tuple[str, ...] = ("js-data-in-dns-name", "js-encoded-data-in-header")

HOST_TAIL = pattern("host_tail")
HOST_PART = pattern("host_part")
HEADER_NAME = pattern("header_name")
HEADER_BY_DESIGN = pattern("header_by_design")
HEADERS_NAME = pattern("headers_name")

# Buffer/`toString` codecs and encoder functions → the encoding they write
CODECS = {"base64": "base64", "base64url": "base64", "hex": "hex"}
ENCODERS = {"btoa": "base64", "window.btoa": "base64", "globalThis.btoa": "base64", "base32.encode": "base32",
            "base32Encode": "base32", "hibase32.encode": "base32", "Base64.encode": "base64",
            "base64.encode": "base64", "base64url.encode": "base64", "bs58.encode": "base58", "hex.encode": "hex"}
# methods a value passes through keeping what it carries
PASS_METHODS = frozenset({"replace", "replaceAll", "toLowerCase", "toUpperCase", "slice", "substring", "substr",
                          "trim", "padEnd", "padStart", "concat"})
# what an encoder may encode without carrying data: a digest, random bytes, a fresh id, a clock
NOT_DATA = lazy(r"(?:\bcreateHash\b|\bcreateHmac\b|\.digest\(|\brandomBytes\b|\brandomUUID\b|\bgetRandomValues\b|"
                r"\bMath\.random\b|\buuid|\bnanoid\b|\bDate\.now\b|\bperformance\.now\b)")
RESOLVER_METHODS = frozenset({"lookup", "resolve", "resolve4", "resolve6", "resolveAny", "resolveCname",
                              "resolveMx", "resolveNs", "resolveTxt", "resolveSrv", "resolvePtr", "resolveSoa",
                              "resolveNaptr", "lookupService"})
BARE_RESOLVERS = RESOLVER_METHODS - {"lookup", "resolve"}  # `import { resolveTxt } from "dns"`
HEADER_SETTERS = frozenset({"setHeader", "setRequestHeader", "appendHeader"})
HEADER_MAP_METHODS = frozenset({"set", "append"})
MAX_DEPTH = 6
MAX_CANDIDATES = 32

Encoding = tuple[str, Any, Any]  # (encoding, the encoder call, the data encoded)


def check(ctx: Context) -> None:
    names = _dns_names(ctx)
    if names:
        resolved = _resolved(ctx)
        for node, domain, label, encoding in names:
            what = (f"a host name under {domain} one of whose labels is `{label}`, the {encoding} encoding of data "
                    f"computed at run time")
            loc = ctx.where(node)
            if key(node) in resolved:
                callee, at = resolved[key(node)]
                where = ctx.where(at)
                line = f" (line {where.line})" if where.line != loc.line else ""
                ctx.emit("js-data-in-dns-name", f"looks up, with {callee}{line}, {what}: the lookup carries that data "
                         f"to the domain's name server", node, confidence=Confidence.MEDIUM, related=(where,))
            else:
                ctx.emit("js-data-in-dns-name", f"builds {what}: a lookup of that name carries the data to the "
                         f"domain's name server", node, confidence=Confidence.LOW)
    _headers(ctx)


# ---------------------------------------------------------------------------------------- the encoding a value is

def encoding_in(ctx: Context, node: Any, depth: int = 0) -> Encoding | None:
    """The encoding of run-time data that `node` is (through pass-through methods and the value bound to a name):
    (`base64`, the encoder call, the data encoded), or None."""
    node = unwrap(node)
    if node is None or depth > MAX_DEPTH:
        return None
    if node.type == "identifier":
        bound = _other(ctx, node)
        return encoding_in(ctx, bound, depth + 1) if bound is not None else None
    if node.type != "call_expression":
        return None
    fn = unwrap(node.child_by_field_name("function"))
    args = _args(node)
    callee = dotted(ctx.parsed, fn)
    if callee in ENCODERS and args:
        return (ENCODERS[callee], node, args[0]) if _is_data(ctx, args[0]) else None
    if fn is None or fn.type != "member_expression":
        return None
    method = ctx.text(fn.child_by_field_name("property"))
    receiver = fn.child_by_field_name("object")
    if method == "toString" and args:
        codec = CODECS.get((ctx.values.constant(args[0]) or "").lower())
        data = _buffer_data(ctx, receiver)
        return (codec, node, data) if codec and data is not None and _is_data(ctx, data) else None
    if method in PASS_METHODS or method == "toString":
        return encoding_in(ctx, receiver, depth + 1)
    return None


def _buffer_data(ctx: Context, node: Any, depth: int = 0) -> Any:
    """What a buffer holds: the argument of `Buffer.from(x)` (through a name bound to it), else the node."""
    node = unwrap(node)
    if node is None or depth > MAX_DEPTH:
        return None
    if node.type == "identifier":
        bound = _other(ctx, node)
        return _buffer_data(ctx, bound, depth + 1) if bound is not None else node
    if node.type in ("call_expression", "new_expression"):
        fn = node.child_by_field_name("constructor" if node.type == "new_expression" else "function")
        if dotted(ctx.parsed, fn) in ("Buffer.from", "Buffer") and _args(node):
            return _args(node)[0]
    return node


def _other(ctx: Context, name: Any) -> Any:
    """The expression bound to the identifier `name`, or None (also when the binding is `name` itself)."""
    bound = ctx.bound(name)
    return bound if bound is not None and key(bound) != key(name) else None


def _is_data(ctx: Context, node: Any) -> bool:
    """Data of the run: not a constant, not a digest, random bytes or an id (also through a bound name)."""
    if ctx.values.constant(node) is not None or NOT_DATA.search(ctx.text(node)):
        return False
    inner = unwrap(node)
    if inner is not None and inner.type == "identifier":
        bound = ctx.bound(inner)
        if bound is not None and NOT_DATA.search(ctx.text(bound)):
            return False
    return True


def _args(node: Any) -> list[Any]:
    args = node.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


# ---------------------------------------------------------------------------------------- js-data-in-dns-name

def _dns_names(ctx: Context) -> list[tuple[Any, str, str, str]]:
    """(node, domain, label text, encoding) of each host name built with an encoded label."""
    out: list[tuple[Any, str, str, str]] = []
    for node in ctx.of_kind("template_string"):
        if len(out) >= MAX_CANDIDATES:
            break
        parts: list[tuple[str, Any]] = []
        for c in node.children:
            if c.type in ("string_fragment", "escape_sequence"):
                text = ctx.text(c)
                if parts and parts[-1][0] == "text":
                    parts[-1] = ("text", parts[-1][1] + text)
                else:
                    parts.append(("text", text))
            elif c.type == "template_substitution" and c.named_children:
                parts.append(("expr", c.named_children[0]))
        if not parts or parts[-1][0] != "text" or not HOST_TAIL.match(parts[-1][1]):
            continue
        if not all(HOST_PART.match(t) for kind, t in parts if kind == "text"):
            continue
        for i, (kind, expr) in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if kind == "expr" and nxt[0] == "text" and nxt[1].startswith("."):
                enc = encoding_in(ctx, expr)
                if enc is not None:
                    out.append((node, parts[-1][1].strip("."), ctx.text(expr), enc[0]))
                    break
    for node in ctx.of_kind("binary_expression"):
        if len(out) >= MAX_CANDIDATES:
            break
        parent = node.parent
        if parent is not None and parent.type == "binary_expression" or ctx.text(node.child_by_field_name("operator")) != "+":
            continue
        operands = _plus_operands(node)
        for i, operand in enumerate(operands[:-1]):
            tail = "".join(ctx.values.constant(o) or "\x00" for o in operands[i + 1:])
            if "\x00" in tail or not tail.startswith(".") or not HOST_TAIL.match(tail):
                continue
            enc = encoding_in(ctx, operand)
            if enc is not None:
                out.append((node, tail.strip("."), ctx.text(operand), enc[0]))
                break
    for node in ctx.parsed.of_kind("call_expression"):
        if len(out) >= MAX_CANDIDATES:
            break
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_expression" or ctx.text(fn.child_by_field_name("property")) != "join":
            continue
        items_node = unwrap(fn.child_by_field_name("object"))
        args = _args(node)
        if items_node is None or items_node.type != "array" or len(args) != 1 or ctx.values.constant(args[0]) != ".":
            continue
        items = [c for c in items_node.named_children if c.type != "comment"]
        last = ctx.values.constant(items[-1]) if items else None
        if last is None or not HOST_TAIL.match("." + last):
            continue
        for item in items[:-1]:
            enc = encoding_in(ctx, item)
            if enc is not None:
                out.append((node, last.strip("."), ctx.text(item), enc[0]))
                break
    return out


def _plus_operands(node: Any) -> list[Any]:
    """The operands of a chain of `+`, left to right."""
    out: list[Any] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "binary_expression" and n.child_by_field_name("operator") is not None and \
                n.child_by_field_name("operator").type == "+":
            stack.extend((n.child_by_field_name("right"), n.child_by_field_name("left")))
        elif n.type == "parenthesized_expression" and n.named_children:
            stack.append(n.named_children[0])
        else:
            out.append(n)
    return out


def _resolved(ctx: Context) -> dict[tuple[int, int, str], tuple[str, Any]]:
    """The name node each resolver call of the file is asked for (through a name bound to it): (callee, call)."""
    out: dict[tuple[int, int, str], tuple[str, Any]] = {}
    for node in ctx.parsed.of_kind("call_expression"):
        callee = dotted(ctx.parsed, node.child_by_field_name("function"))
        head, _, method = callee.rpartition(".")
        if not (method in RESOLVER_METHODS and ("dns" in head.lower() or "resolver" in head.lower())) and \
                not (not head and method in BARE_RESOLVERS):
            continue
        args = _args(node)
        arg = unwrap(args[0]) if args else None
        if arg is not None and arg.type == "identifier":
            bound = unwrap(ctx.bound(arg))
            arg = bound if bound is not None else arg
        if arg is not None:
            out[key(arg)] = (callee, node)
    return out


# ---------------------------------------------------------------------------------------- js-encoded-data-in-header

def _headers(ctx: Context) -> None:
    seen: set[tuple[int, int, str]] = set()
    for obj in _header_objects(ctx):
        if key(obj) in seen:
            continue
        seen.add(key(obj))
        for pair in obj.named_children:
            if pair.type != "pair":
                continue
            k = pair.child_by_field_name("key")
            name = string_value(ctx.parsed, k) if k is not None and k.type == "string" else ctx.text(k) if k else ""
            _check_header(ctx, k, name, pair.child_by_field_name("value"))
    for node in ctx.parsed.of_kind("call_expression"):
        fn = node.child_by_field_name("function")
        args = _args(node)
        if fn is None or fn.type != "member_expression" or len(args) < 2:
            continue
        method = ctx.text(fn.child_by_field_name("property"))
        receiver = fn.child_by_field_name("object")
        if method in HEADER_SETTERS or method in HEADER_MAP_METHODS and _holds_headers(ctx, receiver):
            name = ctx.values.constant(args[0])
            if name is not None:
                _check_header(ctx, args[0], name, args[1])
    for node in ctx.of_kind("subscript_expression"):  # `headers["X-A"] = enc`
        parent = node.parent
        if parent is None or parent.type != "assignment_expression" or \
                key(parent.child_by_field_name("left")) != key(node):
            continue
        if not HEADERS_NAME.search(_tail_name(ctx, node.child_by_field_name("object"))):
            continue
        index = node.child_by_field_name("index")
        name = ctx.values.constant(index) if index is not None else None
        if name is not None:
            _check_header(ctx, index, name, parent.child_by_field_name("right"))


def _header_objects(ctx: Context) -> list[Any]:
    """Object literals that are request headers: a `headers: {…}` entry (or a name bound to an object), an
    object bound to a name like `headers`, the argument of `new Headers({…})`."""
    out = []
    for pair in ctx.of_kind("pair"):
        k = pair.child_by_field_name("key")
        name = string_value(ctx.parsed, k) if k is not None and k.type == "string" else ctx.text(k) if k else ""
        if HEADERS_NAME.match(name):
            obj = ctx.values._container(pair.child_by_field_name("value"), 0)
            if obj is not None and obj.type == "object":
                out.append(obj)
    for decl in ctx.parsed.of_kind("variable_declarator"):
        name, value = decl.child_by_field_name("name"), unwrap(decl.child_by_field_name("value"))
        if name is not None and value is not None and value.type == "object" and HEADERS_NAME.search(ctx.text(name)):
            out.append(value)
    for new in ctx.parsed.of_kind("new_expression"):
        if ctx.text(new.child_by_field_name("constructor")) == "Headers" and _args(new):
            obj = ctx.values._container(_args(new)[0], 0)
            if obj is not None and obj.type == "object":
                out.append(obj)
    return out


def _holds_headers(ctx: Context, receiver: Any) -> bool:
    """`headers.set(…)`, `h.append(…)` where `h = new Headers()`."""
    if HEADERS_NAME.search(_tail_name(ctx, receiver)):
        return True
    r = unwrap(receiver)
    if r is None or r.type != "identifier":
        return False
    bound = unwrap(ctx.bound(r))
    return bound is not None and bound.type == "new_expression" and \
        ctx.text(bound.child_by_field_name("constructor")) == "Headers"


def _tail_name(ctx: Context, node: Any) -> str:
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "identifier":
        return ctx.text(node)
    if node.type == "member_expression":
        return ctx.text(node.child_by_field_name("property"))
    return ""


def _check_header(ctx: Context, at: Any, header: str, value: Any) -> None:
    if at is None or not HEADER_NAME.match(header) or HEADER_BY_DESIGN.search(header):
        return
    enc = encoding_in(ctx, value)
    if enc is None:
        return
    data = " ".join(ctx.text(enc[2]).split())
    ctx.emit("js-encoded-data-in-header", f"puts the {enc[0]} encoding of `{data[:80]}`, data computed at run time, "
             f"into the custom HTTP header {header}", at, confidence=Confidence.LOW)
