"""Watchdog of a test PostgreSQL cluster (servehelp.start_cluster): `pg_ctl start` leaves the server running
on its own, so a test run killed before its fixture's teardown would leave `postgres` processes behind. This
process, in a session of its own (a kill of the run's process group does not reach it), waits for the test
process that started it to die — it is then given another parent — and stops the cluster (pg_ctl stop -m
immediate, then SIGKILL of the postmaster if it still runs) and removes its directory. It leaves quietly once
the cluster's directory is gone (the fixture stopped the cluster itself).

Usage: python pg_watchdog.py PARENT_PID PG_CTL ROOT [COMMAND PREFIX …] (the prefix runs pg_ctl as the
cluster's owner, e.g. runuser -u postgres --)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
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


def main(argv: list[str]) -> int:
    parent, pg_ctl, root, prefix = int(argv[0]), argv[1], Path(argv[2]), argv[3:]
    while root.exists():
        if os.getppid() != parent:
            stop(pg_ctl, root, prefix)
            return 0
        time.sleep(POLL_S)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
