"""The one implementation of the byte decoders every engine uses: base64 (standard, URL-safe, base32,
base85, ascii85), hex and unicode escapes. Each returns None for input that is not valid for it;
what to do with the bytes (text, UTF-16, a decode chain) is the caller's. Pure, no I/O."""

from __future__ import annotations

import base64
import binascii
import codecs
import re

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
