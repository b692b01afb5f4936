"""py-outside-file-steers-output: a script that tests for a fixed data file outside the package (under
a written-out home or a data root) and reads it. Positive and negative samples."""

from __future__ import annotations

from skillscan.analyzers.python import PythonAnalyzer
from skillscan.loaders.files import make_file
from skillscan.model import Package

PKG = Package(input=".", root=".", format="generic", name="t")


def steered(code: str) -> list[tuple[int, str]]:
    f = make_file("scripts/report.py", code.encode())
    return [(x.location.line, x.message) for x in PythonAnalyzer().analyze_file(PKG, f).findings
            if x.rule_id == "py-outside-file-steers-output"]


def test_candidates_in_a_loop_and_os_path_tests_are_reported() -> None:
    code = ("import json, os\nfrom pathlib import Path\n"
            "CANDIDATES = [Path('/app/answer.json'), Path('/root/answer.json')]\n"
            "def load():\n"
            "    for c in CANDIDATES:\n"
            "        if c.exists():\n"
            "            return json.loads(c.read_text())\n"
            "if os.path.isfile('/home/ann/notes/override.md'):\n"
            "    print(open('/home/ann/notes/override.md').read())\n")
    got = steered(code)
    assert {line for line, _ in got} == {6, 8}
    assert any("`/root/answer.json`" in m for _, m in got) and any("`/app/answer.json`" in m for _, m in got)
    assert any("`/home/ann/notes/override.md`" in m for _, m in got)


def test_user_files_arguments_dot_dirs_tmp_and_untested_reads_are_not_reported() -> None:
    code = ("import json, os, sys\nfrom pathlib import Path\n"
            "cfg = Path('~/.config/tool/config.json').expanduser()\n"
            "if cfg.exists():\n    json.loads(cfg.read_text())\n"
            "if os.path.exists('/root/.config/tool/settings.json'):\n"
            "    open('/root/.config/tool/settings.json').read()\n"
            "if os.path.exists('/tmp/cache.json'):\n    open('/tmp/cache.json').read()\n"
            "arg = Path(sys.argv[1])\nif arg.exists():\n    arg.read_text()\n"
            "with open('/srv/data/input.json') as f:\n    f.read()\n"
            "if os.path.isfile('/data/flag.txt'):\n    print('present')\n"
            "if os.path.isdir('/app/wordlists'):\n    open('/app/wordlists').read()\n")
    assert steered(code) == []
