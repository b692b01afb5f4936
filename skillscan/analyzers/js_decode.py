"""JavaScript literal resolution for the semgrep engine: split a matched call into its arguments and
fold an argument expression to a constant string where the code makes it constant — string and
template literals (every escape form), `+` concatenation, module constants, `path.join`/`resolve`,
`os.homedir()`/`tmpdir()`/`__dirname`, and explicit decoders (`atob`, `Buffer.from(…, "base64"|"hex")`,
`String.fromCharCode`, `.split("").reverse().join("")`, `[…].join(…)`).

Parts that are not constant become `UNKNOWN` inside the result, so a URL with a variable path still
yields its host and a command with a variable argument is still tokenised. Pure and bounded: depth,
input and output sizes are capped; nothing is ever executed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.decode import decode_chain
from skillscan.lazyre import lazy

UNKNOWN = "\x00"  # stands for a part whose value is not known statically
MAX_EXPR = 64 * 1024
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
_ESC = lazy(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|[\s\S])")
_SIMPLE_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r\n": "", "\r": "",
               "\u2028": "", "\u2029": ""}
_CODEC = {"base64": "base64", "base64url": "base64url", "hex": "hex", "latin1": None, "binary": None,
          "utf8": None, "utf-8": None, "ascii": None, "ucs2": None, "utf16le": None}


def unescape(body: str) -> str:
    """The value of a JS string literal body (between the quotes)."""
    def sub(m: re.Match[str]) -> str:
        e = m.group(1)
        if e in _SIMPLE_ESC:
            return _SIMPLE_ESC[e]
        if e.startswith("u{"):
            cp = int(e[2:-1], 16)
            return chr(cp) if cp <= 0x10FFFF else ""
        if e[0] == "u" and len(e) == 5:
            return chr(int(e[1:], 16))
        if e[0] == "x" and len(e) == 3:
            return chr(int(e[1:], 16))
        if e[0] in "01234567":
            return "\0" if e == "0" else chr(int(e, 8))
        return e
    return _ESC.sub(sub, body)


_STRING_REST = {"'": lazy(r"(?:[^'\\\n]|\\[\s\S])*(?:'|\n|$)"),
                '"': lazy(r'(?:[^"\\\n]|\\[\s\S])*(?:"|\n|$)')}
_TEMPLATE_STOP = lazy(r"[\\`$]")


def _skip_string(text: str, i: int) -> int:
    """Index just past the string literal starting at text[i] (a quote)."""
    quote = text[i]
    rest = _STRING_REST.get(quote)
    if rest is not None:
        m = rest.match(text, i + 1)
        return m.end() if m else len(text)
    n = len(text)
    j = i + 1
    while j < n:
        m = _TEMPLATE_STOP.search(text, j)
        if m is None:
            return n
        k = m.start()
        c = text[k]
        if c == "\\":
            j = k + 2
        elif c == "`":
            return k + 1
        elif k + 1 < n and text[k + 1] == "{":
            j = _skip_group(text, k + 1)
        else:
            j = k + 1
    return n


def _skip_group(text: str, i: int) -> int:
    """Index just past the bracket group opening at text[i]."""
    close = {"(": ")", "[": "]", "{": "}"}
    stack = [close[text[i]]]
    i += 1
    n = len(text)
    while i < n and stack:
        c = text[i]
        if c in "'\"`":
            i = _skip_string(text, i)
            continue
        if c == "/" and i + 1 < n and text[i + 1] in "/*":
            i = _skip_comment(text, i)
            continue
        if c in close:
            stack.append(close[c])
        elif stack and c == stack[-1]:
            stack.pop()
        i += 1
    return i


def _skip_comment(text: str, i: int) -> int:
    if text[i + 1] == "/":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    end = text.find("*/", i + 2)
    return len(text) if end < 0 else end + 2


def _top_level(text: str) -> Iterator[int]:
    """Offsets of the characters of `text` that lie outside strings, comments and brackets."""
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            i = _skip_string(text, i)
        elif c == "/" and i + 1 < n and text[i + 1] in "/*":
            i = _skip_comment(text, i)
        elif c in "([{":
            i = _skip_group(text, i)
        else:
            yield i
            i += 1


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside strings, comments and brackets."""
    parts: list[str] = []
    start = 0
    for i in _top_level(text):
        if i >= start and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


def until_top(text: str, stops: str) -> str:
    """The prefix of `text` before the first of `stops` outside strings, comments and brackets."""
    for i in _top_level(text):
        if text[i] in stops:
            return text[:i]
    return text


def strip_comments(text: str) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    start = 0
    while i < n:
        c = text[i]
        if c in "'\"`":
            i = _skip_string(text, i)
            continue
        if c == "/" and i + 1 < n and text[i + 1] in "/*":
            out.append(text[start:i])
            i = _skip_comment(text, i)
            start = i
            out.append(" ")
            continue
        i += 1
    out.append(text[start:])
    return "".join(out)


