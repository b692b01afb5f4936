"""The report sanitiser: hostile package strings become inert in every output."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from skillscan.report.sanitize import (html_text, md_code, md_fence, md_text, visible, workflow_data,
                                       workflow_property)

HOSTILE = [
    "evil\x1b[2J\x1b]0;pwned\x07name",           # clear screen, window title
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "a.sh\n[block] fake.sh",                      # forged report line
    "x\r\ny\x85z\u2028w\u2029v",                  # CR, NEL, line and paragraph separators
    "\x9b31mred",                                 # 8-bit CSI
    "safe\u202egnp.exe",                          # right-to-left override
    "ad\u200bmin\u2066x\u2069\ufeff\u00ad",       # zero width space, isolates, BOM, soft hyphen
    "tag\U000e0041\U000e0042",                     # invisible tag characters
    "bad\udcffbyte",                               # a surrogate from undecodable bytes
    "vs\ufe0f\U000e0100\u3164",                   # variation selectors, Hangul filler
]

UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _inert(s: str) -> bool:
    return not UNSAFE.search(s) and all(unicodedata.category(ch) not in {"Cf", "Cs", "Zl", "Zp"} for ch in s)


def test_visible_shows_controls_as_escapes() -> None:
    assert visible("a\x1b[2Jb\nc") == "a\\x1b[2Jb\\nc"
    assert visible("\x9b") == "\\x9b"
    assert visible("x\u202ey") == "x\\u202ey"
    assert visible("t\U000e0041") == "t\\U000e0041"
    assert visible("bad\udcffbyte") == "bad\\udcffbyte"
    assert visible("tab\tstays, ünïcödé and 日本 stay") == "tab\tstays, ünïcödé and 日本 stay"
    for s in HOSTILE:
        out = visible(s)
        assert _inert(out), repr(out)
        out.encode("utf-8")  # no lone surrogate left to crash an encoder


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_visible_never_lets_a_control_through(s: str) -> None:
    out = visible(s)
    assert _inert(out)
    assert "\x1b" not in out and "\n" not in out


def test_workflow_encoding() -> None:
    assert workflow_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert workflow_property("a:b,c%") == "a%3Ab%2Cc%25"
    forged = workflow_data("x\n::error file=a::forged")
    assert "\n" not in forged and forged.startswith("x%0A::error")
    assert workflow_data("\x1b[31m") == "\\x1b[31m"
    for s in HOSTILE:
        out = workflow_property(s)
        assert _inert(out) and ":" not in out and "," not in out


MD = MarkdownIt("commonmark").enable("table")
LIVE = {"link_open", "image", "html_inline", "html_block", "em_open", "strong_open", "s_open", "heading_open",
        "blockquote_open", "bullet_list_open", "ordered_list_open", "fence", "code_block", "hr"}


def _live_tokens(markdown: str) -> set[str]:
    found: set[str] = set()
    stack = list(MD.parse(markdown))
    while stack:
        tok = stack.pop()
        found.add(tok.type)
        stack.extend(tok.children or [])
    return found & LIVE


MD_HOSTILE = HOSTILE + [
    "[click](https://evil.example)", "![img](https://evil.example/x.png)", "<img src=x onerror=alert(1)>",
    "<https://evil.example>", "**bold** _em_ ~~gone~~", "# heading", "> quote", "- item", "1. item",
    "&lt;script&gt;", "a | b | c", "`code` ``more``", "---", "[ref]: https://evil.example",
]


def test_md_text_has_no_live_markup() -> None:
    for s in MD_HOSTILE:
        out = md_text(s)
        assert _inert(out) and "\n" not in out
        assert not _live_tokens(out), (s, out)
        assert not _live_tokens(f"| a |\n|---|\n| {out} |"), (s, out)
        # GitHub autolinks bare URLs, www. names and e-mail addresses: none survives unescaped
        assert "https://" not in out and "www." not in out
    assert "\u2060" in md_text("@octocat and #12")  # no mention, no issue reference


def test_md_code_is_one_code_span() -> None:
    for s in MD_HOSTILE + ["`", "``x``", "a`b"]:
        out = md_code(s)
        assert _inert(out) and "\n" not in out
        tokens = [t for t in MD.parse(f"x {out} y")[1].children or []]
        assert [t.type for t in tokens] == ["text", "code_inline", "text"], (s, out)
        table = MD.parse(f"| a |\n|---|\n| {out} |")
        assert sum(1 for t in table if t.type == "td_open") == 1, (s, out)


def test_md_fence_cannot_be_closed_early() -> None:
    out = md_fence("line\n````\n# not a heading\n\x1b[2J")
    tokens = MD.parse(out)
    assert [t.type for t in tokens] == ["fence"]
    assert "\x1b" not in out


def test_html_text() -> None:
    assert html_text('<a href="x">\x1b</a>') == "&lt;a href=&quot;x&quot;&gt;\\x1b&lt;/a&gt;"
    assert html_text("'") == "&#x27;"
    for s in HOSTILE:
        assert _inert(html_text(s))
