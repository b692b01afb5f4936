"""JavaScript literal resolution for the semgrep engine: split a matched call into its arguments and
fold an argument expression to a constant string where the code makes it constant — string and
template literals (every escape form), `+` concatenation, module constants, `path.join`/`resolve`,
`os.homedir()`/`tmpdir()`/`__dirname`, and explicit decoders (`atob`, `Buffer.from(…, "base64"|"hex")`,
`String.fromCharCode`, `.split("").reverse().join("")`, `[…].join(…)`).

Parts that are not constant become `UNKNOWN` inside the result, so a URL with a variable path still
yields its host and a command with a variable argument is still tokenised. Pure and bounded: depth,
input and output sizes are capped; nothing is ever executed."""


import re
from typing import Any

from skillscan.analyzers.decode import decode_chain
from skillscan.analyzers.js.values import UNKNOWN, join_path
from skillscan.analyzers.js_syntax import (
    MAX_EXPR,
    array_items,
    skip_group,
    skip_string,
    split_call,
    split_top,
    strip_comments,
    unescape,
    until_top,
)
from skillscan.capabilities.urls import script_host
from skillscan.lazyre import lazy

MAX_VALUE = 256 * 1024
MAX_DEPTH = 12
MAX_DECL = 8 * 1024  # characters of one declaration looked at
MAX_SCAN = 4 * 1024 * 1024  # characters the declaration table may scan in one file
MAX_CALLS = 2000  # decoder calls examined per file
MAX_CALL_WINDOW = 16 * 1024  # characters of one decoder call looked at (longer literals: the literal pass)
MAX_WORK = 4 * 1024 * 1024  # characters one Resolver may process in total, whatever the input

_IDENT = lazy(r"[A-Za-z_$][\w$]*")
_DECL = lazy(r"(?:^|[;\n{}])\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[\w.<>\[\]| ]+)?=\s*")
_NUMBER = lazy(r"^(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)$")
_CODEC = {"base64": "base64", "base64url": "base64url", "hex": "hex", "latin1": None, "binary": None,
          "utf8": None, "utf-8": None, "ascii": None, "ucs2": None, "utf16le": None}



_IMPORTED_NAME = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*))?")


