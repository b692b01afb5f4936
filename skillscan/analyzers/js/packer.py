"""Packed JavaScript (`eval(function(p,a,c,k,e,d){…}('payload',62,120,'w0|w1|…'.split('|'),0,{}))`, the
classic "p,a,c,k,e,d" packer): the payload is the program with each word replaced by its index in the
word list, written in base `a` (digits 0-9, a-z, then A-Z from 36). The packer's own function only puts the
words back; this module does the same on the text — nothing is run — so the program the packer hides is
scanned like any decoded literal (`js_decode.py`, a `#decoded-N` virtual file).

Bounded: MAX_PACKED packed calls per file, MAX_WORDS words, MAX_PAYLOAD characters of payload; a call past
a bound is not unpacked, and said."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillscan.analyzers.js_syntax import unescape
from skillscan.lazyre import lazy

MAX_PACKED = 8  # packer signatures read per file (each searched for its arguments, up to MAX_PAYLOAD ahead)
MAX_WORDS = 65_536  # words in one packer's list
MAX_PAYLOAD = 2 * 1024 * 1024  # characters of one packed payload
MAX_RADIX = 95  # the packer's largest base (its digits run past 'Z' into the printable range)

# the packer's signature: `eval(function(p,a,c,k,e,d)` (the last parameter is `d` or `r`)
_SIGNATURE = lazy(r"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[dr]\s*\)")
# its arguments, after the function body: `}('payload', a, c, 'w0|w1|…'.split('|')`
_ARGS = lazy(r"""\}\s*\(\s*(['"])((?:\\[\s\S]|(?!\1)[^\\])*)\1\s*,\s*(\d{1,3})\s*,\s*(\d{1,6})\s*,\s*"""
             r"""(['"])((?:\\[\s\S]|(?!\5)[^\\])*)\5\s*\.\s*split\s*\(\s*(['"])\|\7\s*\)""")
_WORD = re.compile(r"\b\w+\b")


@dataclass(frozen=True)
class Unpacked:
    text: str
    offset: int  # where the packed call starts in the file


def _digit(n: int) -> str:
    return "0123456789abcdefghijklmnopqrstuvwxyz"[n] if n < 36 else chr(n + 29)


def _encode(c: int, radix: int) -> str:
    """The packer's `e(c)`: `c` written in base `radix` with its digits."""
    out = ""
    while True:
        out = _digit(c % radix) + out
        c //= radix
        if c == 0:
            return out


def unpack(source: str, cut: list[str] | None = None) -> list[Unpacked]:
    """The programs of the packed calls in a file, words put back, in source order. A bound that stopped the
    search is said in `cut` (when given)."""
    said = cut if cut is not None else []
    out: list[Unpacked] = []
    signatures = []
    for m in _SIGNATURE.finditer(source):
        signatures.append(m)
        if len(signatures) > MAX_PACKED:  # every signature counts, unpacked or not: each is searched for its arguments
            said.append(f"unpacking stopped after {MAX_PACKED} packed calls; later ones were not unpacked")
            break
    for n, m in enumerate(signatures[:MAX_PACKED]):
        # its arguments lie before the next signature (whose own arguments are not this call's)
        stop = signatures[n + 1].start() if n + 1 < len(signatures) else len(source)
        args = _ARGS.search(source, m.end(), min(stop, m.end() + MAX_PAYLOAD + 8192))
        if args is None:
            continue
        payload, radix, count = args.group(2), int(args.group(3)), int(args.group(4))
        words = unescape(args.group(6)).split("|")
        if len(payload) > MAX_PAYLOAD or count > MAX_WORDS or len(words) > MAX_WORDS:
            said.append(f"a packed call at offset {m.start():,} is larger than this reader unpacks "
                        f"({MAX_PAYLOAD:,} characters, {MAX_WORDS:,} words): it was not unpacked")
            continue
        if not 2 <= radix <= MAX_RADIX:
            continue
        table = {_encode(i, radix): w for i, w in enumerate(words[:count]) if w}
        text = _WORD.sub(lambda w: table.get(w.group(0), w.group(0)), unescape(payload))
        out.append(Unpacked(text, m.start()))
    return out
