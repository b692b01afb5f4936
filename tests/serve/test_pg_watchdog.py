"""A PostgreSQL cluster started for the tests dies with the test process that started it, even when that
process is killed before any teardown runs (SIGKILL of the run): its watchdog (pg_watchdog.py) stops the
server and removes the cluster's directory, so killed runs leave no `postgres` processes behind. Real
PostgreSQL, real processes, a real kill."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servehelp import pg_bin

HERE = Path(__file__).resolve().parent
STARTER = f"""
import sys, time
sys.path.insert(0, {str(HERE)!r})
from servehelp import pg_bin, start_cluster
cluster = start_cluster(pg_bin())
pid = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
print(pid, cluster.root, cluster.port, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie no one reaped has ended
    except (OSError, IndexError):
        return False


def test_a_killed_test_process_takes_its_postgres_with_it() -> None:
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    run = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    try:
        line = run.stdout.readline() if run.stdout else ""
        pid_s, root_s, port = line.split()
        pid, root = int(pid_s), Path(root_s)
        assert _alive(pid) and root.is_dir()
        run.kill()  # no teardown, no atexit: as when a run is killed
        run.wait(timeout=30)
        deadline = time.monotonic() + 90
        while (_alive(pid) or root.exists()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid), f"postgres {pid} (port {port}) outlived the killed test process"
        assert not root.exists()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