@dataclass(frozen=True)
class Call:
    callee: str  # e.g. "cp.exec", "new WebSocket", "axios.post"
    args: tuple[str, ...]


def split_call(text: str) -> Call | None:
    """The callee and top-level argument texts of the first call in `text` (`f(a, b)`, `new X(a)`,
    `a.b.c(…)`); None when `text` is not a call."""
    text = strip_comments(text[:MAX_EXPR]).strip().rstrip(";").rstrip()
    if text.startswith("await "):
        text = text[6:].lstrip()
    i = 0
    n = len(text)
    first: tuple[int, int] | None = None
    outer: tuple[int, int] | None = None
    while i < n:
        c = text[i]
        if c in "'\"`":
            i = _skip_string(text, i)
            continue
        if c == "(":
            end = _skip_group(text, i)
            if i > 0 and text[:i].strip():
                first = first or (i, end)
                if end >= n:
                    outer = (i, end)  # the call whose arguments close the expression: a.b(…).c(…)
            i = end
            continue
        if c in "[{":
            i = _skip_group(text, i)
            continue
        i += 1
    chosen = outer or first
    if chosen is None:
        return None
    i, end = chosen
    callee = text[:i].strip()
    inner = text[i + 1 : end - 1]
    args = tuple(a.strip() for a in split_top(inner, ",")) if inner.strip() else ()
    return Call(callee=callee, args=tuple(a for a in args if a))


def object_props(text: str) -> dict[str, str]:
    """`{a: 1, "b": x, c}` → {"a": "1", "b": "x", "c": "c"} (top-level keys only)."""
    t = text.strip()
    if not (t.startswith("{") and t.endswith("}")):
        return {}
    out: dict[str, str] = {}
    for part in split_top(t[1:-1], ","):
        part = part.strip()
        if not part or part.startswith("..."):
            continue
        kv = split_top(part, ":")
        key = kv[0].strip().strip("'\"`")
        out[key] = ":".join(kv[1:]).strip() if len(kv) > 1 else key
    return out


def array_items(text: str) -> list[str] | None:
    t = text.strip()
    if not (t.startswith("[") and t.endswith("]")):
        return None
    inner = t[1:-1]
    return [a.strip() for a in split_top(inner, ",") if a.strip()] if inner.strip() else []


