"""What a command writes to stdout when that is statically knowable: literal text (echo, printf,
here-docs) and the inline decoders (base64 -d/-D, openssl enc -d -base64, xxd -r -p, printf '\\x..',
rev, gunzip). Also where a fetched payload came from (curl/wget …). Bounded in size."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.shell.unwrap import prog_name, unwrap
from skillscan.capabilities import decoding
from skillscan.lazyre import lazy

MAX_DECODED = 256 * 1024

URL_RE = lazy(r"(?i)\b(?:https?|ftp)://[^\s'\"<>|;)`]+")
_PRINTF_ESC = lazy(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|[abefnrtv\\'\"])")
_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
           "\\": "\\", "'": "'", '"': '"'}
FETCHERS = {"curl", "wget", "http", "https", "xh", "xhs", "fetch", "aria2c", "iwr", "irm", "invoke-webrequest",
            "invoke-restmethod", "curl.exe", "wget.exe"}


@dataclass(frozen=True)
class Payload:
    """Known stdout of a command: its text if static, the URL it was fetched from, the decoders applied."""

    text: str | None = None
    url: str | None = None
    decoders: tuple[str, ...] = ()
    row: int | None = None  # where literal text starts in the analysed text (for in-place analysis)
    col: int = 0

    def then(self, text: str | None, decoder: str) -> Payload:
        return Payload(text=text, url=self.url, decoders=self.decoders + (decoder,))


def printf_escapes(fmt: str) -> tuple[str, bool]:
    """printf/echo -e escape interpretation; True if a hex/octal escape was present."""
    return decoding.string_unescape(fmt, _PRINTF_ESC, _SIMPLE)


def b64decode(text: str) -> str | None:
    data = re.sub(r"\s+", "", text)
    if not data or len(data) > MAX_DECODED * 2:
        return None
    raw = decoding.b64decode(data, altchars=decoding.URLSAFE if ("-" in data or "_" in data) else None,
                             strip_padding=True)
    return as_text(raw) if raw is not None else None


def as_text(raw: bytes) -> str | None:
    if raw.startswith(b"\x1f\x8b"):
        return raw[:MAX_DECODED].decode("latin-1")  # gzip: a later gunzip stage decodes it
    try:
        return raw[:MAX_DECODED].decode("utf-8")
    except UnicodeDecodeError:
        text = raw[:MAX_DECODED].decode("latin-1")
        return text


def hexdecode(text: str) -> str | None:
    data = re.sub(r"[\s:]+|0x", "", text)
    if not data or len(data) % 2 or not re.fullmatch(r"[0-9a-fA-F]+", data) or len(data) > MAX_DECODED * 2:
        return None
    raw = decoding.hexdecode(data)
    return as_text(raw) if raw is not None else None


def gunzip(text: str) -> str | None:
    try:
        d = zlib.decompressobj(47)
        raw = d.decompress(text.encode("latin-1", "replace"), MAX_DECODED)
    except zlib.error:
        return None
    return as_text(raw)


def utf16_b64(text: str) -> str | None:
    data = re.sub(r"\s+", "", text)
    if not data or len(data) > MAX_DECODED * 4:
        return None
    raw = decoding.b64decode(data)
    if raw is None:
        return None
    try:
        return raw[: MAX_DECODED * 2].decode("utf-16-le")
    except UnicodeDecodeError:
        return None


def first_url(values: Sequence[str | None]) -> str | None:
    for v in values:
        if v is None:
            continue
        m = URL_RE.search(v)
        if m:
            return str(m.group(0))
    for v in values:
        if v and not v.startswith("-") and re.match(r"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?::\d+)?/", v, re.IGNORECASE):
            return "https://" + v
    return None


def stdin_payload(cmd: Any) -> Payload | None:
    """What a command reads on stdin: a here-doc/here-string, or its upstream stage's stdout."""
    for r in cmd.redirects:  # `sh <<< "$(curl …)"`, `base64 -d <<< "$(…)"`: the word's own payload
        if r.op == "<<<" and r.target is not None and r.target.payload is not None and \
                (r.target.payload.url or r.target.payload.decoders):
            found: Payload = r.target.payload
            return found
    body = cmd.stdin_text()
    if body is not None:
        return Payload(text=body[0][:MAX_DECODED], row=body[1], col=body[2])
    if cmd.upstream is not None:
        return stdout_payload(cmd.upstream)
    return None


def _flags(args: list[str | None]) -> set[str]:
    return {a for a in args if a and a.startswith("-")}


def _decode_flag(args: list[str | None], long: tuple[str, ...], short: str) -> bool:
    for a in args:
        if not a:
            continue
        if a in long:
            return True
        if re.fullmatch(r"-[A-Za-z]+", a) and any(c in short for c in a[1:]):
            return True
    return False


