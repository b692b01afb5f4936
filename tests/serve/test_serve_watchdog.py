"""A `skillscan serve` process (and a `serve worker`) started for the tests dies with the test process that
started it, even when that process is killed before any teardown runs (SIGKILL of the run): each is started in a
process group of its own, which its watchdog (pg_watchdog.py --group) kills. Real servers, real processes, a
real kill."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_pg_watchdog import _alive

HERE = Path(__file__).resolve().parent
STARTER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {here!r})
from servehelp import start_server, start_worker
data = Path({data!r})
server = start_server(data, None)
worker = start_worker(data, None)
watchdog = getattr(server, "watchdog", None)
print(server.proc.pid, worker.pid, watchdog.pid if watchdog is not None else 0, flush=True)
time.sleep(600)
"""


def _gone(pids: list[int], seconds: float = 60) -> list[int]:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


def test_a_killed_test_process_takes_its_servers_with_it(tmp_path: Path) -> None:
    code = STARTER.format(here=str(HERE), data=str(tmp_path / "data"))
    run = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    groups: list[int] = []
    try:
        line = run.stdout.readline() if run.stdout else ""
        server, worker, watchdog = (int(p) for p in line.split())
        groups = [server, worker]
        assert _alive(server) and _alive(worker)
        run.kill()  # no teardown, no atexit: as when a run is killed
        run.wait(timeout=30)
        assert _gone([server, worker]) == [], "a serve process outlived the killed test process"
        assert watchdog and _gone([watchdog]) == []  # its work done, the watchdog left
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        for pgid in groups:  # whatever outlived it (the test failed) is not left behind
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)


def test_a_stopped_server_ends_its_watchdog(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    from servehelp import start_server

    server = start_server(tmp_path / "data", None)
    try:
        watchdog = getattr(server, "watchdog", None)
        assert watchdog is not None and watchdog.poll() is None
    finally:
        server.stop()
    assert watchdog.poll() is not None and _gone([server.proc.pid], 5) == []


BROWSER = """
import sys, time
sys.path.insert(0, {here!r})
from cdp import browser
with browser({binary!r}) as page:
    import os
    print(open(f"/proc/{{os.getpid()}}/task/{{os.getpid()}}/children").read().strip(), flush=True)
    time.sleep(600)
"""


def test_a_killed_test_process_takes_its_chromium_with_it() -> None:
    from cdp import chromium_path

    binary = chromium_path()
    if binary is None:
        if os.environ.get("CI"):
            raise AssertionError("Debian's chromium is missing; .ci/run installs it")
        import pytest

        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    run = subprocess.Popen([sys.executable, "-c", BROWSER.format(here=str(HERE), binary=binary)],
                           stdout=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        line = run.stdout.readline() if run.stdout else ""
        pids = [int(p) for p in line.split()]  # Chromium (its own group's leader) and its watchdog
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        run.kill()  # no teardown: as when a run is killed
        run.wait(timeout=30)
        assert _gone(pids) == [], "Chromium or its watchdog outlived the killed test process"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
