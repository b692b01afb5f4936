"""Decoded string literals in the inline code of interpreters that have no code engine of their own
(`perl -e`, `ruby -e`, `php -r`): `decode_base64("…")`, `MIME::Base64::decode("…")`,
`Base64.decode64("…")`, `"…".unpack("m")`, `pack("H*", "…")`, `["…"].pack("H*")`,
`base64_decode('…')`, `hex2bin('…')` — kept only when the same code executes something (`eval`,
`system`, `exec`, backticks, `qx`, `instance_eval`, `shell_exec` …). The caller analyses each decoded
text as inline code of the same interpreter (its `system("…")` strings become shell commands)."""

from __future__ import annotations

from skillscan.capabilities import decoding
from skillscan.lazyre import lazy

MAX_LITERALS = 8
MAX_CODE = 20_000

_Q = r"""(['"])([A-Za-z0-9+/=\s]{8,20000}|[0-9A-Fa-f]{8,20000})\1"""
_B64_CALL = lazy(r"(?:\bdecode_base64|\bMIME::Base64::decode(?:_base64)?|\bBase64\.(?:strict_|urlsafe_)?decode64|"
                 r"\bbase64_decode)\s*\(?\s*" + _Q)
_B64_UNPACK = lazy(_Q + r"""\s*\.\s*unpack1?\s*\(?\s*['"]m0?['"]""")
_HEX_PACK = lazy(r"""\bpack\s*\(?\s*['"]H\*['"]\s*,\s*""" + _Q)
_HEX_ARRAY = lazy(r"\[\s*" + _Q + r"""\s*\]\s*\.\s*pack\s*\(?\s*['"]H\*['"]""")
_HEX2BIN = lazy(r"\bhex2bin\s*\(\s*" + _Q)
_EXECUTES = lazy(r"\b(?:eval|system|exec|qx|instance_eval|class_eval|module_eval|shell_exec|passthru|popen|"
                 r"proc_open|assert|spawn)\b|`|%x[({\[]")


def _text(raw: bytes | None) -> str | None:
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return text if printable >= len(text) * 0.9 else None


def _hex(blob: str) -> bytes | None:
    return decoding.hexdecode("".join(blob.split()))


def decoded_literals(code: str) -> list[tuple[str, str]]:
    """(decoder, decoded text) for each decoded literal of `code` that is text, when `code` executes
    something; [] otherwise."""
    code = code[:MAX_CODE]
    if not _EXECUTES.search(code):
        return []
    out: list[tuple[str, str]] = []
    for pattern, decoder, hexed in ((_B64_CALL, "base64", False), (_B64_UNPACK, "unpack('m')", False),
                                    (_HEX_PACK, "pack('H*')", True), (_HEX_ARRAY, "pack('H*')", True),
                                    (_HEX2BIN, "hex2bin", True)):
        for m in pattern.finditer(code):
            blob = m.group(2)
            raw = _hex(blob) if hexed else decoding.b64decode("".join(blob.split()))
            text = _text(raw)
            if text and len(out) < MAX_LITERALS:
                out.append((decoder, text))
    return out
