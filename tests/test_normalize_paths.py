"""`normalize_line`'s fast paths (a memo per character, ASCII stretches copied whole, lines whose
non-ASCII characters all stay unchanged returned as they are, all-ASCII texts) give exactly what the
character-by-character definition gives, on generated lines that mix ASCII, look-alike letters,
full-width forms, invisible characters, bidi controls, variation selectors, Unicode Tag runs and
emoji flag sequences."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from skillscan.analyzers.normalize import (
    BIDI_CONTROLS,
    BIDI_MARKS,
    BLACK_FLAG,
    TAG_FIRST,
    TAG_LAST,
    ZERO_WIDTH,
    HiddenText,
    Normalized,
    _is_variation_selector,
    confusables,
    fold_char,
    normalize,
    normalize_line,
)


def plain_line(line: str) -> tuple[str, list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]], bool]:
    """The definition: every character in turn."""
    out: list[str] = []
    tags: list[tuple[int, str]] = []
    zw: list[tuple[int, str]] = []
    bidi: list[tuple[int, str]] = []
    folded = False
    run: list[str] = []
    run_col = 0
    previous = ""
    in_flag = False
    for col, ch in enumerate(line, start=1):
        cp = ord(ch)
        if TAG_FIRST <= cp <= TAG_LAST:
            if previous == BLACK_FLAG or in_flag:
                in_flag = cp != 0xE007F
                continue
            if not run:
                run_col = col
            if 0xE0020 <= cp <= 0xE007E:
                run.append(chr(cp - 0xE0000))
            continue
        if run:
            tags.append((run_col, "".join(run)))
            run = []
        in_flag = False
        previous = ch
        if ch in ZERO_WIDTH:
            before = line[col - 2] if col >= 2 else ""
            after = line[col] if col < len(line) else ""
            if not (ch == "\ufeff" and col == 1) and (before.isalnum() or after.isalnum()):
                zw.append((col, unicodedata.name(ch, f"U+{cp:04X}")))
            continue
        if ch in BIDI_CONTROLS:
            bidi.append((col, unicodedata.name(ch, f"U+{cp:04X}")))
            continue
        if ch in BIDI_MARKS or _is_variation_selector(cp):
            continue
        f = fold_char(ch)
        if f != ch and f.isascii() and f.isalpha():
            before = line[col - 2] if col >= 2 else ""
            after = line[col] if col < len(line) else ""
            if 0xFF21 <= cp <= 0xFF5A or (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                folded = True
        out.append(f)
    if run:
        tags.append((run_col, "".join(run)))
    return "".join(out), tags, zw, bidi, folded


def plain(text: str) -> Normalized:
    out: list[str] = []
    hidden: list[HiddenText] = []
    zero_width: list[tuple[int, int, str]] = []
    bidi: list[tuple[int, int, str]] = []
    folded = False
    obfuscated: set[int] = set()
    changed: set[int] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        norm, tags, zw, bd, f = plain_line(line)
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


LOOKALIKES = "".join(sorted(confusables()))[:60]
SPECIAL = (
    "".join(sorted(ZERO_WIDTH | BIDI_CONTROLS | BIDI_MARKS)) + LOOKALIKES
    + "\uff21\uff3a\uff41\uff5a\uff10\ufb01\u2460\u00e9\u00c9\u2014\u201c\u201d\u4e2d\u6587\U0001d400\u0130"
    + "\ufe0f\ufe00\U000e0100" + BLACK_FLAG + "\U0001f600\u00a0\u3000"
    + "\U000e0000\U000e0001\U000e0020\U000e0041\U000e0067\U000e0062\U000e007e\U000e007f"
)
CHARS = st.sampled_from(list(SPECIAL)) | st.sampled_from(list("ab Z1 .-_\t")) | st.characters(
    blacklist_categories=("Cs",))
# few distinct characters per line, so that lines with only dropped, only kept or only tag characters come up
SMALL = st.lists(st.sampled_from(list(SPECIAL)) | st.sampled_from(list("aZ .")), min_size=1, max_size=3).flatmap(
    lambda alphabet: st.text(st.sampled_from(alphabet), max_size=12))
LINES = (st.text(CHARS, max_size=40) | SMALL).filter(lambda s: "\n" not in s)


@settings(max_examples=1000, deadline=None)
@given(LINES)
@example("a\ufe0fb\u200e")  # dropped characters only
@example(BLACK_FLAG + "\U000e0067x\U000e0061\U000e0062")  # an unterminated flag sequence, then ASCII, then tags
@example("\U000e0041\U000e0042 \u00e9\U000e0043")
def test_normalize_line_equals_the_character_by_character_definition(line: str) -> None:
    assert normalize_line(line) == plain_line(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES | st.text(st.sampled_from(list("abc x:-\t")), max_size=20), max_size=6))
def test_normalize_equals_the_definition(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert normalize(text) == plain(text)


def test_the_paths_are_exercised() -> None:
    flag = BLACK_FLAG + "\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    line = "ok " + flag + " \U000e0069\U000e0067\U000e006e abc\u200bdef \u202e x\u0430y \uff49gnore caf\u00e9 \u2014 \u4e2d"
    assert normalize_line(line) == plain_line(line)
    _text, tags, zw, bidi, folded = normalize_line(line)
    assert tags == [(12, "ign")] and len(zw) == 1 and len(bidi) == 1 and folded
    assert normalize_line("caf\u00e9 \u2014 \u201cquoted\u201d \u4e2d\u6587") == ("caf\u00e9 \u2014 \u201cquoted\u201d \u4e2d\u6587",
                                                                               [], [], [], False)
    assert normalize("all ascii\nlines") == plain("all ascii\nlines")
