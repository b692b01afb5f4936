"""Faults, against SQLite and PostgreSQL: a worker killed mid-scan (its scan is re-queued when the
lease expires and finished once), the server restarted with jobs queued (none lost), the same
content submitted twice at once (one scan); and re-checks after a policy change (endpoint and
command) listing the verdicts that changed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from servehelp import REPO, dir_zip, env, running, serve_args, skill_zip, start_worker, submit, wait_decided

from skillscan.serve.db import database_url, make_engine
from skillscan.serve.schema import events, scans, verdicts


def _engine(data: Path, database: str | None) -> sa.Engine:
    return make_engine(database_url(data, database))


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_worker_killed_mid_scan_is_requeued_and_finished_once(backend: tuple[Path, str | None]) -> None:
    data, database = backend
    with running(data, database, workers=0) as srv, srv.client() as c:
        job = submit(c, "victim", "1", skill_zip("victim", "A skill whose worker dies.\n")).json()["job"]
        engine = _engine(data, database)
        doomed = start_worker(data, database, "--lease", "3")
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    status = conn.execute(sa.select(scans.c.status)).scalar_one()
                if status == "running":
                    break
                time.sleep(0.01)
            assert status == "running"
        finally:
            os.killpg(doomed.pid, signal.SIGKILL)  # the worker and its pipeline processes
            doomed.wait()
        assert c.get(f"/v1/jobs/{job}").json()["state"] == "queued"
        assert _count(engine, verdicts) == 0
        rescuer = start_worker(data, database, "--lease", "3")
        try:
            decided = wait_decided(c, job)
        finally:
            rescuer.send_signal(signal.SIGTERM)
            rescuer.wait(timeout=60)
        assert decided["state"] == "approved"
        assert _count(engine, verdicts) == 1
        with engine.connect() as conn:
            assert conn.execute(sa.select(scans.c.attempts)).scalar_one() == 2
            kinds = [r.kind for r in conn.execute(sa.select(events.c.kind).order_by(events.c.id))]
        assert kinds.count("requeued") == 1 and kinds.count("approved") == 1


def test_restart_with_jobs_queued_loses_none(backend: tuple[Path, str | None]) -> None:
    data, database = backend
    payloads = {f"queued{i}": skill_zip(f"queued{i}", f"Queued package {i}.\n") for i in range(4)}
    with running(data, database, workers=0) as srv, srv.client() as c:
        jobs = [submit(c, name, "1", body).json()["job"] for name, body in payloads.items()]
        assert [c.get(f"/v1/jobs/{j}").json()["queue_position"] for j in jobs] == [1, 2, 3, 4]
    with running(data, database, workers=1) as srv, srv.client() as c:
        states = [wait_decided(c, j)["state"] for j in jobs]
    assert states == ["approved"] * 4
    assert _count(_engine(data, database), verdicts) == 4


def test_same_content_submitted_twice_at_once_is_scanned_once(backend: tuple[Path, str | None]) -> None:
    data, database = backend
    body = skill_zip("twin", "Submitted twice at the same moment.\n")
    with running(data, database, workers=1) as srv:
        barrier = threading.Barrier(2)
        results: dict[str, httpx.Response] = {}

        def send(version: str) -> None:
            with srv.client() as c:
                barrier.wait()
                results[version] = submit(c, "twin", version, body)

        threads = [threading.Thread(target=send, args=(v,)) for v in ("1", "2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.status_code for r in results.values()) == [202, 202]
        with srv.client() as c:
            decided = [wait_decided(c, r.json()["job"]) for r in results.values()]
    assert {(d["state"], d["sha256"]) for d in decided} == {("approved", decided[0]["sha256"])}
    engine = _engine(data, database)
    assert _count(engine, scans) == 1 and _count(engine, verdicts) == 1


STRICT = """schema: skillscan.policy/v1
extends: default
name: strict
version: "1"
undeclared:
  tier2: {decision: block, min_confidence: medium, channels: [manifest, code], otherwise: allow}
"""


def test_recheck_after_a_policy_change_lists_changed_verdicts(backend: tuple[Path, str | None],
                                                             tmp_path: Path) -> None:
    data, database = backend
    strict = tmp_path / "strict.yaml"
    strict.write_text(STRICT, encoding="utf-8")
    with running(data, database) as srv, srv.client() as c:
        env_job = wait_decided(c, submit(c, "envy", "1", dir_zip(REPO / "fixtures" / "lp-gemini-env")).json()["job"])
        plain = wait_decided(c, submit(c, "plain", "1", skill_zip("plain", "Nothing to see.\n")).json()["job"])
    assert (env_job["decision"], plain["decision"]) == ("review", "allow")
    # the endpoint, on a server started with the stricter policy
    with running(data, database, "--policy", str(strict)) as srv, srv.client() as c:
        started = c.post("/v1/rechecks").json()
        assert started["versions"] == 2
        deadline = time.monotonic() + 300
        while (status := c.get(started["links"]["self"]).json())["pending"] and time.monotonic() < deadline:
            time.sleep(0.3)
        assert status["changed"] == [{"job": env_job["job"], "name": "envy", "version": "1",
                                      "sha256": env_job["sha256"], "before": "review", "after": "block",
                                      "state": "rejected", "change": "newly blocked"}]
        assert c.get(f"/v1/jobs/{plain['job']}").json()["state"] == "approved"
        kinds = [e["kind"] for e in c.get(f"/v1/jobs/{env_job['job']}/events").json()]
        assert "recheck" in kinds and kinds[-1] in ("rejected", "webhook")
        assert c.post("/v1/rechecks").json()["versions"] == 0  # nothing stale any more
    # the command, back under the default policy
    proc = subprocess.run([sys.executable, "-m", "skillscan", "serve", "recheck", *serve_args(data, database)],
                          check=False, capture_output=True, text=True, env=env(), cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert report["pending"] == 0 and report["versions"] == 2
    assert [(x["name"], x["before"], x["after"], x["state"]) for x in report["changed"]] == [
        ("envy", "block", "review", "held")]



def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stopping_the_server_stops_its_workers(tmp_path: Path) -> None:
    with running(tmp_path / "data", None, workers=2) as srv:
        deadline = time.monotonic() + 60
        while len(children := _children(srv.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children) == 2
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in children)
