"""One sanitiser for every string that comes from a package (file and member names, manifest names and
descriptions, messages that quote package text, snippets), used by every renderer.

A scanned package is hostile: its strings may carry terminal escapes (ESC, the 8-bit CSI), newlines that
forge report lines, bidi and other format characters that reorder or hide text, GitHub workflow commands
or Markdown/HTML markup. Each output has its own helper:

- `visible`: terminal text; every control or invisible format character is shown as an escape
  (`\\x1b`, `\\n`, `\\u202e`), so none reaches the terminal raw.
- `workflow_data`, `workflow_property`: GitHub Actions workflow-command encoding (`%25`, `%0D`, `%0A`, and
  `%3A`, `%2C` in properties), after `visible` for the other controls, so no line and no `::` command can
  be forged.
- `md_text`, `md_code`, `md_fence`: Markdown with no live link, image, mention, HTML or emphasis from
  package text.
- `html_text`: HTML-escaped `visible` text, for the HTML report (safe in element content and quoted
  attribute values).
"""

from __future__ import annotations

import html
import re
import unicodedata

# Invisible characters outside the Cc/Cf/Cs/Zl/Zp categories that can still hide text: variation
# selectors and the Hangul fillers (letters that render as nothing).
_INVISIBLE_EXTRA = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    + ["\u115f", "\u1160", "\u3164", "\uffa0", "\u034f"]
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b", "\x00": "\\x00"}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _unsafe(ch: str) -> bool:
    if ch == "\t":
        return False  # a tab cannot move the cursor to another line or start an escape sequence
    if ch < " " or "\x7f" <= ch <= "\x9f":
        return True  # C0, DEL and C1 (0x9b is an 8-bit CSI on some terminals)
    if ch < "\xa0":
        return False  # printable ASCII
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES or ch in _INVISIBLE_EXTRA


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# quick path: a string with nothing but printable ASCII, tabs and ordinary non-ASCII letters
_ASCII_SAFE = re.compile(r"[\t\x20-\x7e]*\Z")


def visible(text: object) -> str:
    """`text` with every control, line-separator, bidi/format or invisible character shown as an escape."""
    s = str(text)
    if _ASCII_SAFE.match(s):
        return s
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in s)


def clip(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text


# --- GitHub Actions workflow commands --------------------------------------------------------------

def workflow_data(text: object) -> str:
    """The message part of `::error …::message`: newlines encoded (`%0A`), other controls visible."""
    s = str(text)
    s = "".join(ch if ch in "\n\r" else (_escape(ch) if _unsafe(ch) else ch) for ch in s)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: object) -> str:
    """A property value (`file=`, `title=`): as `workflow_data`, plus `:` and `,` encoded."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# --- Markdown ------------------------------------------------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping these leaves no
# emphasis, link, image, autolink (`:` in `https:`, `.` in `www.`, `@` in e-mail addresses), raw HTML,
# entity, table cell break or block marker in package text.
_MD_PUNCT = re.compile(r"([\\`*_\[\]()<>!#|~&:@.{}+\-=^$\"'])")
# GitHub turns `@user` and `#123` into mentions and references after rendering; a word joiner keeps them text.
_MENTION = re.compile(r"(?<=[@#])(?=\w)")


def md_text(text: object, limit: int | None = 200) -> str:
    """Package text as inert inline Markdown (one line; table-cell safe)."""
    s = clip(" ".join(visible(text).split()), limit)
    s = _MENTION.sub("\u2060", s)
    return _MD_PUNCT.sub(r"\\\1", s)


def md_code(text: object, limit: int | None = 120) -> str:
    """Package text as an inline code span (one line; table-cell safe): nothing inside is live."""
    s = clip(" ".join(visible(text).split()), limit)
    s = s.replace("|", "\\|")  # GFM splits table cells before code spans; `\|` renders as `|`
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_fence(text: object, info: str = "") -> str:
    """Package text as a fenced code block whose fence is longer than any backtick run inside."""
    lines = [visible(line) for line in str(text).splitlines()]
    body = "\n".join(lines)
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(4, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


# --- HTML ------------------------------------------------------------------------------------------------

def html_text(text: object) -> str:
    """Package text for HTML element content or a quoted attribute value."""
    return html.escape(visible(text), quote=True)