class Resolver:
    """Folds JS expressions of one file to constant strings (with UNKNOWN for unknown parts)."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self._consts: dict[str, str] | None = None
        self._work = MAX_WORK

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
        v = self._eval(expr, 0)
        if v is None or v.strip(UNKNOWN) == "":
            return None
        return v[:MAX_VALUE]

    def constant(self, expr: str) -> str | None:
        """The value only when it is entirely constant."""
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
        if e[0] in "'\"" and _skip_string(e, 0) == len(e) and e[-1] == e[0]:
            return unescape(e[1:-1])
        if e[0] == "`" and _skip_string(e, 0) == len(e):
            return self._template(e[1:-1], depth)
        if e[0] == "(" and _skip_group(e, 0) == len(e):
            return self._eval(e[1:-1], depth + 1)
        if e[0] == "[" and _skip_group(e, 0) == len(e):
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
                end = _skip_group(body, i + 1)
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
        end = _skip_group(tail, 0)
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
            return _join([UNKNOWN if v is None else v for v in vals], absolute_reset=(name == "resolve"))
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
                end = _skip_group(rest, 0)
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


def _join(parts: list[str], absolute_reset: bool = False) -> str:
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


def host_of(value: str | None) -> str:
    """The host of a URL-like value (`*` if unknown); a bare hostname is accepted too."""
    if not value:
        return "*"
    v = value.strip()
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?://)?([^/?#\s]*)", v)
    if m and m.group(1).lower() in ("http", "https", "ws", "wss", "ftp", "tcp", "udp"):
        authority = m.group(2)
    elif re.match(r"^[A-Za-z0-9.-]+(?::\d+)?$", v) and "." in v:
        authority = v
    else:
        return "*"
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host
    else:
        host = host.split(":", 1)[0]
    host = host.lower().rstrip(".")
    if not host or UNKNOWN in host or not re.fullmatch(r"[a-z0-9.:_-]+", host):
        return "*"
    return host


def display(value: str) -> str:
    """A folded value for messages and command analysis: unknown parts shown as `$VAR`."""
    return value.replace(UNKNOWN, "$VAR").replace("\x01", "")




# -- the file engine: decoded JavaScript literals become virtual files -------------------------------

_DECODER_CALL = lazy(r"(?:\batob|\bBuffer\.from|\bnew\s+Buffer|\bString\.fromCharCode|\bdecodeURIComponent|"
                           r"\bunescape)\s*\(")
_LITERAL = lazy(r"""(['"`])((?:\\.|(?!\1)[^\\\n]){24,})\1""")
_HEX_ESCAPES = lazy(r"(?:\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}){6,}")
MAX_PAYLOADS = 16
MIN_DECODED = 4


@dataclass(frozen=True)
class Payload:
    text: str
    how: str
    offset: int


def _call_extent(text: str, start: int) -> int:
    """End of the call starting at `start` including trailing `.method(…)` chains."""
    paren = text.find("(", start)
    if paren < 0:
        return start
    end = _skip_group(text, paren)
    while True:
        m = re.match(r"\s*\.\s*([A-Za-z_$][\w$]*)\s*", text[end : end + 200])
        if not m:
            return end
        nxt = end + m.end()
        if nxt < len(text) and text[nxt] == "(":
            end = _skip_group(text, nxt)
        else:
            return end


def find_payloads(source: str) -> list[Payload]:
    """Readable text hidden in a JS file's literals: explicit decoder calls over constants, hex/unicode
    escape runs, and long literals that decode (base64, hex, char codes…) to text."""
    from skillscan.analyzers.decode import decode_literal

    text = source[: 4 * 1024 * 1024]
    resolver = Resolver(text)
    out: list[Payload] = []
    seen: set[str] = set()  # decoded values already reported
    seen_src: set[str] = set()  # call texts and literal bodies already decoded

    def add(value: str | None, how: str, offset: int) -> None:
        if not value or UNKNOWN in value or len(value.strip()) < MIN_DECODED or value in seen:
            return
        printable = sum(1 for c in value if c.isprintable() or c in "\n\r\t")
        if printable < 0.95 * len(value):
            return
        seen.add(value)
        out.append(Payload(value[:MAX_VALUE], how, offset))

    budget = 2 * 1024 * 1024  # characters all decoder calls together may cost
    for count, m in enumerate(_DECODER_CALL.finditer(text)):
        if len(out) >= MAX_PAYLOADS or count >= MAX_CALLS or budget <= 0:
            break
        window = text[m.start() : m.start() + MAX_CALL_WINDOW]
        end = _call_extent(window, 0)
        budget -= end
        if end >= len(window) and not window.rstrip().endswith(")"):
            continue  # unterminated within the window
        if window[:end] in seen_src:
            continue
        seen_src.add(window[:end])
        add(resolver.constant(window[:end]), m.group(0).rstrip("( ").split()[-1], m.start())
    for m in _HEX_ESCAPES.finditer(text):
        if len(out) >= MAX_PAYLOADS:
            break
        add(unescape(m.group(0)), "escapes", m.start())
    literal_budget = 2 * 1024 * 1024  # characters of literals handed to the guessing decoders
    for m in _LITERAL.finditer(text):
        if len(out) >= MAX_PAYLOADS or literal_budget <= 0:
            break
        body = unescape(m.group(2)) if m.group(1) != "`" or "${" not in m.group(2) else None
        if not body or body in seen or body in seen_src:
            continue
        seen_src.add(body)
        literal_budget -= len(body)
        for dec in decode_literal(body, max_results=2):
            add(dec.text, "+".join(dec.chain) or "literal", m.start())
    return out


class JsDecodeAnalyzer:
    """JavaScript/TypeScript literals that decode to readable text (`atob`, `Buffer.from(…, "base64")`,
    `String.fromCharCode`, escape runs, long encoded constants) become virtual files
    (`path#decoded-N`) that every later engine — shell, instructions, YARA, semgrep — scans."""

    name = "js-decode"

    def applies(self, file: Any) -> bool:
        return file.language in ("javascript", "typescript") and file.text is not None and not file.truncated

    def analyze_file(self, package: Any, file: Any) -> Any:
        from dataclasses import replace

        from skillscan.analyzers.base import FileResult, finding, line_of, line_text
        from skillscan.analyzers.decode import looks_like
        from skillscan.loaders.files import make_file

        text = file.text or ""
        findings = []
        virtual = []
        for n, p in enumerate(find_payloads(text), start=1):
            line, col = line_of(text, p.offset)
            lang = looks_like(p.text)
            vf = make_file(f"{file.path}#decoded-{n}", p.text.encode("utf-8", "replace"),
                           origin=f"{file.path}:{line}")
            if lang in ("javascript", "shell", "python", "powershell"):
                vf = replace(vf, language=lang)
            virtual.append(vf)
            findings.append(finding("js-decoded-payload", f"literal decodes ({p.how}) to {lang} "
                                    f"({len(p.text)} characters); scanned as {vf.path}", file.path, line, col,
                                    snippet=line_text(text, line).strip()[:200], decoded=p.text[:2000]))
        return FileResult(tuple(findings), tuple(virtual))
