"""Line numbers mean one thing everywhere: a line ends at \\n (the \\r of \\r\\n is dropped). Python's
`str.splitlines` also breaks at a lone \\r, \\x0b, \\x0c, \\x1c-\\x1e, \\x85, U+2028 and U+2029, so a file
carrying one of those would show, suppress or quote a different line than the one a finding cites."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from skillscan.analyzers.base import line_text
from skillscan.lines import line_at, text_lines
from skillscan.report.source import SourceReader

ODD_BREAKS = "one\rtwo\x0cthree\x85four\u2028five\n"


def test_text_lines_split_at_newline_alone() -> None:
    assert text_lines("a\r\nb\n") == ["a", "b"]
    assert text_lines(ODD_BREAKS + "six") == [ODD_BREAKS[:-1], "six"]
    assert text_lines("") == [""] and text_lines("\n") == [""] and text_lines("x\n\n") == ["x", ""]


def test_line_text_is_the_line_a_finding_cites() -> None:
    text = ODD_BREAKS + "cat ~/.ssh/id_rsa\n"
    offset = text.index("cat")
    assert line_text(text, line_at(text, offset)) == "cat ~/.ssh/id_rsa"


def test_source_context_shows_the_cited_line(tmp_path: Path) -> None:
    (tmp_path / "SKILL.md").write_bytes((ODD_BREAKS + "cat ~/.ssh/id_rsa\nlast\n").encode())
    context = SourceReader(radius=0).context(str(tmp_path), str(tmp_path), "SKILL.md", 2)
    assert context.lines == ((2, "cat ~/.ssh/id_rsa"),)


def test_one_line_cut_out_is_that_line_of_the_split_text() -> None:
    """`nth_line` (line_text's one-line lookup) gives `text_lines(text)[n - 1]` for every n, "" past either end."""
    from skillscan.lines import nth_line

    texts = ["", "\n", "\n\n", "x", "x\n", "x\r\n", "\r", "\r\n", "a\r\nb\r\n", "a\n\nb", "x\n\n", ODD_BREAKS,
             ODD_BREAKS + "six", "end\r", "a\r\r\nb", "\r\n\r\n", "ü\nß\r\n终\n"]
    texts += [str(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(Path(__file__).parent.glob("test_l*.py"))]
    for text in texts:
        lines = text_lines(text)
        for n in range(-1, len(lines) + 3):
            assert nth_line(text, n) == (lines[n - 1] if 0 < n <= len(lines) else ""), (text[:40], n)


@given(st.text(alphabet="ab\r\n\x85\u2028 ", max_size=40))
def test_one_line_cut_out_matches_the_split_on_any_text(text: str) -> None:
    from skillscan.lines import nth_line

    lines = text_lines(text)
    assert [nth_line(text, n) for n in range(len(lines) + 2)] == ["", *lines, ""]
