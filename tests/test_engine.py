"""Engine behaviour: virtual files reach every engine with the trust context they came from, and
their number and depth are bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

import skillscan.analyze as engine
from skillscan.analyzers.base import FileResult, finding
from skillscan.loaders.files import make_file
from skillscan.model import Channel, Confidence, Package, PackageFile


class Extractor:
    """Stands for the instructions engine: turns `CODE:` lines into virtual files in a low-trust context."""

    name = "extractor"

    def applies(self, f: PackageFile) -> bool:
        return not f.virtual

    def analyze_file(self, package: Package, f: PackageFile) -> FileResult:
        out = []
        for n, line in enumerate((f.text or "").splitlines(), start=1):
            if line.startswith("CODE:"):
                v = make_file(f"{f.path}#fence-{n}.py", line[5:].encode(), origin=f"{f.path}:{n}")
                out.append(replace(v, language="python", channel=Channel.INSTRUCTION,
                                   max_confidence=Confidence.LOW))
        return FileResult(virtual_files=tuple(out))


class Reporter:
    """Stands for an earlier code engine: reports every python file at high confidence."""

    name = "reporter"

    def applies(self, f: PackageFile) -> bool:
        return f.language == "python"

    def analyze_file(self, package: Package, f: PackageFile) -> FileResult:
        return FileResult(findings=(finding("load-time-command", "seen", f.path, 1, confidence=Confidence.HIGH,
                                            channel=Channel.CODE),))


class Multiplier:
    name = "multiplier"

    def applies(self, f: PackageFile) -> bool:
        return True

    def analyze_file(self, package: Package, f: PackageFile) -> FileResult:
        return FileResult(virtual_files=tuple(make_file(f"{f.path}#v{i}", b"x", origin=f.path) for i in range(50)))


def pkg() -> Package:
    return Package(input="p", root="p", format="generic", name="p")


def test_virtual_files_reach_earlier_engines_with_their_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "file_analyzers", lambda: (Reporter(), Extractor()))
    doc = make_file("SKILL.md", b"text\nCODE:import os\n")
    findings, virtual = engine.analyze_files(pkg(), [doc])
    assert [v.path for v in virtual] == ["SKILL.md#fence-2.py"]
    assert len(findings) == 1
    f = findings[0]
    assert f.location.path == "SKILL.md#fence-2.py"
    assert f.channel is Channel.INSTRUCTION and f.confidence is Confidence.LOW


def test_real_files_keep_their_own_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "file_analyzers", lambda: (Reporter(), Extractor()))
    findings, _ = engine.analyze_files(pkg(), [make_file("a.py", b"import os\n")])
    assert findings[0].channel is Channel.CODE and findings[0].confidence is Confidence.HIGH


def test_virtual_files_are_bounded_and_the_excess_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "file_analyzers", lambda: (Multiplier(),))
    findings, virtual = engine.analyze_files(pkg(), [make_file("a.txt", b"x")])
    assert len(virtual) == engine.MAX_VIRTUAL_FILES
    assert any(f.rule_id == "analysis-incomplete" and "not analysed" in f.message for f in findings)


def test_context_is_inherited_by_nested_virtual_files() -> None:
    parent = replace(make_file("a.md#fence-1.py", b"x", origin="a.md:1"), channel=Channel.INSTRUCTION,
                     max_confidence=Confidence.MEDIUM)
    child = make_file("a.md#fence-1.py#decoded-1", b"y", origin="a.md#fence-1.py:1")
    inherited = engine._inherit(child, parent)
    assert inherited.channel is Channel.INSTRUCTION and inherited.max_confidence is Confidence.MEDIUM


def test_doc_snippet_fragments_are_not_reported_as_unparsed() -> None:
    from skillscan.analyzers.python import PythonAnalyzer

    fragment = b"client.messages.create(\n    model=...,\n"
    real = make_file("scripts/broken.py", fragment)
    fence = replace(make_file("SKILL.md#fence-9.py", fragment, origin="SKILL.md:9"), language="python",
                    channel=Channel.INSTRUCTION, max_confidence=Confidence.HIGH)
    analyzer = PythonAnalyzer()
    assert any(f.rule_id == "py-unparsed-file" for f in analyzer.analyze_file(pkg(), real).findings)
    assert not any(f.rule_id == "py-unparsed-file" for f in analyzer.analyze_file(pkg(), fence).findings)


def test_missing_script_check_is_bounded_on_hostile_markdown() -> None:
    from skillscan.analyzers.references import MissingScriptAnalyzer

    body = "```bash\n" + "./a" * 20000 + "\n```\n" + "`" + "source " + "b." * 40 + "sh`\n" + "`./" + "c" * 300 + ".sh`\n"
    doc = make_file("SKILL.md", body.encode())
    findings = MissingScriptAnalyzer().analyze_package(replace(pkg(), files=(doc,)))
    assert [f.message.split("`")[1] for f in findings] == ["b." * 40 + "sh"]  # the 300-character name is no path


def test_suppression_comments_on_huge_lines_are_ignored() -> None:
    from skillscan.suppress import MAX_LINE, inline_suppressions

    long_line = "x = 1  # skillscan: ignore[py-network-access] " + " " * MAX_LINE + "reason"
    short = "x = 1  # skillscan: ignore[py-network-access] reason"
    doc = make_file("a.py", (long_line + "\n" + short + "\n").encode())
    marks = inline_suppressions(replace(pkg(), files=(doc,)))
    assert [m.line for m in marks] == [2]
