"""A bounded run of the fuzz targets in bench/fuzztargets.py (the long run is `bench/fuzz.py`): each
target's parser meets generated hostile input and must raise nothing it does not declare."""

from __future__ import annotations

import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings

from clirun import REPO

sys.path.insert(0, str(REPO / "bench"))

from fuzztargets import TARGETS, Target  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name")
EXAMPLES = 25  # per target: a few seconds in all; the long run tries hundreds of thousands


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_target_survives_generated_input(target: Target) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def run(value: object) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile's duplicate-name warning for generated archives
            target.check(value)

    run()


def test_checks_catch_an_engine_failure() -> None:
    """The package check is not vacuous: an engine failure reported as analysis-incomplete is a defect."""
    from fuzztargets import Defect, _no_engine_failure
    from skillscan.analyzers.base import finding

    bad = finding("analysis-incomplete", "python could not analyse a.py: KeyError: 'x'", "a.py")
    with pytest.raises(Defect):
        _no_engine_failure([bad])
    _no_engine_failure([finding("analysis-incomplete", "a.py: 2 bracket expression(s) were not analysed", "a.py")])


def test_shell_parser_survives_astral_characters_after_a_brace() -> None:
    """Found by bench/fuzz.py: tree-sitter-bash crashed the process (SIGSEGV) on `{` followed by some
    characters outside the BMP when parsed repeatedly. Run in a child so a crash fails the test."""
    import subprocess

    code = ("from skillscan.analyzers.shell.syntax import parse_script\n"
            "for _ in range(20):\n"
            "    for s in ('{\\U0010bf98', '{\\U000e0041', 'eval {\\U0010bf98\\x85[X', '\\U00038c79$${\\U00081c08W '):\n"
            "        parse_script(s)\n"
            "s = parse_script('echo \\U0001F600{\\U000e0041 caf\\u00e9')\n"
            "assert [w.value for w in s.commands[0].words] == ['echo', '\\U0001F600{\\U000e0041', 'caf\\u00e9'], "
            "[w.value for w in s.commands[0].words]\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_zip_of_an_unsupported_version_is_an_archive_error() -> None:
    """Found by bench/fuzz.py: zipfile raised NotImplementedError ("zip file version 13.2") from the
    constructor, which escaped the loader."""
    import io
    import zipfile

    from skillscan.loaders.archive import ArchiveError, read_archive

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("SKILL.md", "---\nname: a\n---\n")
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6:central + 8] = (132).to_bytes(2, "little")  # version needed to extract: 13.2
    with pytest.raises(ArchiveError, match="zip file version"):
        read_archive(bytes(data))


def test_a_lone_carriage_return_keeps_markdown_lines_aligned() -> None:
    """Found by bench/fuzz.py: markdown-it ends a line at a lone \\r while skillscan numbers lines by \\n, so
    a heading after one sat past the end of the file and the instructions engine failed on it."""
    from fuzztargets import TARGETS as targets
    from skillscan.analyzers.instructions.document import parse_document

    package = next(t for t in targets if t.name == "package")
    package.check([("SKILL.md", "\U00089c4dr\r\u00f4```bash\n## tdo ")])  # the input the run found
    doc = parse_document("SKILL.md", "intro\r# Not a heading here\n## Setup\nbody\n")
    assert [(s.heading, s.start, s.end) for s in doc.sections] == [("", 1, 1), ("Setup", 2, 4)]
    for section in doc.sections:
        first, _text = doc.section_view(section)
        assert 1 <= first <= len(doc.lines)
