"""JavaScript source text without a parser: escapes, strings, comments and bracket groups skipped, top-level
splitting, a call split into callee and arguments, object literal properties and array items. Pure and
bounded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from skillscan.capabilities import decoding
from skillscan.lazyre import lazy

MAX_EXPR = 64 * 1024
_ESC = lazy(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|[\s\S])")
_SIMPLE_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r\n": "", "\r": "",
               "\u2028": "", "\u2029": ""}


def unescape(body: str) -> str:
    """The value of a JS string literal body (between the quotes): JS's escapes, read by the shared
    decoder (octal escapes keep every bit)."""
    return decoding.string_unescape(body, _ESC, _SIMPLE_ESC, octal_mask=None)[0]


_STRING_REST = {"'": lazy(r"(?:[^'\\\n]|\\[\s\S])*(?:'|\n|$)"),
                '"': lazy(r'(?:[^"\\\n]|\\[\s\S])*(?:"|\n|$)')}
_TEMPLATE_STOP = lazy(r"[\\`$]")


def skip_string(text: str, i: int) -> int:
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
            j = skip_group(text, k + 1)
        else:
            j = k + 1
    return n


def skip_group(text: str, i: int) -> int:
    """Index just past the bracket group opening at text[i]."""
    close = {"(": ")", "[": "]", "{": "}"}
    stack = [close[text[i]]]
    i += 1
    n = len(text)
    while i < n and stack:
        c = text[i]
        if c in "'\"`":
            i = skip_string(text, i)
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
            i = skip_string(text, i)
        elif c == "/" and i + 1 < n and text[i + 1] in "/*":
            i = _skip_comment(text, i)
        elif c in "([{":
            i = skip_group(text, i)
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
            i = skip_string(text, i)
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
            i = skip_string(text, i)
            continue
        if c == "(":
            end = skip_group(text, i)
            if i > 0 and text[:i].strip():
                first = first or (i, end)
                if end >= n:
                    outer = (i, end)  # the call whose arguments close the expression: a.b(…).c(…)
            i = end
            continue
        if c in "[{":
            i = skip_group(text, i)
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


