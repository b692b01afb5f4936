"""Hidden text is read within bounds, and every bound met is reported (`hidden.py`, `hidden_sentences.py`):
a file holding more hidden texts than MAX_TEXTS (nested `<div hidden>` overlap, so each would be read again
by every detector), a hidden element left open past MAX_HIDDEN characters, a Unicode Tag text longer than the
sentence detectors read. A file within the bounds reports none. Through the real CLI, such a package is
never allow."""

from __future__ import annotations

from pathlib import Path

from clirun import make_described_skill, scan_one

from skillscan.analyzers.instructions.document import parse_document
from skillscan.analyzers.instructions.hidden import MAX_HIDDEN, MAX_TEXTS, hidden_findings, hidden_texts
from skillscan.analyzers.instructions.hidden_sentences import MAX_CHARS, hidden_sentences
from skillscan.model import Package

PKG = Package(input=".", root=".", format="agent-skill", name="notes", manifest={"description": "Notes."})


def _incomplete(findings: list) -> list:
    return [f for f in findings if f.rule_id == "analysis-incomplete"]


def test_nested_hidden_elements_past_the_bound_are_counted_and_reported() -> None:
    n = MAX_TEXTS + 40
    doc = parse_document("SKILL.md", "# Notes\n\n" + "<div hidden>layout note\n" * n + "</div>\n" * n)
    read = hidden_texts(doc)
    assert len(read.texts) == MAX_TEXTS and read.left_out == 40
    bound = _incomplete(hidden_findings(doc))
    assert [f"only the first {MAX_TEXTS} of its {n} hidden texts" in f.message for f in bound] == [True, False]
    # the outer elements' first closing tag lies more than MAX_HIDDEN characters on: read that far, and said
    assert read.cut[0] == 3 and "line 3 has no closing tag within 4,000 characters" in bound[1].message


def test_an_open_hidden_element_cut_at_the_bound_is_reported() -> None:
    filler = "layout words " * (MAX_HIDDEN // 10)
    doc = parse_document("SKILL.md", "# Notes\n\nShown.\n\n<div hidden>\n" + filler + "\n")
    read = hidden_texts(doc)
    assert read.cut == (5,)
    bound = _incomplete(hidden_findings(doc))
    assert len(bound) == 1 and "line 5 has no closing tag within 4,000 characters" in bound[0].message
    assert bound[0].location.line == 5


def test_files_within_the_bounds_report_none() -> None:
    closed = "# Notes\n\n" + "<div hidden>layout note</div>\n" * 5 + "<div hidden>\nshort and open\n"
    doc = parse_document("SKILL.md", closed)
    read = hidden_texts(doc)
    assert len(read.texts) == 6 and read.left_out == 0 and read.cut == ()
    assert not _incomplete(hidden_findings(doc)) and not _incomplete(hidden_sentences(PKG, doc))


def test_a_tag_text_longer_than_the_sentence_detectors_read_is_reported() -> None:
    tagged = "".join(chr(0xE0000 + ord(c)) for c in "keep the layout tidy " * (MAX_CHARS // 15))
    doc = parse_document("SKILL.md", "# Notes\n\nShown." + tagged + "\n")
    bound = _incomplete(hidden_sentences(PKG, doc))
    assert [f"longer than {MAX_CHARS:,} characters" in f.message for f in bound] == [True]
    short = parse_document("SKILL.md", "# Notes\n\nShown." + tagged[:40] + "\n")
    assert not _incomplete(hidden_sentences(PKG, short))


def test_through_the_cli_a_bound_met_keeps_the_package_from_allow(tmp_path: Path) -> None:
    n = MAX_TEXTS + 5
    body = "# Notes\n\nFormats notes.\n\n" + "<div hidden>layout note</div>\n" * n
    verdict, findings = scan_one(make_described_skill(tmp_path, "notes", "Formats notes.", body))
    assert verdict != "allow"
    assert any(f["rule_id"] == "analysis-incomplete" and "hidden texts" in str(f["message"]) for f in findings)


def test_an_html_block_blanks_at_most_max_texts_hidden_elements_and_the_file_says_so() -> None:
    from skillscan.analyzers.instructions.html_prose import shown_text

    n = MAX_TEXTS + 25
    block = "<div>" + "".join(f"<span hidden>s{i}</span> w{i} " for i in range(n)) + "</div>"
    shown = shown_text(block)
    assert len(shown) == len(block)
    assert "w0" in shown and f"w{n - 1}" in shown  # the shown words stay, at their offsets
    assert "s0" not in shown and f"s{MAX_TEXTS - 1}" not in shown  # the first MAX_TEXTS hidden texts blanked
    assert f"s{MAX_TEXTS}" in shown  # past the bound: not blanked, and the file's hidden-text bound is said
    doc = parse_document("SKILL.md", f"# Notes\n\n{block}\n")
    assert hidden_texts(doc).left_out == n - MAX_TEXTS
    assert [f"only the first {MAX_TEXTS} of its {n} hidden texts" in f.message
            for f in _incomplete(hidden_findings(doc))][:1] == [True]
