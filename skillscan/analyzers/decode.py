"""Decoders for literal payloads hidden in code, shared by the Python and JavaScript engines.

Two entry points, both pure, bounded in depth and size, never raising on hostile input:

* ``decode_literal(text)`` — guess: try every decoder on a string literal whose codec the code does
  not make explicit (a long base64 blob in a constant, a reversed or rot13 string, a char-code list)
  and keep the results that read as text (recursively: base64 of zlib of base64 …).
* ``apply_codec(codec, data)`` — explicit: the code names the decoder (``base64.b64decode``,
  ``bytes.fromhex``, ``zlib.decompress``, ``codecs.decode(x, "rot13")`` …); apply exactly that one.

A result is a :class:`Decoded` with the decoded text, the raw bytes and the codec chain applied.
"""

from __future__ import annotations

import bz2
import codecs
import lzma
import re
import zlib
from dataclasses import dataclass

from skillscan.capabilities import decoding
from skillscan.lazyre import lazy

MAX_INPUT = 1024 * 1024  # characters of literal looked at
MAX_OUTPUT = 1024 * 1024  # bytes a decompressor may produce
MAX_DEPTH = 4  # codec layers followed
MAX_RESULTS = 8
MIN_GUESS_LEN = 24  # shorter literals are not guessed at (explicit decoding has no minimum)

# Text a reversed or rot13 string must reveal before we believe the transform was intended.
CODE_MARKERS = lazy(
    r"(?:\bimport\s+\w|__import__|\bexec\s*\(|\beval\s*\(|https?://|/bin/(?:ba)?sh|\bcurl\s|\bwget\s|"
    r"\bsubprocess\b|\bos\.system|\bpowershell\b|\bchmod\s|\bbase64\b|\brequire\s*\(|child_process|"
    r"\bsocket\b|/dev/tcp/|\.ssh/|\bnc\s+-|\bpython3?\s+-c\b)", re.IGNORECASE)

