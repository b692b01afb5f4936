"""The project's own reader of compiled Python: the string objects of a marshal stream (names and
string constants of every code object), for any Python version, without `marshal.loads`.

A marshal string object is a type byte (optionally with the reference flag 0x80) and its length —
four bytes little-endian for `s` (bytes), `t`/`u` (interned/UTF-8 text), `a`/`A` (ASCII), one byte
for `z`/`Z` (short ASCII) — then the characters. The reader walks the stream byte by byte and keeps
each such object whose characters are valid text; it is bounded in input size and in strings kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_PYC_BYTES = 4 * 1024 * 1024
MAX_STRINGS = 20_000
MAX_STRING = 64 * 1024
HEADER = 16  # magic, flags, mtime/hash, size (Python 3.7+); older headers are shorter, the walk skips them

LONG = {ord(c) for c in "stuaA"}
SHORT = {ord(c) for c in "zZ"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,80}")
_COMMAND = re.compile(r"^\s*(?:sudo\s+)?(?:[\w./-]*/)?(curl|wget|bash|sh|nc|ncat|powershell|pwsh|chmod|crontab|"
                      r"scp|rsync|ssh|python3?|base64|openssl|launchctl|systemctl|schtasks|reg|osascript)\s+\S")


@dataclass
class Pyc:
    magic: int
    names: list[str] = field(default_factory=list)  # identifiers: imports, attributes, functions
    constants: list[str] = field(default_factory=list)  # other text constants
    commands: list[str] = field(default_factory=list)  # constants that read as shell commands
    truncated: bool = False  # the file is over MAX_PYC_BYTES: only its start was read
    strings_capped: bool = False  # MAX_STRINGS distinct strings were read before the end of what was read


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def read_pyc(data: bytes) -> Pyc | None:
    """The strings of a `.pyc`; None when the data is not compiled Python (no `\\r\\n` magic)."""
    if len(data) < 8 or data[2:4] != b"\r\n":
        return None
    pyc = Pyc(magic=int.from_bytes(data[:2], "little"), truncated=len(data) > MAX_PYC_BYTES)
    buf = data[:MAX_PYC_BYTES]
    i = 8
    seen: set[str] = set()
    while i < len(buf) - 1 and len(seen) < MAX_STRINGS:
        code = buf[i] & 0x7F
        if code in SHORT:
            n, start = buf[i + 1], i + 2
        elif code in LONG and i + 5 <= len(buf):
            n, start = int.from_bytes(buf[i + 1:i + 5], "little"), i + 5
        else:
            i += 1
            continue
        if n < 2 or n > MAX_STRING or start + n > len(buf):
            i += 1
            continue
        try:
            text = buf[start:start + n].decode("utf-8" if code in (ord("t"), ord("u"), ord("s")) else "ascii")
        except UnicodeDecodeError:
            i += 1
            continue
        if not _printable(text):
            i += 1
            continue
        if text not in seen:
            seen.add(text)
            if _NAME.fullmatch(text):
                pyc.names.append(text)
            else:
                pyc.constants.append(text)
                if _COMMAND.match(text):
                    pyc.commands.append(text)
        i = start + n
    pyc.strings_capped = len(seen) >= MAX_STRINGS and i < len(buf) - 1
    return pyc
