"""Worker recycling (skillscan/analyze.py `RECYCLE_TASKS`, `RECYCLE_PRIVATE_MB`): after a pool has run its share
of file tasks, or one of its workers holds too much memory of its own, the next group goes to freshly forked
workers, which bounds each worker's memory on a long scan. The report must not change: the same scan of every
fixture (small groups, so there are many) with a pool replaced at every group, by task count and by memory, and
with one pool for the whole scan gives the same JSON. Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

SCRIPT = r"""
import json, sys
import skillscan.analyze as analyze
import skillscan.engine as engine
from skillscan.engine import ScanOptions, scan
from skillscan.report import renderer
analyze.RECYCLE_TASKS = int(sys.argv[1])
analyze.RECYCLE_PRIVATE_MB = int(sys.argv[2])
engine.GROUP_PACKAGES = 6  # many groups
forks = [0]
real_pool = analyze.Workers.pool
def pool(self, *args):
    if not self.started:
        forks[0] += 1
    return real_pool(self, *args)
analyze.Workers.pool = pool
report = scan(sys.argv[3:], ScanOptions(jobs=2, use_cache=False))
sys.stdout.write(json.dumps({"forks": forks[0], "report": renderer("json")(report)}) + "\n")
"""


def _scan(recycle: int, inputs: list[str], tmp_path: Path, private_mb: int = 10**9) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(recycle), str(private_mb), *inputs], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=900)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["forks"], re.sub(r'("seconds":\s*)[0-9.eE+-]+', r"\g<1>0", out["report"])


def test_a_pool_replaced_at_every_group_gives_the_same_report(tmp_path: Path) -> None:
    inputs = sorted(str(p) for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(inputs) > 30
    forks_once, once = _scan(10**9, inputs, tmp_path)
    forks_each, each = _scan(1, inputs, tmp_path)
    assert forks_once == 1
    assert forks_each >= 4  # the pool really was replaced, several times
    assert '"packages"' in once
    assert each == once
    forks_grown, grown = _scan(10**9, inputs, tmp_path, private_mb=0)  # every worker past the memory bound
    assert forks_grown >= 4
    assert grown == once


def _hold(mb: int) -> int:
    """In a pool worker: keep `mb` MB of written pages until the worker ends."""
    _HELD.append(bytearray(b"x" * (mb << 20)))
    return os.getpid()


_HELD: list[bytearray] = []


def test_a_worker_past_the_memory_bound_makes_the_pool_due(monkeypatch) -> None:
    import skillscan.analyze as analyze

    monkeypatch.setattr(analyze, "RECYCLE_PRIVATE_MB", 96)
    workers = analyze.Workers(1)
    try:
        pool = workers.pool()
        assert not workers.due  # a fresh fork holds little of its own
        pid = pool.submit(_hold, 128).result()
        workers._submitted += 1  # as `submit` counts a task: the memory is read again for the next group
        assert analyze.private_mb(pid) >= 128
        assert workers.due
    finally:
        workers.close()
    assert not workers.due  # no pool, nothing to replace
