"""A scan that fails with an internal error ends its worker pool at once (skillscan/engine.py `scan`,
`Workers.terminate`): the file tasks already queued for the next group are cancelled and the workers killed,
rather than waited for as a scan that succeeds waits for them. Each case runs in a fresh interpreter: the
workers record each task they start in a directory, the main process fails when it finishes the first
package, and the script reports which tasks ever started and whether any worker outlived the scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, multiprocessing, os, sys, time
import skillscan.analyze as analyze
import skillscan.engine as engine
from skillscan.engine import ScanOptions, scan
marks, inputs = sys.argv[1], sys.argv[2:]
engine.GROUP_PACKAGES = len(inputs) // 2  # two groups: the second is queued while the first is finished
real_worker = analyze._worker
def slow_worker(args):
    package, files = args
    open(os.path.join(marks, os.path.basename(package.root) + "-" + str(len(os.listdir(marks)))), "w").close()
    time.sleep(0.5)
    return real_worker(args)
analyze._worker = slow_worker
def failing_finish(self, work):
    raise RuntimeError("internal error")
engine._Scan.finish = failing_finish
try:
    scan(inputs, ScanOptions(jobs=2, use_cache=False))
except RuntimeError as exc:
    failed = str(exc)
else:
    failed = ""
alive = [p.pid for p in multiprocessing.active_children()]
sys.stdout.write(json.dumps({"failed": failed, "alive": alive}) + "\n")
"""


def _packages(root: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        pkg = root / f"pkg{i:02d}"
        pkg.mkdir(parents=True)
        (pkg / "SKILL.md").write_text(f"---\nname: pkg{i:02d}\ndescription: sums numbers\n---\nRun `python add.py`.\n")
        (pkg / "add.py").write_text("import sys\nprint(sum(int(a) for a in sys.argv[1:]))\n")
        out.append(str(pkg))
    return out


def test_a_failed_scan_does_not_wait_for_its_queued_tasks(tmp_path: Path) -> None:
    inputs = _packages(tmp_path / "in", 24)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(marks), *inputs], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=600)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["failed"] == "internal error"
    assert out["alive"] == []  # no worker outlives the failed scan
    started = {m.name.split("-")[0] for m in marks.iterdir()}
    first = {Path(p).name for p in inputs[:12]}
    second = {Path(p).name for p in inputs[12:]}
    assert first <= started  # the first group was analysed before its first package was finished
    # each package is two tasks (its Python file, the rest) of half a second each on two workers: waiting for
    # the second group would have started every one of its tasks
    assert second - started
