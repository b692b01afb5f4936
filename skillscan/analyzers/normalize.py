"""Unicode normalisation for matching instructions: what a model reads, not what a reviewer sees.

`normalize_line` keeps line structure (one output line per input line) so a match offset maps back to
a file line. It removes zero-width and other invisible format characters, folds compatibility forms
(NFKC: full-width, ligatures, mathematical letters) and look-alike Cyrillic/Greek letters to ASCII,
and takes Unicode Tag characters (U+E0000–E007F, "ASCII smuggling") out of the text, decoding them
separately. Bidi controls are removed from the matching text and reported.

The look-alike table is data (`rules/instructions/confusables.yaml`), taken from the Unicode
confusables list (UTS #39) for the letters that fold to ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from skillscan.catalog import rules_dir
from skillscan.ruledata import load_yaml_file

# invisible characters a model still reads as text; removed before matching
ZERO_WIDTH = frozenset(
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f\u115f\u1160\u3164\uffa0"
)
# bidirectional controls (Trojan Source, CVE-2021-42574); LRM/RLM/ALM are marks, listed separately
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
TAG_FIRST, TAG_LAST = 0xE0000, 0xE007F
BLACK_FLAG = "\U0001f3f4"  # emoji subdivision flags (England, Scotland, Wales) are spelled in tag characters
VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))


@dataclass(frozen=True)
class HiddenText:
    line: int  # 1-based
    column: int
    text: str  # decoded ASCII


@dataclass(frozen=True)
class Normalized:
    text: str  # same number of lines as the input
    hidden: tuple[HiddenText, ...] = ()  # decoded Unicode Tag runs
    zero_width: tuple[tuple[int, int, str], ...] = ()  # (line, column, codepoint name) per invisible char
    bidi: tuple[tuple[int, int, str], ...] = ()  # (line, column, codepoint name) per bidi control
    folded: bool = False  # at least one look-alike letter was folded
    obfuscated_lines: frozenset[int] = frozenset()  # invisible characters in words, or look-alikes mixed into Latin words
    changed_lines: frozenset[int] = frozenset()  # lines whose matching text differs from the raw text


@lru_cache(maxsize=1)
def confusables() -> dict[str, str]:
    """Look-alike letter → ASCII, from rules/instructions/confusables.yaml."""
    data = load_yaml_file(rules_dir() / "instructions" / "confusables.yaml") or {}
    table: dict[str, str] = {}
    for ascii_char, lookalikes in (data.get("fold") or {}).items():
        for ch in str(lookalikes):
            if not ch.isspace():
                table[ch] = str(ascii_char)
    return table


def _is_variation_selector(cp: int) -> bool:
    return any(cp in r for r in VARIATION_SELECTORS)


def fold_char(ch: str) -> str:
    table = confusables()
    if ch in table:
        return table[ch]
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        return "".join(table.get(c, c) for c in folded)
    return ch


# what `normalize_line` does with one non-ASCII character, worked out once per character per process
_TAG, _ZERO_WIDTH, _BIDI, _DROP, _KEEP, _FOLD = range(6)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_kinds: dict[str, tuple[int, str, bool]] = {}  # char → (kind, folded text, a look-alike letter?)


def _kind(ch: str) -> tuple[int, str, bool]:
    """(kind, the text it folds to, whether that is an ASCII letter other than the character itself)."""
    known = _kinds.get(ch)
    if known is not None:
        return known
    cp = ord(ch)
    if TAG_FIRST <= cp <= TAG_LAST:
        known = (_TAG, "", False)
    elif ch in ZERO_WIDTH:
        known = (_ZERO_WIDTH, "", False)
    elif ch in BIDI_CONTROLS:
        known = (_BIDI, "", False)
    elif ch in BIDI_MARKS or _is_variation_selector(cp):
        known = (_DROP, "", False)
    else:
        f = fold_char(ch)
        known = (_KEEP, ch, False) if f == ch else (_FOLD, f, f.isascii() and f.isalpha())
    if len(_kinds) < 65_536:  # bounded: a hostile file cannot grow it without limit
        _kinds[ch] = known
    return known


def normalize_line(line: str) -> tuple[str, list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]], bool]:
    """One line → (matching text, tag runs (column, decoded), zero-width (column, name), bidi (column, name),
    mixed?) where mixed means a look-alike letter sits in a Latin word or full-width Latin letters are used.

    Only the non-ASCII characters are looked at one by one (ASCII is never zero-width, bidi, a variation
    selector or folded); a line whose non-ASCII characters all stay as they are comes back unchanged.
    `tests/test_normalize_paths.py` checks this against the character-by-character definition."""
    specials = set(_NON_ASCII.findall(line))
    if all(_kind(ch)[0] == _KEEP for ch in specials):
        return line, [], [], [], False
    out: list[str] = []
    tags: list[tuple[int, str]] = []
    zw: list[tuple[int, str]] = []
    bidi: list[tuple[int, str]] = []
    folded = False
    run: list[str] = []
    run_col = 0
    previous = ""
    in_flag = False
    pos = 0  # first character not handled yet
    for m in _NON_ASCII.finditer(line):
        i = m.start()
        if i > pos:  # an ASCII stretch: each character ends a tag run and an emoji flag, and is kept
            if run:
                tags.append((run_col, "".join(run)))
                run = []
            in_flag = False
            previous = line[i - 1]
            out.append(line[pos:i])
        pos = i + 1
        col = i + 1
        ch = line[i]
        kind, f, letter = _kind(ch)
        if kind == _TAG:
            if previous == BLACK_FLAG or in_flag:
                in_flag = ch != "\U000e007f"  # CANCEL TAG ends an emoji flag sequence
                continue
            if not run:
                run_col = col
            if "\U000e0020" <= ch <= "\U000e007e":
                run.append(chr(ord(ch) - 0xE0000))
            continue
        if run:
            tags.append((run_col, "".join(run)))
            run = []
        in_flag = False
        previous = ch
        if kind == _ZERO_WIDTH:
            # reported inside or beside words; a joiner between emoji is ordinary text
            before = line[col - 2] if col >= 2 else ""
            after = line[col] if col < len(line) else ""
            if not (ch == "\ufeff" and col == 1) and (before.isalnum() or after.isalnum()):
                zw.append((col, unicodedata.name(ch, f"U+{ord(ch):04X}")))
            continue
        if kind == _BIDI:
            bidi.append((col, unicodedata.name(ch, f"U+{ord(ch):04X}")))
            continue
        if kind == _DROP:
            continue
        if letter and not folded:
            before = line[col - 2] if col >= 2 else ""
            after = line[col] if col < len(line) else ""
            if "\uff21" <= ch <= "\uff5a" or (before.isascii() and before.isalpha()) or \
                    (after.isascii() and after.isalpha()):
                folded = True
        out.append(f)
    if pos < len(line):
        if run:
            tags.append((run_col, "".join(run)))
            run = []
        out.append(line[pos:])
    if run:
        tags.append((run_col, "".join(run)))
    return "".join(out), tags, zw, bidi, folded


_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}


_ESCAPE = re.compile(r"\\(?:[uUxX]\{?[0-9a-fA-F]{1,8}\}?|N\{[^}\n]{1,80}\}|.)")


def reorders_words(line: str) -> bool:
    """Whether a line's bidi embeddings, overrides or isolates hold a letter or digit: what each one reorders
    runs to its terminator (PDF, PDI) or the end of the line. Controls around nothing but punctuation, spaces,
    backslash escapes and other invisible characters (`[\u202a-\u202e\U000e0000-…]` written raw in a
    scanner's regex) change no word the reader sees; Trojan Source needs words to move."""
    for i, ch in enumerate(line):
        end = _OPENERS.get(ch)
        if end is None:
            continue
        stop = line.find(end, i + 1)
        span = _ESCAPE.sub("", line[i + 1:] if stop < 0 else line[i + 1:stop])
        if any(unicodedata.category(c)[0] in "LN" for c in span):
            return True
    return False


def normalize(text: str) -> Normalized:
    if text.isascii():  # nothing to remove, fold or decode
        return Normalized(text)
    lines = text.split("\n")
    out: list[str] = []
    hidden: list[HiddenText] = []
    zero_width: list[tuple[int, int, str]] = []
    bidi: list[tuple[int, int, str]] = []
    folded = False
    obfuscated: set[int] = set()
    changed: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            out.append(line)
            continue
        norm, tags, zw, bd, f = normalize_line(line)
        out.append(norm)
        if norm != line:
            changed.add(number)
        folded = folded or f
        if f or zw:
            obfuscated.add(number)
        hidden += [HiddenText(number, col, decoded) for col, decoded in tags]
        zero_width += [(number, col, name) for col, name in zw]
        bidi += [(number, col, name) for col, name in bd]
    return Normalized("\n".join(out), tuple(hidden), tuple(zero_width), tuple(bidi), folded, frozenset(obfuscated),
                      frozenset(changed))


def fold_text(text: str) -> str:
    """Just the matching text (no bookkeeping), for short strings such as MCP descriptions."""
    return normalize(text).text


def decode_tags(text: str) -> str:
    """All Unicode Tag characters of `text` decoded to ASCII (outside emoji flag sequences)."""
    return "".join(h.text for h in normalize(text).hidden)
