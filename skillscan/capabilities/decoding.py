"""The one implementation of the byte decoders every engine uses: base64 (standard, URL-safe, base32,
base85, ascii85), hex, unicode escapes, and the backslash escapes of string literals (`\\xHH`, `\\uHHHH`,
`\\u{…}`, `\\UHHHHHHHH`, `\\NNN` octal, `\\cX`). Each returns None for input that is not valid for it;
what to do with the bytes (text, UTF-16, a decode chain) is the caller's. Pure, no I/O.

Which backslash escapes a language accepts is data its caller keeps (a regex whose group 1 is the
escape after the backslash, and a table of its one-character escapes); how an escape is read is here."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Mapping
from typing import Protocol

_WS_STR = re.compile(r"\s+")
_WS_BYTES = re.compile(rb"\s+")
URLSAFE = b"-_"


def b64decode(data: str | bytes, *, altchars: bytes | None = None, strip_padding: bool = False) -> bytes | None:
    """Base64 without its whitespace, padded to a multiple of four (`strip_padding`: existing `=` are
    dropped first); `altchars=URLSAFE` reads the URL-safe alphabet. Characters outside the alphabet
    are discarded, as the standard library does without `validate`."""
    data = _WS_BYTES.sub(b"", data) if isinstance(data, bytes) else _WS_STR.sub("", data)
    if strip_padding:
        data = data.rstrip(b"=") if isinstance(data, bytes) else data.rstrip("=")
    pad = -len(data) % 4
    data = data + (b"=" * pad if isinstance(data, bytes) else "=" * pad)
    try:
        return base64.b64decode(data, altchars=altchars)
    except (binascii.Error, ValueError):
        return None


def b32decode(data: bytes) -> bytes | None:
    raw = _WS_BYTES.sub(b"", data).upper()
    try:
        return base64.b32decode(raw + b"=" * (-len(raw) % 8))
    except (binascii.Error, ValueError):
        return None


def b85decode(data: bytes) -> bytes | None:
    try:
        return base64.b85decode(data)
    except (binascii.Error, ValueError):
        return None


def a85decode(data: bytes) -> bytes | None:
    try:
        return base64.a85decode(data)
    except (binascii.Error, ValueError):
        return None


def hexdecode(digits: str) -> bytes | None:
    """Hex digits (pairs; ASCII whitespace between pairs is allowed) → bytes."""
    try:
        return bytes.fromhex(digits)
    except ValueError:
        return None


def unicode_unescape(text: str) -> bytes | None:
    """Python-style `\\xNN` / `\\uNNNN` / `\\n` escapes → UTF-8 bytes."""
    try:
        return codecs.decode(text.encode("latin-1", "replace"), "unicode_escape").encode("utf-8", "replace")
    except (UnicodeError, ValueError):
        return None


class _Substituter(Protocol):
    def sub(self, repl: object, string: str) -> str: ...


def string_escape(escape: str, simple: Mapping[str, str], *, octal_mask: int | None = 0xFF) -> tuple[str, bool]:
    """The character one backslash escape stands for (`escape` is the text after the backslash), and
    whether it was a numeric (hex, unicode or octal) escape. `simple` maps the language's one-character
    escapes; anything else not numeric stands for itself. A code point past U+10FFFF reads as nothing.
    `octal_mask` keeps the low bits of an octal escape (shells keep one byte; None keeps all)."""
    if escape in simple:
        return simple[escape], False
    head = escape[0]
    if head == "u" and escape.startswith("u{") and escape.endswith("}"):
        cp = int(escape[2:-1], 16)
        return (chr(cp) if cp <= 0x10FFFF else ""), True
    if head in "xuU" and len(escape) > 1:
        try:
            return chr(int(escape[1:], 16)), True
        except (ValueError, OverflowError):
            return "", True
    if head in "01234567":
        value = int(escape, 8)
        return chr(value & octal_mask if octal_mask is not None else value), True
    if head == "c" and len(escape) == 2:
        return chr(ord(escape[1]) & 0x1F), False
    return escape, False


def string_unescape(text: str, pattern: _Substituter, simple: Mapping[str, str], *,
                    octal_mask: int | None = 0xFF) -> tuple[str, bool]:
    """`text` with every backslash escape `pattern` matches (group 1: the escape after the backslash)
    replaced by its character (`string_escape`), and whether any numeric escape was present."""
    numeric = False

    def one(m: re.Match[str]) -> str:
        nonlocal numeric
        ch, was_numeric = string_escape(m.group(1), simple, octal_mask=octal_mask)
        numeric = numeric or was_numeric
        return ch

    return pattern.sub(one, text), numeric
