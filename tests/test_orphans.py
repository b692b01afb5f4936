"""A scan killed from outside (SIGKILL or SIGTERM to the CLI alone, as a CI runner or `timeout` does) leaves
no analysis worker behind: each forked worker ends itself once its parent is gone
(skillscan/analyze.py `_exit_with_parent`). The real CLI scans a package with many Python files (no
JavaScript, so no semgrep process), is killed once its workers exist, and every process it had started
must end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _slow_package(root: Path) -> Path:
    pkg = make_skill(root, "many-modules")
    body = "".join(f"def f{k}(x):\n    return [x + {k} for _ in range({k})]\n\n" for k in range(150))
    for n in range(600):
        (pkg / f"mod{n}.py").write_text(body, encoding="utf-8")
    return pkg


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_outlives_a_killed_scan(tmp_path: Path, sig: signal.Signals) -> None:
    pkg = _slow_package(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("SKILLSCAN_CONFIG", None)
    cli = subprocess.Popen([sys.executable, "-m", "skillscan", "scan", "--no-config", "--jobs", "2", "--format", "json",
                            str(pkg)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + WAIT_S
        while len(children) < 2 and cli.poll() is None and time.monotonic() < deadline:
            children = _descendants(cli.pid)
            time.sleep(0.05)
        assert len(children) >= 2, "the scan never forked its workers"
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
        for pid in children:  # a failed run leaves nothing behind either
            if _stat(pid) is not None:
                os.kill(pid, signal.SIGKILL)