_B64 = lazy(r"^[A-Za-z0-9+/=\s]+$")
_B64URL = lazy(r"^[A-Za-z0-9\-_=\s]+$")
_B32 = lazy(r"^[A-Z2-7=\s]+$")
_HEX = lazy(r"^(?:0x)?(?:[0-9a-fA-F]{2}[\s:,]?)+$")
_CHARCODES = lazy(r"^\s*\[?\s*(?:\d{1,7}\s*,\s*){3,}\d{1,7}\s*,?\s*\]?\s*$")
_ESCAPED_HEX = lazy(r"^(?:\\x[0-9a-fA-F]{2})+$")
_NONPRINT = lazy(r"[^\S\n\r\t ]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_LETTERS = lazy(r"[^\W\d_]")
SAMPLE = 64 * 1024  # characters inspected to decide whether bytes read as text
MAX_GUESS_INPUT = 256 * 1024  # decoded text larger than this is not guessed at again


@dataclass(frozen=True)
class Decoded:
    text: str  # the decoded payload as text (UTF-8, replacement for invalid bytes)
    data: bytes  # the decoded bytes
    chain: tuple[str, ...]  # codecs applied, outermost first, e.g. ("base64", "zlib")


def _readable(data: bytes) -> str | None:
    """The bytes as text when they look like text (code, commands, prose), else None."""
    if not data or len(data) < 4:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        except UnicodeDecodeError:
            return None
        if not text:
            return None
    sample = text[:SAMPLE]
    printable = len(sample) - len(_NONPRINT.findall(sample))
    if printable < 0.95 * len(sample):
        return None
    letters = len(_LETTERS.findall(sample))
    if letters < 0.3 * len(sample.strip() or "x"):
        return None
    return text


def _compressed(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if len(data) > 2 and data[0] == 0x78 and data[1] in (0x01, 0x5E, 0x9C, 0xDA) and (data[0] * 256 + data[1]) % 31 == 0:
        return "zlib"
    if data[:3] == b"BZh":
        return "bz2"
    if data[:6] == b"\xfd7zXZ\x00":
        return "lzma"
    return None


def _decompress(codec: str, data: bytes) -> bytes | None:
    try:
        if codec == "zlib":
            d = zlib.decompressobj()
            return d.decompress(data, MAX_OUTPUT)
        if codec == "gzip":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return d.decompress(data, MAX_OUTPUT)
        if codec == "deflate":
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            return d.decompress(data, MAX_OUTPUT)
        if codec == "bz2":
            return bz2.BZ2Decompressor().decompress(data, MAX_OUTPUT)
        if codec == "lzma":
            return lzma.LZMADecompressor().decompress(data, MAX_OUTPUT)
    except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
        return None
    return None


def _as_bytes(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data[:MAX_INPUT]
    return data[:MAX_INPUT].encode("utf-8", "surrogateescape")


def _as_str(data: str | bytes) -> str:
    if isinstance(data, str):
        return data[:MAX_INPUT]
    return data[:MAX_INPUT].decode("latin-1")


def apply_codec(codec: str, data: str | bytes) -> bytes | None:
    """Apply one named decoder; None when the input is not valid for it. Codecs: base64, base64url,
    base32, base16/hex, base85, ascii85, zlib, gzip, deflate, bz2, lzma, rot13, reverse, charcodes,
    unicode-escape (``\\xNN`` / ``\\uNNNN`` escapes)."""
    codec = codec.lower().replace("_", "").replace("-", "")
    try:
        if codec in ("base64", "b64", "b64decode", "standardb64decode", "decodebytes", "a2bbase64"):
            return decoding.b64decode(_as_bytes(data))
        if codec in ("base64url", "urlsafeb64decode"):
            return decoding.b64decode(_as_bytes(data), altchars=decoding.URLSAFE)
        if codec in ("base32", "b32decode"):
            return decoding.b32decode(_as_bytes(data))
        if codec in ("hex", "base16", "b16decode", "fromhex", "unhexlify", "a2bhex"):
            return decoding.hexdecode(re.sub(r"[\s:,]|0x", "", _as_str(data)))
        if codec in ("base85", "b85decode"):
            return decoding.b85decode(_as_bytes(data))
        if codec in ("ascii85", "a85decode"):
            return decoding.a85decode(_as_bytes(data))
        if codec in ("zlib", "gzip", "deflate", "bz2", "lzma"):
            return _decompress(codec, _as_bytes(data))
        if codec in ("rot13", "rot"):
            return codecs.encode(_as_str(data), "rot13").encode("utf-8", "surrogateescape")
        if codec in ("reverse", "reversed"):
            return _as_str(data)[::-1].encode("utf-8", "surrogateescape") if isinstance(data, str) else data[::-1]
        if codec in ("charcodes", "fromcharcode", "chr"):
            nums = [int(n) for n in re.findall(r"\d+", _as_str(data))]
            if not nums or any(n > 0x10FFFF for n in nums):
                return None
            return "".join(chr(n) for n in nums).encode("utf-8", "surrogatepass")
        if codec in ("unicodeescape", "escape"):
            return decoding.unicode_unescape(_as_str(data))
    except (ValueError, UnicodeError, OverflowError):
        return None
    return None


def _guesses(text: str) -> list[str]:
    """Codecs worth trying on a literal whose codec is unknown, most specific first."""
    stripped = text.strip()
    out: list[str] = []
    if _ESCAPED_HEX.match(stripped):
        out.append("unicode-escape")
    if _CHARCODES.match(stripped):
        out.append("charcodes")
    if len(stripped) >= MIN_GUESS_LEN:
        compact = re.sub(r"\s+", "", stripped)
        if _HEX.match(stripped) and len(re.sub(r"[^0-9a-fA-F]", "", compact)) % 2 == 0:
            out.append("hex")
        if _B32.match(stripped) and not _HEX.match(stripped):
            out.append("base32")
        if _B64.match(stripped) and len(compact) % 4 in (0, 2, 3):
            out.append("base64")
        elif _B64URL.match(stripped):
            out.append("base64url")
    if len(stripped) >= 12 and not CODE_MARKERS.search(stripped):
        out.append("reverse")
        out.append("rot13")
    return out


def _follow(data: bytes, chain: tuple[str, ...], depth: int, out: list[Decoded]) -> None:
    """Decompress or decode further while the bytes keep looking encoded; record readable results."""
    if len(out) >= MAX_RESULTS or depth > MAX_DEPTH:
        return
    comp = _compressed(data)
    if comp:
        inner = _decompress(comp, data)
        if inner:
            _follow(inner, chain + (comp,), depth + 1, out)
        return
    text = _readable(data)
    if text is None:
        return
    if depth < MAX_DEPTH and len(text) <= MAX_GUESS_INPUT:
        before = len(out)
        _guess(text, chain, depth, out, strict=True)
        if len(out) > before:
            return  # the text was itself an encoding: report the innermost layer
    out.append(Decoded(text=text, data=data, chain=chain))


def _guess(text: str, chain: tuple[str, ...], depth: int, out: list[Decoded], strict: bool) -> None:
    for codec in _guesses(text):
        if len(out) >= MAX_RESULTS:
            return
        raw = apply_codec(codec, text)
        if not raw:
            continue
        if codec in ("reverse", "rot13"):
            decoded = raw.decode("utf-8", "replace")
            if not CODE_MARKERS.search(decoded):
                continue
            out.append(Decoded(text=decoded, data=raw, chain=chain + (codec,)))
            return
        if strict and codec not in ("base64", "base64url", "hex", "base32", "charcodes", "unicode-escape"):
            continue
        before = len(out)
        _follow(raw, chain + (codec,), depth + 1, out)
        if len(out) > before:
            return


def decode_literal(text: str, *, max_results: int = MAX_RESULTS) -> list[Decoded]:
    """Guess how a string literal is encoded and decode it. Returns the readable payloads found
    (innermost layer of each chain), empty when the literal is plain text or unreadable after every
    decoder. Bounded: at most MAX_INPUT characters read, MAX_DEPTH layers, MAX_OUTPUT bytes per
    decompression, `max_results` results."""
    if not text or len(text) > MAX_INPUT:
        text = (text or "")[:MAX_INPUT]
    out: list[Decoded] = []
    _guess(text, (), 0, out, strict=False)
    return out[:max_results]


def decode_chain(data: str | bytes, codecs_in_order: list[str]) -> Decoded | None:
    """Apply explicit codecs innermost-call-first (``zlib.decompress(base64.b64decode(x))`` is
    ``["base64", "zlib"]``); then keep following compression/encoding layers the bytes reveal.
    None when a step fails."""
    raw = _as_bytes(data) if isinstance(data, bytes) else data
    current: str | bytes = raw
    for codec in codecs_in_order:
        step = apply_codec(codec, current)
        if step is None:
            return None
        current = step
    final = current if isinstance(current, bytes) else _as_bytes(current)
    found: list[Decoded] = []
    _follow(final, tuple(codecs_in_order), len(codecs_in_order), found)
    if found:
        return found[0]
    text = _readable(final)
    return Decoded(text=text, data=final, chain=tuple(codecs_in_order)) if text is not None else None


def looks_like(text: str) -> str:
    """A language guess for a decoded payload: python, shell, javascript, powershell or text."""
    head = text.lstrip()[:200]
    if head.startswith("#!"):
        first = head.split("\n", 1)[0]
        for needle, lang in (("python", "python"), ("node", "javascript"), ("pwsh", "powershell"),
                             ("powershell", "powershell")):
            if needle in first:
                return lang
        return "shell"
    if re.search(r"^\s*(?:import \w|from [\w.]+ import|def \w+\(|exec\(|__import__\(|print\()", text, re.MULTILINE):
        return "python"
    if re.search(r"\b(?:require\(|child_process|process\.env|=>|const |let |function\s*\w*\()", text):
        return "javascript"
    if re.search(r"(?:IEX|Invoke-Expression|Invoke-WebRequest|New-Object\s+Net\.WebClient)", text, re.IGNORECASE):
        return "powershell"
    if re.search(r"(?:^|[;&|]\s*)(?:curl|wget|bash|sh|chmod|nohup|echo|nc|rm|cd|export)\b", text, re.MULTILINE):
        return "shell"
    return "text"
