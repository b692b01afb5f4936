"""Values that travel within one JavaScript/TypeScript file, on the tree-sitter parse: `const`/`let`/`var`
bindings (the nearest declaration before the use), plain assignments, string and template literals (every
escape form), `+`, arrays and objects of literals (`obj.key`, `arr[0]`, `.join`), `path.join`/`resolve`,
`os.homedir()`/`tmpdir()`/`__dirname`, `process.env.HOME`, decoders (`atob`, `Buffer.from(x, "base64"|"hex")`,
`String.fromCharCode`, `decodeURIComponent`, `.split("").reverse().join("")`) and the return value of a simple
local function (one `return`, its parameters bound to the call's arguments).

A part whose value is not known is `UNKNOWN` inside the result (the conventions of `js_values`), so a URL with
a variable path still yields its host. Pure and bounded: depth, result size and the parse's node budget."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from skillscan.analyzers.decode import decode_chain
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js_syntax import unescape

UNKNOWN = "\x00"
ITEM = "\x01"  # separates the items of an array value until it is joined
MAX_VALUE = 256 * 1024
MAX_DEPTH = 24
MAX_ITEMS = 4096  # items of an array value read, and folded over by a `.map`
_CODEC = {"base64": "base64", "base64url": "base64url", "hex": "hex"}
_PLAIN = {"latin1", "binary", "utf8", "utf-8", "ascii", "ucs2", "utf16le"}
_TS_WRAPPERS = ("as_expression", "satisfies_expression", "non_null_expression", "type_assertion",
                "parenthesized_expression", "await_expression")
_HOME_ENV = {"HOME": "~", "USERPROFILE": "~", "TMPDIR": "$TMP", "TEMP": "$TMP", "TMP": "$TMP"}
PATH_MODULES = ("path", "join", "resolve", "posix", "win32", "normalize")


def unwrap(node: Any) -> Any:
    """The expression inside TypeScript casts, `!`, parentheses and `await` (None past MAX_DEPTH of them)."""
    for _ in range(MAX_DEPTH + 1):
        if node is None or node.type not in _TS_WRAPPERS:
            return node
        inner = [c for c in node.named_children if c.type not in ("type_annotation",) and not c.type.endswith("_type")
                 and c.type not in ("type_identifier", "generic_type", "predefined_type")]
        if not inner:
            return node
        node = inner[-1] if node.type == "type_assertion" else inner[0]
    return None


def dotted(parsed: Parsed, node: Any) -> str:
    """`a.b.c` for a member chain of identifiers (`require("os").homedir` kept as written), else ""."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type in ("identifier", "this"):
        return parsed.text(node)
    if node.type == "member_expression":
        obj = dotted(parsed, node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return f"{obj}.{parsed.text(prop)}" if obj and prop is not None else ""
    if node.type == "subscript_expression":
        obj = dotted(parsed, node.child_by_field_name("object"))
        index = node.child_by_field_name("index")
        if obj and index is not None and index.type == "string":
            return f"{obj}.{string_value(parsed, index)}"
        return ""
    if node.type == "call_expression" and parsed.text(node.child_by_field_name("function")) == "require":
        return re.sub(r"\s+", "", parsed.text(node)).replace("'", '"')
    return ""


def key(node: Any) -> tuple[int, int, str]:
    """A node's identity: tree-sitter hands out a new wrapper object on each access, so `id()` is no key."""
    return node.start_byte, node.end_byte, node.type


def string_value(parsed: Parsed, node: Any) -> str:
    return unescape(parsed.text(node)[1:-1])


class Bindings:
    """Names bound in the file: `name = value` declarations and assignments, and local functions, each with
    where it is written; a use reads the nearest binding written before it (else the first one)."""

    def __init__(self, parsed: Parsed) -> None:
        self.values: dict[str, list[tuple[int, Any]]] = {}
        self.functions: dict[str, Any] = {}
        kinds = ("variable_declarator", "assignment_expression", "function_declaration", "generator_function_declaration")
        for node in sorted((n for k in kinds for n in parsed.of_kind(k)), key=lambda n: n.start_byte):
            t = node.type
            if t == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    self._bind(parsed.text(name), node.start_byte, value)
            elif t == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    self._bind(parsed.text(left), node.start_byte, right)
            elif t in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions.setdefault(parsed.text(name), node)

    def _bind(self, name: str, at: int, value: Any) -> None:
        v = unwrap(value)
        if v is not None and v.type in ("arrow_function", "function_expression", "function"):
            self.functions.setdefault(name, v)
        self.values.setdefault(name, []).append((at, value))  # in source order: the declarations are sorted

    def lookup(self, name: str, at: int) -> Any:
        return self.lookup_at(name, at)[1]

    def lookup_at(self, name: str, at: int) -> tuple[int, Any]:
        """(where, value) of the nearest binding of `name` written before `at` (else the first); (-1, None)."""
        found = self.values.get(name)
        if not found:
            return -1, None
        i = bisect_left(found, at, key=lambda b: b[0])
        return found[i - 1] if i else found[0]


class Values:
    """Folds expression nodes of one parsed file to strings (UNKNOWN for parts not known)."""

    def __init__(self, parsed: Parsed, bindings: Bindings | None = None) -> None:
        self.parsed = parsed
        self.bindings = bindings if bindings is not None else Bindings(parsed)
        # a snippet's nodes have no place in the file: a name in one reads the binding nearest before `anchor`
        # (the byte offset of the snippet in the file), or the first binding when the place is not known
        self.anchor: int | None = None
        self._active: set[tuple[int, int, str]] = set()  # bindings being evaluated (a = a + "x" must not loop)
        self.imports: Any = None  # the file's names imported from the package's modules (js/modules.Imports)
        self.names: Any = None  # the file's names through computed keys and aliases (js/names.Names), set by Taint

    def _at(self, node: Any) -> int:
        return node.start_byte if self.anchor is None else self.anchor

    def value(self, node: Any) -> str | None:
        """The folded value, or None when nothing of it is known."""
        v = self._eval(node, 0, {})
        if v is None or v.strip(UNKNOWN) == "":
            return None
        return v[:MAX_VALUE]

    def constant(self, node: Any) -> str | None:
        v = self._eval(node, 0, {})
        return v if v is not None and UNKNOWN not in v else None

    # -- evaluation ------------------------------------------------------------------------------------------------
    def _known(self, node: Any, depth: int, env: dict[str, str | None]) -> str | None:
        v = self._eval(node, depth, env)
        return v if v is not None and UNKNOWN not in v else None

    def _eval(self, node: Any, depth: int, env: dict[str, str | None]) -> str | None:
        if node is None or depth > MAX_DEPTH:
            return None
        self.parsed.nodes += 1
        if self.parsed.spent():
            return None
        node = unwrap(node)
        if node is None:
            return None
        t = node.type
        p = self.parsed
        if t == "string":
            return string_value(p, node)
        if t == "template_string":
            return self._template(node, depth, env)
        if t == "number":
            text = p.text(node).replace("_", "")
            try:
                return str(int(text, 0)) if re.fullmatch(r"0[xXoObB][0-9a-fA-F]+|\d+", text) else text
            except ValueError:
                return text
        if t == "binary_expression":
            if p.text(node.child_by_field_name("operator")) != "+":
                return None
            parts = [self._eval(node.child_by_field_name(k), depth + 1, env) for k in ("left", "right")]
            return "".join(UNKNOWN if v is None else v for v in parts)[:MAX_VALUE]
        if t == "array":
            children = [c for c in node.named_children if c.type not in ("comment", "spread_element")]
            items = [self._eval(c, depth + 1, env) for c in children[:MAX_ITEMS]]
            if len(children) > MAX_ITEMS:  # the rest stays unknown, and the bound is said
                self.parsed._say(f"an array of more than {MAX_ITEMS:,} items was read only to its {MAX_ITEMS:,}th")
                items.append(None)
            return ITEM.join(UNKNOWN if v is None else v for v in items)
        if t == "identifier":
            return self._name(node, depth, env)
        if t in ("member_expression", "subscript_expression"):
            return self._member(node, depth, env)
        if t == "call_expression":
            return self._call(node, depth, env)
        if t == "new_expression" and p.text(node.child_by_field_name("constructor")) == "Buffer":
            return self._buffer(node.child_by_field_name("arguments"), depth, env)
        return None

    def _template(self, node: Any, depth: int, env: dict[str, str | None]) -> str:
        out: list[str] = []
        for c in node.children:
            if c.type in ("string_fragment", "escape_sequence"):
                out.append(unescape(self.parsed.text(c)))
            elif c.type == "template_substitution":
                inner = c.named_children[0] if c.named_children else None
                v = self._eval(inner, depth + 1, env)
                out.append(UNKNOWN if v is None else v)
        return "".join(out)[:MAX_VALUE]

    def _name(self, node: Any, depth: int, env: dict[str, str | None]) -> str | None:
        name = self.parsed.text(node)
        if name in env:
            return env[name]
        if name in ("__dirname", "__filename"):
            return "$PKG"
        bound = self.bindings.lookup(name, self._at(node))
        if bound is None and self.imports is not None:
            got = self.imports.of_name(name)
            return got[1].value if got is not None else None
        if bound is None or key(bound) in self._active:
            return None
        self._active.add(key(bound))
        anchor, self.anchor = self.anchor, None  # a bound node is the file's own: its names read by its place
        try:
            return self._eval(bound, depth + 1, {})
        finally:
            self.anchor = anchor
            self._active.discard(key(bound))

    def _member(self, node: Any, depth: int, env: dict[str, str | None]) -> str | None:
        name = dotted(self.parsed, node)
        if not name and node.type == "subscript_expression" and self.names is not None:  # process['e'+'nv']
            name = self.names.text(node)
        if name in ("import.meta.dirname",):
            return "$PKG"
        if name.startswith("process.env."):
            return _HOME_ENV.get(name[len("process.env."):])
        obj = unwrap(node.child_by_field_name("object"))
        key_node = node.child_by_field_name("property") if node.type == "member_expression" else \
            node.child_by_field_name("index")
        if obj is None or key_node is None:
            return None
        if self.imports is not None and node.type == "member_expression":
            got = self.imports.of_member(obj, self.parsed.text(key_node))
            if got is not None:
                return got[1].value
        key = self.parsed.text(key_node) if node.type == "member_expression" else self._known(key_node, depth + 1, env)
        if key is None:
            return None
        container = self._container(obj, depth + 1)
        if container is None:
            return None
        if container.type == "object":
            for pair in container.named_children:
                if pair.type == "pair":
                    k = pair.child_by_field_name("key")
                    kt = string_value(self.parsed, k) if k is not None and k.type == "string" else \
                        self.parsed.text(k) if k is not None else ""
                    if kt == key:
                        return self._eval(pair.child_by_field_name("value"), depth + 1, env)
            return None
        if container.type == "array" and key.isdigit():
            items = [c for c in container.named_children if c.type != "comment"]
            return self._eval(items[int(key)], depth + 1, env) if int(key) < len(items) else None
        return None

    def _container(self, node: Any, depth: int) -> Any:
        """The object or array literal a name is bound to."""
        for _ in range(MAX_DEPTH - depth if depth < MAX_DEPTH else 0):
            node = unwrap(node)
            if node is None or node.type in ("object", "array"):
                return node
            if node.type not in ("identifier", "shorthand_property_identifier"):
                return None
            node = self.bindings.lookup(self.parsed.text(node), self._at(node))
        return None

    def _args(self, node: Any) -> list[Any]:
        args = node.child_by_field_name("arguments")
        return [c for c in args.named_children if c.type != "comment"] if args is not None else []

    def _call(self, node: Any, depth: int, env: dict[str, str | None]) -> str | None:
        fn = unwrap(node.child_by_field_name("function"))
        args = self._args(node)
        callee = dotted(self.parsed, fn)
        base = self._builtin(callee, args, depth, env) if callee else None
        if base is not None:
            return base
        if fn is not None and fn.type == "member_expression":
            method = self.parsed.text(fn.child_by_field_name("property"))
            if method in _METHODS:
                value = self._eval(fn.child_by_field_name("object"), depth + 1, env)
                return None if value is None else self._method(value, method, args, depth, env)
        if fn is not None and fn.type == "identifier":
            name = self.parsed.text(fn)
            if name not in self.bindings.functions and self.imports is not None and name in self.imports.names:
                imp = self.imports.names[name]
                found = self.imports.export(imp.path, imp.export + "()")  # an imported function's single return
                return found.value if found is not None else None
            return self._local_call(name, args, depth, env)
        return None

    def _builtin(self, callee: str, args: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        name = callee.rsplit(".", 1)[-1]
        if callee in ("os.homedir", "homedir", 'require("os").homedir'):
            return "~"
        if callee in ("os.tmpdir", "tmpdir"):
            return "$TMP"
        if callee in ("process.cwd", "Deno.cwd"):
            return "$WORK"
        if name in ("join", "resolve", "normalize") and callee.split(".")[0] in PATH_MODULES:
            vals = [self._eval(a, depth + 1, env) for a in args]
            return join_path([UNKNOWN if v is None else v for v in vals], absolute_reset=(name == "resolve"))
        if callee in ("atob", "window.atob", "globalThis.atob") and args:
            return self._decode(args[0], "base64", depth, env)
        if callee in ("Buffer.from", "Buffer") and args:
            return self._buffer_args(args, depth, env)
        if callee == "String.fromCharCode":
            if len(args) == 1 and args[0].type == "spread_element":
                inner = self._container(args[0].named_children[0], depth + 1) if args[0].named_children else None
                return self._charcodes(inner.named_children, depth, env) if inner is not None and \
                    inner.type == "array" else None
            return self._charcodes(args, depth, env)
        if callee in ("decodeURIComponent", "unescape", "decodeURI") and args:
            v = self._known(args[0], depth + 1, env)
            if v is None:
                return None
            from urllib.parse import unquote

            return unquote(v)
        if callee == "String" and args:
            return self._eval(args[0], depth + 1, env)
        return None

    def _buffer(self, arguments: Any, depth: int, env: dict[str, str | None]) -> str | None:
        args = [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []
        return self._buffer_args(args, depth, env) if args else None

    def _buffer_args(self, args: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        codec = (self._known(args[1], depth + 1, env) or "").lower() if len(args) > 1 else ""
        if codec in _CODEC:
            return self._decode(args[0], _CODEC[codec], depth, env)
        if codec and codec not in _PLAIN:
            return None
        first = unwrap(args[0])
        if first is not None and first.type == "array":
            return self._charcodes(first.named_children, depth, env)
        return self._eval(args[0], depth + 1, env)

    def _decode(self, node: Any, codec: str, depth: int, env: dict[str, str | None]) -> str | None:
        raw = self._known(node, depth + 1, env)
        if raw is None:
            return None
        dec = decode_chain(raw, [codec])
        return dec.text if dec is not None else None

    def _charcodes(self, items: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        out: list[str] = []
        for item in items[:MAX_VALUE]:
            if item.type == "comment":
                continue
            v = self._known(item, depth + 1, env)
            if v is None or not re.fullmatch(r"\d{1,7}", v) or int(v) > 0x10FFFF:
                return None
            out.append(chr(int(v)))
        return "".join(out)

    def _method(self, value: str, method: str, args: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        if method in ("toString", "valueOf", "trim"):
            return value.strip() if method == "trim" else value
        if method in ("toLowerCase", "toUpperCase"):
            return value.lower() if method == "toLowerCase" else value.upper()
        if method == "split":
            return ITEM.join(value) if args and self._known(args[0], depth + 1, env) == "" else None
        if method == "reverse":
            return ITEM.join(reversed(value.split(ITEM))) if ITEM in value else value[::-1]
        if method == "join":
            sep = self._known(args[0], depth + 1, env) if args else ","
            return value.replace(ITEM, sep or "")
        if method == "concat":
            rest = [self._eval(a, depth + 1, env) for a in args]
            return value + "".join(UNKNOWN if v is None else v for v in rest)
        if method == "map":
            return self._map(value, args, depth, env)
        return None

    def _map(self, value: str, args: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        """`[104, 116].map(c => String.fromCharCode(c))`: a one-expression arrow applied to each item."""
        fn = unwrap(args[0]) if args else None
        body = fn.child_by_field_name("body") if fn is not None and fn.type == "arrow_function" else None
        if body is None or body.type == "statement_block":
            return None
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        names = _param_names(self.parsed, params)
        if not names or not names[0]:
            return None
        items = value.split(ITEM)
        if len(items) > MAX_ITEMS:  # not folded: the value stays unknown, and the bound is said
            self.parsed._say(f"a `.map` over more than {MAX_ITEMS:,} items was not folded")
            return None
        out = []
        for item in items:
            v = self._eval(body, depth + 1, {**env, names[0]: None if item == UNKNOWN else item})
            out.append(UNKNOWN if v is None else v)
        return ITEM.join(out)

    def _local_call(self, name: str, args: list[Any], depth: int, env: dict[str, str | None]) -> str | None:
        """The value a local function with a single `return` gives for these arguments."""
        fn = self.bindings.functions.get(name)
        if fn is None or key(fn) in self._active:
            return None
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        if body.type == "statement_block":
            returns = [c for c in body.named_children if c.type == "return_statement"]
            if len(returns) != 1 or not returns[0].named_children:
                return None
            body = returns[0].named_children[0]
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        names = _param_names(self.parsed, params)
        inner: dict[str, str | None] = {n: (self._eval(args[i], depth + 1, env) if i < len(args) else None)
                                         for i, n in enumerate(names)}
        self._active.add(key(fn))
        try:
            return self._eval(body, depth + 1, inner)
        finally:
            self._active.discard(key(fn))


_METHODS = frozenset({"toString", "valueOf", "trim", "toLowerCase", "toUpperCase", "split", "reverse", "join",
                      "concat", "map"})


def _param_names(parsed: Parsed, params: Any) -> list[str]:
    if params is None:
        return []
    if params.type == "identifier":
        return [parsed.text(params)]
    out = []
    for c in params.named_children:
        target = c.child_by_field_name("pattern") if c.type in ("required_parameter", "optional_parameter") else \
            c.child_by_field_name("left") if c.type == "assignment_pattern" else c
        out.append(parsed.text(target) if target is not None and target.type == "identifier" else "")
    return out


def join_path(parts: list[str], absolute_reset: bool = False) -> str:
    out = ""
    for p in parts:
        if absolute_reset and p.startswith(("/", "~", "$")):
            out = p
            continue
        if not out:
            out = p
        elif p:
            out = out.rstrip("/") + "/" + p.lstrip("/")
    while "//" in out:
        out = out.replace("//", "/")
    return out