class Resolver:
    """Folds JS expressions of one file to constant strings (with UNKNOWN for unknown parts): on the parse
    (`analyzers/js/values.py`, names bound by the file's declarations) when the expression's text is one clean
    expression, else by the text folding below (a semgrep match cut inside a template literal, text the
    grammar refuses)."""

    def __init__(self, source: str = "", path: str = "", language: str = "typescript",
                 modules: Any = None) -> None:
        self.source = source
        self.path = path
        self.language = language
        self.modules = modules  # the package's JS/TS module exports (Package.js_modules): imported names read them
        self._consts: dict[str, str] | None = None
        self._work = MAX_WORK
        self._tree: Any = None
        self._region: tuple[int, int] | None = None

    @property
    def tree_values(self) -> Any:
        """The file's parse and bindings, evaluated for snippets (a name reads its first binding)."""
        if self._tree is None:
            from skillscan.analyzers.js.parse import parse
            from skillscan.analyzers.js.values import Values

            self._tree = Values(parse(self.source, self.path, self.language))
            if self.modules:  # `import { API_URL } from "./config"`: the same export the JS flows read
                from skillscan.analyzers.js.modules import Imports

                self._tree.imports = Imports(self._tree.parsed, self.path, self.modules)
        return self._tree

    def imported(self, expr: str, want: str) -> list[tuple[str, int]]:
        """Where the package's own modules write `want` for the imported names `expr` uses (`API_URL`, `cfg.host`):
        (module path, line of the literal) for each export whose folded value holds it."""
        imports = self.tree_values.imports if self.modules else None
        if imports is None or not want:
            return []
        out: list[tuple[str, int]] = []
        for m in _IMPORTED_NAME.finditer(expr[:MAX_EXPR]):
            name, prop = m.group(1), m.group(2)
            got = imports.of_name(name) if not prop else None
            if got is None and prop and name in imports.names:
                imp = imports.names[name]
                found = imports.export(imp.path, prop if imp.export == "*" else f"{imp.export}.{prop}")
                got = (imp, found) if found is not None else None
            if got is not None and want.lower() in (got[1].value or "").lower():
                out.append((got[0].path, got[1].host_line or got[1].line))
        return list(dict.fromkeys(out))[:4]

    def place(self, start: int, end: int) -> None:
        """The byte range in the file of the match whose expressions are folded next: an expression found
        there is folded as the file's own node; another one's names read the binding nearest before `start`."""
        self._region = (start, end)

    def _parsed_value(self, expr: str) -> tuple[bool, str | None]:
        """(True, value) when the parse folds `expr`; (False, None) when the text folding must."""
        from skillscan.analyzers.js.parse import parse_snippet

        values = self.tree_values
        values._active.clear()
        node = self._file_node(expr, values)
        if node is not None:
            values.anchor = None
            return True, values._eval(node, 0, {})
        node = parse_snippet(expr[:MAX_EXPR]) if len(expr) <= MAX_EXPR else None
        if node is None:
            return False, None
        values.anchor = self._region[0] if self._region is not None else -1
        return True, values._eval(node, 0, {})

    def _file_node(self, expr: str, values: Any) -> Any:
        """The file's node whose text is exactly `expr`, found inside the placed match; None elsewhere."""
        root = values.parsed.root
        if self._region is None or root is None:
            return None
        want = expr.strip().encode("utf-8", "replace")
        start, end = self._region
        at = values.parsed.src.find(want, start, end) if want else -1
        if at < 0:
            return None
        node = root.named_descendant_for_byte_range(at, at + len(want))
        if node is None or node.start_byte != at or node.end_byte != at + len(want):
            return None
        return node

    @property
    def consts(self) -> dict[str, str]:
        """`const|let|var NAME = <expr>` declarations, first one wins (a crude, scope-free table)."""
        if self._consts is None:
            table: dict[str, str] = {}
            text = self.source[:MAX_SCAN]
            budget = MAX_SCAN
            for m in _DECL.finditer(text):
                name = m.group(1)
                if name in table:
                    continue
                rest = text[m.end() : m.end() + min(MAX_DECL, budget)]
                budget -= len(rest)
                if budget <= 0:
                    break
                # a declaration ends at `;`, `,` or a line break outside brackets and strings
                table[name] = until_top(rest, ";,\n").strip()
            self._consts = table
        return self._consts

    def value(self, expr: str) -> str | None:
        """The folded value, or None when nothing of it is known."""
        parsed, v = self._parsed_value(expr)
        if not parsed:
            v = self._eval(expr, 0)
        if v is None or v.strip(UNKNOWN) == "":
            return None
        return v[:MAX_VALUE]

    def constant(self, expr: str) -> str | None:
        """The value only when it is entirely constant."""
        parsed, v = self._parsed_value(expr)
        if not parsed:
            v = self._eval(expr, 0)
        return v if v is not None and UNKNOWN not in v else None

    # -- evaluation ------------------------------------------------------------------------------

    def _const(self, expr: str, depth: int) -> str | None:
        v = self._eval(expr, depth)
        return v if v is not None and UNKNOWN not in v else None

    def _eval(self, expr: str, depth: int) -> str | None:
        if depth > MAX_DEPTH or self._work <= 0:
            return None
        self._work -= min(len(expr), MAX_EXPR)
        e = strip_comments(expr[:MAX_EXPR]).strip()
        while e.endswith(("as string", "as any")):
            e = e.rsplit(" as ", 1)[0].strip()
        if not e:
            return None
        parts = split_top(e, "+")
        if len(parts) > 1 and all(p.strip() for p in parts):
            vals = [self._eval(p, depth + 1) for p in parts]
            return "".join(UNKNOWN if v is None else v for v in vals)[:MAX_VALUE]
        return self._atom(e, depth)

    def _atom(self, e: str, depth: int) -> str | None:
        if e[0] in "'\"" and skip_string(e, 0) == len(e) and e[-1] == e[0]:
            return unescape(e[1:-1])
        if e[0] == "`" and skip_string(e, 0) == len(e):
            # semgrep's match of a template literal can end before its closing backtick: the body is then the
            # rest of the text, not the text less its last character
            closed = len(e) > 1 and e[-1] == "`" and not e.endswith("\\`")
            return self._template(e[1:-1] if closed else e[1:], depth)
        if e[0] == "(" and skip_group(e, 0) == len(e):
            return self._eval(e[1:-1], depth + 1)
        if e[0] == "[" and skip_group(e, 0) == len(e):
            items = array_items(e) or []
            vals = [self._eval(i, depth + 1) for i in items[:4096]]
            return "\x01".join(UNKNOWN if v is None else v for v in vals)
        if _NUMBER.match(e):
            try:
                return str(int(e, 0)) if not re.search(r"[.eE]", e) or e.lower().startswith("0x") else e
            except ValueError:
                return e
        if e in ("__dirname", "__filename", "import.meta.dirname"):
            return "$PKG"
        if e in ("process.env.HOME", "process.env.USERPROFILE", "process.env['HOME']", 'process.env["HOME"]'):
            return "~"
        if e in ("process.env.TMPDIR", "process.env.TEMP", "process.env.TMP"):
            return "$TMP"
        if _IDENT.fullmatch(e):
            src = self.consts.get(e)
            if src is None or src == e:
                return None
            return self._eval(src, depth + 1)
        return self._call(e, depth)

    def _template(self, body: str, depth: int) -> str:
        out: list[str] = []
        i = 0
        n = len(body)
        start = 0
        while i < n:
            c = body[i]
            if c == "\\":
                i += 2
                continue
            if c == "$" and i + 1 < n and body[i + 1] == "{":
                out.append(unescape(body[start:i]))
                end = skip_group(body, i + 1)
                v = self._eval(body[i + 2 : end - 1], depth + 1)
                out.append(UNKNOWN if v is None else v)
                i = start = end
                continue
            i += 1
        out.append(unescape(body[start:]))
        return "".join(out)

    def _call(self, e: str, depth: int) -> str | None:
        call = split_call(e)
        if call is None:
            return None
        callee = re.sub(r"\s+", "", call.callee)
        tail = e[e.find("(") :]
        end = skip_group(tail, 0)
        after = tail[end:].strip()
        base = self._base_call(callee, call.args, depth)
        if base is None and "." in call.callee:
            # `"abc".split("")…`, `CONST.toString()`: a value followed by method calls
            obj, _, method = call.callee.rstrip().rpartition(".")
            if obj.strip() and _IDENT.fullmatch(method.strip()):
                value = self._eval(obj, depth + 1)
                if value is not None:
                    return self._chain(value, "." + method.strip() + tail, depth)
        if base is None and after == "":
            return None
        return self._chain(base, after, depth) if after else base

    def _base_call(self, callee: str, args: tuple[str, ...], depth: int) -> str | None:
        name = callee.rsplit(".", 1)[-1]
        if callee in ("os.homedir", "homedir", "require('os').homedir", 'require("os").homedir'):
            return "~"
        if callee in ("os.tmpdir", "tmpdir"):
            return "$TMP"
        if callee in ("process.cwd", "Deno.cwd"):
            return "$WORK"
        if name in ("join", "resolve", "normalize") and callee.split(".")[0] in ("path", "join", "resolve", "posix",
                                                                                    "win32", "normalize"):
            vals = [self._eval(a, depth + 1) for a in args]
            return join_path([UNKNOWN if v is None else v for v in vals], absolute_reset=(name == "resolve"))
        if callee in ("atob", "window.atob", "globalThis.atob") and args:
            return self._decode(args[0], ["base64"], depth)
        if callee in ("Buffer.from", "newBuffer", "Buffer") and args:
            codec = _CODEC.get((self._const(args[1], depth + 1) or "").lower()) if len(args) > 1 else None
            if codec:
                return self._decode(args[0], [codec], depth)
            items = array_items(args[0])
            if items is not None:
                return self._charcodes(items, depth)
            return self._eval(args[0], depth + 1)
        if callee == "String.fromCharCode":
            if len(args) == 1 and args[0].startswith("..."):
                items = array_items(args[0][3:])
                return self._charcodes(items or [], depth) if items is not None else None
            return self._charcodes(list(args), depth)
        if callee in ("decodeURIComponent", "unescape", "decodeURI") and args:
            v = self._const(args[0], depth + 1)
            if v is None:
                return None
            from urllib.parse import unquote
            return unquote(v)
        if callee == "String" and args:
            return self._eval(args[0], depth + 1)
        return None

    def _chain(self, base: str | None, after: str, depth: int) -> str | None:
        """Method calls on a value: .toString(), .split("").reverse().join(""), .trim(), .replace()…"""
        value = base
        rest = after
        steps = 0
        while rest.startswith(".") and steps < 16:
            steps += 1
            m = _IDENT.match(rest, 1)
            if not m:
                return value
            method = m.group(0)
            rest = rest[m.end() :].lstrip()
            args: tuple[str, ...] = ()
            if rest.startswith("("):
                end = skip_group(rest, 0)
                inner = rest[1 : end - 1]
                args = tuple(a.strip() for a in split_top(inner, ",") if a.strip())
                rest = rest[end:].lstrip()
            if value is None:
                return None
            if method in ("toString", "trim", "valueOf", "toLowerCase", "toUpperCase"):
                value = value.lower() if method == "toLowerCase" else value.upper() if method == "toUpperCase" \
                    else value.strip() if method == "trim" else value
            elif method == "split" and args and self._const(args[0], depth + 1) == "":
                value = "\x01".join(value)  # marks a character list for reverse/join
            elif method == "reverse":
                value = "\x01".join(reversed(value.split("\x01"))) if "\x01" in value else value[::-1]
            elif method == "join":
                sep = self._const(args[0], depth + 1) if args else ","
                value = value.replace("\x01", sep or "")
            else:
                return None
        return value

    def _decode(self, arg: str, codecs: list[str], depth: int) -> str | None:
        raw = self._const(arg, depth + 1)
        if raw is None:
            return None
        dec = decode_chain(raw, codecs)
        return dec.text if dec is not None else None

    def _charcodes(self, items: list[str], depth: int) -> str | None:
        out: list[str] = []
        for item in items[:MAX_VALUE]:
            v = self._const(item, depth + 1)
            if v is None or not re.fullmatch(r"\d{1,7}", v) or int(v) > 0x10FFFF:
                return None
            out.append(chr(int(v)))
        return "".join(out)


def host_of(value: str | None) -> str:
    """The host of a URL-like value (`*` if unknown); a bare hostname is accepted too."""
    return script_host(value, UNKNOWN)


def display(value: str) -> str:
    """A folded value for messages and command analysis: unknown parts shown as `$VAR`."""
    return value.replace(UNKNOWN, "$VAR").replace("\x01", "")




# -- the file engine: decoded JavaScript literals become virtual files -------------------------------
