"""The file engines' set-up runs once in the parent before the pool forks (skillscan/analyze.py `_warm`)
only for engines that files of two or more tasks need: a scan of Markdown alone never imports libcst,
a scan with Python in several tasks imports it before the fork, and one small skill (as many tasks as
workers) leaves the set-up to the worker that needs it. Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

SCRIPT = r"""
import json, sys
import skillscan.analyze as analyze
from skillscan.engine import ScanOptions, scan
seen = {}
real_pool = analyze.Workers.pool
def pool(self, *args):
    if not self.started:
        seen["libcst_before_fork"] = "libcst" in sys.modules
        from skillscan.analyzers.instructions import detectors
        seen["detectors_before_fork"] = detectors.detector_set.cache_info().currsize == 1
    return real_pool(self, *args)
analyze.Workers.pool = pool
scan(sys.argv[1:], ScanOptions(jobs=2, use_cache=False))
print(json.dumps(seen))
"""


def _before_fork(*inputs: str) -> dict[str, bool]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, *(str(FIXTURES / i) for i in inputs)], env=env,
                          capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_markdown_alone_never_imports_libcst() -> None:
    seen = _before_fork("prose-clawhavoc-lure", "prose-follow-reference", "prose-mcp-poisoned", "prose-security-guide")
    assert seen == {"libcst_before_fork": False, "detectors_before_fork": True}


def test_python_in_several_tasks_is_set_up_before_the_fork() -> None:
    seen = _before_fork("py-benign-api-client", "py-malicious-dropper", "py-benign-git-helper")
    assert seen["libcst_before_fork"] is True
    assert seen["detectors_before_fork"] is True


def test_one_small_skill_leaves_the_set_up_to_its_workers() -> None:
    seen = _before_fork("core-benign-git-helper")  # two tasks (its Python file, the rest), two workers
    assert seen == {"libcst_before_fork": False, "detectors_before_fork": False}
