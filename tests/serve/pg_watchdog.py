"""Watchdog of what a test process starts that would outlive it: a test PostgreSQL cluster
(servehelp.start_cluster) — `pg_ctl start` leaves the server running on its own — or a `skillscan serve`
process (servehelp.start_server, start_worker), started in a session and process group of its own. A test run
killed before its fixture's teardown would leave them behind. This process, in a session of its own (a kill of
the run's process group does not reach it), waits for the test process that started it to die — it is then
given another parent — and stops what it watches: the cluster (pg_ctl stop -m immediate, then SIGKILL of the
postmaster if it still runs, and its directory removed), or the process group (SIGKILL). It leaves quietly once
what it watches is gone (the fixture stopped it itself).

Usage: python pg_watchdog.py PARENT_PID PG_CTL ROOT [COMMAND PREFIX …] (the prefix runs pg_ctl as the
cluster's owner, e.g. runuser -u postgres --);
       python pg_watchdog.py --group PARENT_PID PGID (a process group: a serve process and its workers)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

POLL_S = 0.5


def _postmaster(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop(pg_ctl: str, root: Path, prefix: list[str]) -> None:
    data = root / "data"
    pid = _postmaster(data)
    try:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)  # gone already after pg_ctl: ProcessLookupError
        except (ProcessLookupError, PermissionError):
            pass
    shutil.rmtree(root, ignore_errors=True)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def watch(parent: int, alive: Callable[[], bool], end: Callable[[], None]) -> int:
    """While `alive()`, wait for the process `parent` to die (this process is then given another parent), and
    `end()` what is watched."""
    while alive():
        if os.getppid() != parent:
            end()
            return 0
        time.sleep(POLL_S)
    return 0


def main(argv: list[str]) -> int:
    if argv[0] == "--group":
        parent, pgid = int(argv[1]), int(argv[2])
        return watch(parent, lambda: _group_alive(pgid), lambda: kill_group(pgid))
    parent, pg_ctl, root, prefix = int(argv[0]), argv[1], Path(argv[2]), argv[3:]
    return watch(parent, root.exists, lambda: stop(pg_ctl, root, prefix))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
