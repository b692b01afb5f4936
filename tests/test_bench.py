"""The benchmark harness's bookkeeping (the benchmarks themselves run outside the test suite)."""

from __future__ import annotations

import sys
from pathlib import Path

from clirun import REPO

sys.path.insert(0, str(REPO / "bench"))

from benchlib import write_block  # noqa: E402
from quality import Outcome, Sample, fixture_samples, label_from_name, row  # noqa: E402


def test_write_block_replaces_only_its_own_section(tmp_path: Path) -> None:
    md = tmp_path / "benchmarks.md"
    others = ("# Benchmarks\n\n<!-- formats:start -->\nformat mix\n<!-- formats:end -->\n\n"
              "## Hand-written notes\nkeep me\n")
    md.write_text(others)
    write_block("quality", "first table", md)
    assert md.read_text() == others.rstrip("\n") + "\n\n<!-- quality:start -->\nfirst table\n<!-- quality:end -->\n"
    write_block("quality", "second table", md)
    text = md.read_text()
    assert "first table" not in text and text.count("<!-- quality:start -->") == 1
    assert text.startswith(others.rstrip("\n")) and "second table" in text
    write_block("speed", "speed table", md)
    assert "second table" in md.read_text() and "speed table" in md.read_text()


def test_labels_from_names_and_the_labels_file(tmp_path: Path) -> None:
    assert label_from_name("core-malicious-key-exfil") == "malicious"
    assert label_from_name("benign-mcp-server") == "benign"
    assert label_from_name("overprivileged-plugin.zip") == "overprivileged"
    assert label_from_name("claude-plugin-full") is None
    for name in ("benign-a", "odd-one", "listed"):
        (tmp_path / name).mkdir()
    (tmp_path / "LABELS.tsv").write_text("# comment\nfixture\tlabel\tthreat_categories\nlisted\tmalicious\ta,b\n")
    samples, unlabelled = fixture_samples(tmp_path)
    assert {(s.ident, s.label, s.threats) for s in samples} == {("benign-a", "benign", ()),
                                                                ("listed", "malicious", ("a", "b"))}
    assert unlabelled == ["odd-one"]


def test_quality_row_counts() -> None:
    def o(label: str, verdict: str) -> Outcome:
        return Outcome(Sample(Path("x"), label, "s", "agent-skill", (), "x"), verdict, "agent-skill", ())

    line = row("all", [o("malicious", "block"), o("malicious", "review"), o("malicious", "allow"),
                       o("benign", "allow"), o("benign", "review"), o("benign", "block"), o("benign", "error")])
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells == ["all", "3", "2/3 (67%)", "1/3 (33%)", "4", "1/4 (25%)", "2/4 (50%)", "–", "1"]
