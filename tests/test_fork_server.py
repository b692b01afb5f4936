"""Where the pool workers come from (skillscan/analyze.py `SERVER_TASKS`, skillscan/forkhome.py): the workers of a
large scan are forked from a fork server, a fresh interpreter with the file engines set up, so that none of them
maps the scan's own heap (the loaded packages, the results so far); a small scan forks its workers from its own
process and starts no other. Either way the report is the same. Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_orphans import _stat, kill_leaves_nothing

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

SCRIPT = r"""
import json, os, sys
import skillscan.analyze as analyze
from skillscan.engine import ScanOptions, scan
from skillscan.report import renderer
analyze.SERVER_TASKS = int(sys.argv[1])
parents = []
real_start = analyze.Workers._start
def _start(self, pool):
    real_start(self, pool)
    for pid in pool._processes:
        with open(f"/proc/{pid}/stat") as fh:
            parents.append(int(fh.read().rsplit(")", 1)[1].split()[1]))
analyze.Workers._start = _start
report = scan(sys.argv[2:], ScanOptions(jobs=2, use_cache=False))
from multiprocessing import forkserver
server = forkserver._forkserver._forkserver_pid if "multiprocessing.forkserver" in sys.modules else None
sys.stdout.write(json.dumps({"main": os.getpid(), "parents": parents, "server": server,
                             "report": renderer("json")(report)}) + "\n")
"""


def _scan(server_tasks: int, inputs: list[str], tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(server_tasks), *inputs], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=900)
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    out["report"] = re.sub(r'("seconds":\s*)[0-9.eE+-]+', r"\g<1>0", str(out["report"]))
    return out


def test_the_workers_of_a_large_scan_come_from_the_fork_server_and_report_the_same(tmp_path: Path) -> None:
    inputs = sorted(str(p) for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(inputs) > 30
    served = _scan(1, inputs, tmp_path)  # every pool from the fork server
    forked = _scan(10**9, inputs, tmp_path)  # every pool forked from the scan's process
    assert isinstance(served["server"], int)
    assert served["parents"] and set(served["parents"]) == {served["server"]}  # type: ignore[arg-type]
    assert served["main"] not in served["parents"]  # type: ignore[operator]
    assert forked["server"] is None
    assert forked["parents"] and set(forked["parents"]) == {forked["main"]}  # type: ignore[arg-type]
    assert '"packages"' in str(forked["report"])
    assert served["report"] == forked["report"]


def test_a_small_scan_starts_no_fork_server(tmp_path: Path) -> None:
    small = _scan(64, [str(FIXTURES / "agent-skill-benign"), str(FIXTURES / "claude-marketplace-mixed")], tmp_path)
    assert small["server"] is None
    assert small["parents"] and set(small["parents"]) == {small["main"]}  # type: ignore[arg-type]


def test_a_program_run_by_path_forks_its_workers_from_itself(tmp_path: Path) -> None:
    """multiprocessing would run such a program's main script again in every worker of a fork server."""
    script = tmp_path / "scan_it.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache")}
    inputs = sorted(str(p) for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("."))[:12]
    done = subprocess.run([sys.executable, str(script), "1", *inputs], env=env, cwd=REPO, capture_output=True,
                          text=True, check=True, timeout=900)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["server"] is None
    assert out["parents"] and set(out["parents"]) == {out["main"]}


CLI = "import skillscan.analyze as analyze; analyze.SERVER_TASKS = 1; from skillscan.cli import main; main()"


def _workers_of_a_fork_server(children: set[int]) -> bool:
    """A process of the scan's tree (not the scan's own) with two workers or more: the fork server at work."""
    parents = [st[0] for pid in children if (st := _stat(pid)) is not None]
    return any(parents.count(pid) >= 2 and b"forkserver" in _cmdline(pid) for pid in children)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_process_outlives_a_killed_scan_whose_workers_come_from_the_fork_server(
        tmp_path: Path, sig: signal.Signals) -> None:
    """The fork server ends once the scan's process is gone, and its workers once it is (every worker used to
    hold the pipe the fork server waits on, and the three outlived the scan)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("SKILLSCAN_CONFIG", None)
    inputs = sorted(str(p) for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("."))
    cli = subprocess.Popen([sys.executable, "-c", CLI, "scan", "--no-config", "--no-cache", "--jobs", "2", "--format",
                            "json", *inputs], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_leaves_nothing(cli, _workers_of_a_fork_server, sig, ready_within=300)