# an operand that stands for an address the text does not give: `…`, `...`, `<url>` (masked as `_url_` by
# state.mask_placeholders), `[URL]`, `{url}`, `URL`
_PLACEHOLDER = re.compile(r"^(?:…|\.{2,}|<[^<>]{0,40}>|_[A-Za-z][A-Za-z0-9_]{0,60}_|\[[^\[\]]{0,40}\]|\{[^{}]{0,40}\}"
                          r"|(?i:url|address|link))$")


def stdout_payload(cmd: Any, depth: int = 0) -> Payload | None:
    if cmd is None or depth > 16:
        return None
    if getattr(cmd, "function", False):  # a call of the script's own function: what its body prints
        return getattr(cmd, "output", None)
    argv = cmd.argv
    if not argv:
        return None
    if getattr(cmd, "expression", False):  # a PowerShell expression stage: its value (`(iwr url).Content | iex`)
        return next((w.payload for w in cmd.words if w.payload is not None), None)
    from skillscan.analyzers.shell.capmap import load_capmap

    _, start = unwrap(argv, load_capmap().wrappers)  # `sudo -u x curl …`, `nohup nice -n 5 curl …`
    if start is None or start >= len(argv):
        return None
    name = prog_name(argv[start])
    args = argv[start + 1:]
    if name == "echo":
        words = [a for a in args]
        interpret = False
        while words and words[0] and re.fullmatch(r"-[neE]+", words[0]):
            interpret = interpret or "e" in words[0]
            words = words[1:]
        if any(w is None for w in words):
            return None
        text = " ".join(w for w in words if w is not None)
        first = cmd.words[start + 1] if len(cmd.words) > start + 1 else None
        row = first.row if first is not None else None
        col = (first.col + (1 if first.raw[:1] in "'\"" else 0)) if first is not None else 0
        if interpret:
            text, hidden = printf_escapes(text)
            if hidden:
                return Payload(text=text, decoders=("echo -e",))
        pl_from_words = next((w.payload for w in cmd.words[1:] if w.payload), None)
        if pl_from_words is not None and pl_from_words.decoders:
            return Payload(text=text, url=pl_from_words.url, decoders=pl_from_words.decoders)
        return Payload(text=text + "\n", row=row, col=col)
    if name == "printf":
        if not args or args[0] is None:
            return None
        fmt = args[0]
        rest = [a for a in args[1:]]
        if any(a is None for a in rest):
            return None
        if "%" in fmt and rest:
            try:
                fmt = re.sub(r"%b", "%s", fmt)
                fmt = fmt % tuple(rest[: fmt.count("%s")]) if fmt.count("%s") == len(rest) else fmt
            except (TypeError, ValueError):
                pass
        text, hidden = printf_escapes(fmt)
        if hidden:
            return Payload(text=text, decoders=("printf",))
        w = cmd.words[start + 1]
        return Payload(text=text, row=w.row, col=w.col + (1 if w.raw[:1] in "'\"" else 0))
    if name == "cat" and not [a for a in args if a != "-"]:
        return stdin_payload(cmd)
    if name in ("base64", "gbase64") and _decode_flag(args, ("--decode",), "dD"):
        src = stdin_payload(cmd)
        if src is None or src.text is None:
            return Payload(url=src.url, decoders=src.decoders + ("base64",)) if src else None
        return src.then(b64decode(src.text), "base64")
    if name == "openssl" and args and args[0] in ("enc", "base64") and \
            (args[0] == "base64" or any(a in ("-base64", "-a", "-A") for a in args)) and "-d" in _flags(args):
        src = stdin_payload(cmd)
        if src is None or src.text is None:
            return None
        return src.then(b64decode(src.text), "openssl base64")
    if name == "xxd" and _decode_flag(args, ("-revert",), "r"):
        src = stdin_payload(cmd)
        if src is None or src.text is None:
            return None
        return src.then(hexdecode(src.text), "xxd -r")
    if name == "rev":
        src = stdin_payload(cmd)
        if src is None or src.text is None:
            return None
        return src.then("\n".join(line[::-1] for line in src.text.split("\n")), "rev")
    if name in ("gunzip", "zcat") or (name == "gzip" and _decode_flag(args, ("--decompress",), "d")):
        src = stdin_payload(cmd)
        if src is None or src.text is None:
            return None
        return src.then(gunzip(src.text), "gunzip")
    if name in FETCHERS:
        url = first_url(args)
        operands = [a for a in args if a is None or not a.startswith("-")]
        from_file = any(a and (a in ("-K", "--config", "-i", "--input-file") or
                               a.startswith(("--config=", "--input-file="))) for a in args)
        if url is None and not from_file and all(a is not None and _PLACEHOLDER.match(a) for a in operands):
            return None  # `curl … | sh`, `curl <url> | bash` (no operand): the shape of a command named in prose
        return Payload(url=url or "*")
    if name in ("tee",):
        return stdin_payload(cmd)
    return None
