"""A scan killed from outside (SIGKILL or SIGTERM to the CLI alone, as a CI runner or `timeout` does) leaves
no process behind: each forked analysis worker ends itself once its parent is gone (skillscan/analyze.py
`_exit_with_parent`), and semgrep runs with a parent-death signal (skillscan/analyzers/semgrep.py
`_pdeathsig`). The real CLI scans a package with many Python files (workers, no semgrep) or many
JavaScript files (semgrep), is killed once those processes exist, and every process it had started must
end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

from skillscan.analyzers.semgrep import _pdeathsig
from tests.clirun import REPO, make_skill

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")

WAIT_S = 60  # how long each wait below may poll before it gives up (no timing is asserted)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[1]), fields[0]) if fields[0] not in ("Z", "X") else None


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents[int(entry)] = st[0]
    out: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - out
        out |= frontier
    return out


def kill_leaves_nothing(cli: subprocess.Popen[bytes], ready: Callable[[set[int]], bool], sig: signal.Signals,
                        ready_within: float = WAIT_S) -> None:
    """Wait (up to `ready_within` s) until the scan's process tree is `ready`, send `sig` to the scan, and check that
    every process of the tree is gone within WAIT_S (a failed run leaves nothing behind either). Also used by
    tests/test_fork_server.py."""
    children: set[int] = set()
    try:
        deadline = time.monotonic() + ready_within
        while not ready(children) and cli.poll() is None and time.monotonic() < deadline:
            children = _descendants(cli.pid)
            time.sleep(0.05)
        assert ready(children), f"the scan never reached the state to kill it in ({ready.__name__})"
        assert cli.poll() is None, "the scan ended before it could be killed"
        cli.send_signal(sig)
        cli.wait(timeout=WAIT_S)
        deadline = time.monotonic() + WAIT_S
        while any(_stat(pid) is not None for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = {pid for pid in children if _stat(pid) is not None}
        assert not survivors, f"processes left running after the scan was killed: {sorted(survivors)}"
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        for pid in children:
            if _stat(pid) is not None:
                os.kill(pid, signal.SIGKILL)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _python_package(root: Path) -> Path:
    pkg = make_skill(root, "many-modules")
    body = "".join(f"def f{k}(x):\n    return [x + {k} for _ in range({k})]\n\n" for k in range(150))
    for n in range(600):
        (pkg / f"mod{n}.py").write_text(body, encoding="utf-8")
    return pkg


def _javascript_package(root: Path) -> Path:
    pkg = make_skill(root, "many-scripts")
    body = "".join(f"const cp{k} = require('child_process');\ncp{k}.exec('ls ' + process.argv[{k}]);\n" for k in range(50))
    for n in range(300):
        (pkg / f"s{n}.js").write_text(body, encoding="utf-8")
    return pkg


def _workers_forked(children: set[int]) -> bool:
    return len(children) >= 2


def _semgrep_running(children: set[int]) -> bool:
    return any("semgrep" in _comm(pid) for pid in children)


CASES = [(_python_package, _workers_forked), (_javascript_package, _semgrep_running)]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize(("make", "ready"), CASES, ids=["workers", "semgrep"])
def test_no_process_outlives_a_killed_scan(tmp_path: Path, sig: signal.Signals, make: Any, ready: Any) -> None:
    if ready is _semgrep_running and not _pdeathsig():
        pytest.skip("no setpriv that can set a parent-death signal here: semgrep runs without one")
    pkg = make(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("SKILLSCAN_CONFIG", None)
    cli = subprocess.Popen([sys.executable, "-m", "skillscan", "scan", "--no-config", "--jobs", "2", "--format", "json",
                            str(pkg)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_leaves_nothing(cli, ready, sig)
