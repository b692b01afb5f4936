"""The real server on 127.0.0.1 (a `skillscan serve` subprocess with one worker), against SQLite and
PostgreSQL: submit, job status, verdict records by job, digest and name@version, batch lookup, the
latest approved version, drift, webhooks (a local receiver), auth and name ownership, upload faults,
remote references (a local HTTP server), health and metrics."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from servehelp import REPO, Server, dir_zip, running, skill_zip, stored_files, submit, wait_decided

VERDICT_SCHEMA = json.loads((REPO / "rules" / "schemas" / "verdict-v1.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp(f"serve-{request.param}") / "data"
    database = request.getfixturevalue("pg_cluster").new_database() if request.param == "postgresql" else None
    with running(data, database, "--max-upload", "1M", "--rate-limit", "0") as srv:
        yield srv


class Receiver:
    """A webhook receiver on 127.0.0.1."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.got = threading.Condition()
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.got:
                    outer.calls.append(json.loads(body))
                    outer.got.notify_all()
                self.send_response(204)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, n: int, timeout: float = 60) -> list[dict[str, Any]]:
        with self.got:
            self.got.wait_for(lambda: len(self.calls) >= n, timeout)
        return list(self.calls)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_submit_follow_and_read_the_verdict_every_way(server: Server, receiver: Receiver) -> None:
    with server.client() as c:
        r = submit(c, "hello", "1.0.0", skill_zip("hello", "Say hello to the user.\n"), webhook=receiver.url)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert accepted["state"] == "queued" and accepted["queue_position"] >= 1
        job = wait_decided(c, accepted["job"])
        assert (job["state"], job["decision"], job["name"], job["version"]) == ("approved", "allow", "hello", "1.0.0")
        record = c.get(f"/v1/jobs/{job['job']}/verdict").json()
        jsonschema.validate(record, VERDICT_SCHEMA)
        assert record["decision"] == "allow" and record["packages"][0]["name"] == "hello"
        assert record["packages"][0]["input"] == f"{accepted['sha256']}.zip"
        assert c.get(f"/v1/verdicts/sha256/{accepted['sha256']}").json() == record
        assert c.get("/v1/packages/hello/versions/1.0.0/verdict").json() == record
        assert c.get("/v1/packages/hello/latest").json()["version"] == "1.0.0"
        [call] = receiver.wait(1)
        assert (call["job"], call["state"], call["decision"]) == (job["job"], "approved", "allow")
        kinds = [e["kind"] for e in c.get(f"/v1/jobs/{job['job']}/events").json()]
        assert kinds[:3] == ["submitted", "scanned", "approved"]
        # the same name@version with the same bytes again: the existing job, 200
        again = submit(c, "hello", "1.0.0", skill_zip("hello", "Say hello to the user.\n"))
        assert again.status_code == 200 and again.json()["job"] == job["job"]
        assert c.get("/v1/jobs/nope").status_code == 404
        assert c.get("/v1/packages/nobody/latest").status_code == 404


def test_a_new_version_is_gated_against_the_last_approved_one(server: Server) -> None:
    with server.client() as c:
        v1 = wait_decided(c, submit(c, "drift", "1.0.0", dir_zip(REPO / "fixtures" / "lp-drift-v1")).json()["job"])
        assert v1["state"] == "approved"
        v2 = wait_decided(c, submit(c, "drift", "2.0.0", dir_zip(REPO / "fixtures" / "lp-drift-v2")).json()["job"])
        assert (v2["state"], v2["decision"]) == ("held", "review")
        pkg = c.get(f"/v1/jobs/{v2['job']}/verdict").json()["packages"][0]
        assert pkg["previous"] == {"version": "1.0.0", "sha256": pkg["previous"]["sha256"], "decision": "allow"}
        assert pkg["capabilities"]["new_since_previous"], pkg["capabilities"]
        assert any(r.startswith("new since the previous approved version") for r in pkg["reasons"])
        assert c.get("/v1/packages/drift/latest").json()["version"] == "1.0.0"
        assert [v["version"] for v in c.get("/v1/packages/drift/versions").json()] == ["1.0.0", "2.0.0"]


def test_batch_lookup(server: Server) -> None:
    with server.client() as c:
        done = wait_decided(c, submit(c, "batched", "1", skill_zip("batched", "Batch me.\n")).json()["job"])
        unknown = "0" * 64
        got = c.post("/v1/verdicts/batch", json={"sha256": [done["sha256"], unknown]}).json()["verdicts"]
        assert got[unknown] is None
        assert got[done["sha256"]]["decision"] == "allow"
        assert got[done["sha256"]]["versions"] == [{"job": done["job"], "name": "batched", "version": "1",
                                                    "state": "approved"}]
        assert c.post("/v1/verdicts/batch", json={"sha256": [unknown] * 101}).status_code == 422
        assert c.post("/v1/verdicts/batch", json={"sha256": ["x"]}).status_code == 422


def test_tokens_and_name_ownership(server: Server) -> None:
    data = skill_zip("owned", "Mine.\n")
    with server.client(token=None) as anon, server.client(token="wrong") as wrong:
        assert submit(anon, "owned", "1", data).status_code == 401
        assert submit(wrong, "owned", "1", data).status_code == 401
        assert anon.post("/v1/rechecks").status_code == 401
    with server.client() as c:
        assert submit(c, "owned", "1", data, publisher="alice").status_code == 202
        r = submit(c, "owned", "2", skill_zip("owned", "Theirs.\n"), publisher="mallory")
        assert r.status_code == 403 and "belongs to another publisher" in r.json()["detail"]
        assert submit(c, "owned", "1", skill_zip("owned", "Other bytes.\n"), publisher="alice").status_code == 409
        assert submit(c, "bad/name", "1", data).status_code == 422
        assert submit(c, "owned", "1", data, publisher="alice", webhook="file:///etc/passwd").status_code == 422


def _tar_gz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        body = ("x" * 200_000).encode()
        info = tarfile.TarInfo("big/SKILL.md")
        info.size = len(body)
        tf.addfile(info, io.BytesIO(body))
    return buf.getvalue()


@pytest.mark.parametrize("case", ["oversized", "truncated-zip", "truncated-tar", "malformed", "empty"])
def test_bad_uploads_get_a_clear_4xx_and_nothing_is_stored(server: Server, case: str) -> None:
    good = skill_zip("faulty", "".join(f"line {i}\n" for i in range(3000)))
    payload = {"oversized": b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024), "truncated-zip": good[: len(good) // 2],
               "truncated-tar": _tar_gz()[:-200], "malformed": b"this is not an archive at all" * 20,
               "empty": b""}[case]
    before = stored_files(server.data)
    with server.client() as c:
        r = submit(c, f"faulty-{case}", "1", payload)
        assert r.status_code == (413 if case == "oversized" else 422), r.text
        assert r.json()["detail"]
        assert c.get(f"/v1/packages/faulty-{case}/versions").json() == []
    assert stored_files(server.data) == before


def test_remote_reference_is_resolved_by_the_cli_machinery(server: Server) -> None:
    data = skill_zip("remote", "Fetched from a local server.\n")

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = data if self.path == "/remote.zip" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        with server.client() as c:
            r = c.post("/v1/packages", data={"name": "remote", "version": "1", "ref": f"{base}/remote.zip"})
            assert r.status_code == 202, r.text
            job = wait_decided(c, r.json()["job"])
            assert job["source"] == f"{base}/remote.zip" and job["state"] == "approved"
            missing = c.post("/v1/packages", data={"name": "remote", "version": "2", "ref": f"{base}/gone.zip"})
            assert missing.status_code == 422
            both = c.post("/v1/packages", data={"name": "remote", "version": "3", "ref": f"{base}/remote.zip"},
                          files={"file": ("x.zip", data, "application/zip")})
            assert both.status_code == 422
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_health_and_metrics(server: Server) -> None:
    with server.client(token=None) as c:
        wait_decided(c, submit(server.client(), "metered", "1", skill_zip("metered")).json()["job"])
        health = c.get("/healthz").json()
        assert health["status"] == "ok"
        text = c.get("/metrics").text
    assert 'skillscan_queue_depth{status="queued"}' in text
    assert 'skillscan_verdicts_total{decision="allow"}' in text
    allowed = [line for line in text.splitlines() if line.startswith('skillscan_verdicts_total{decision="allow"}')]
    assert float(allowed[0].split()[-1]) >= 1
    assert "skillscan_scan_seconds_bucket" in text and "skillscan_job_latency_seconds_count" in text


def test_rate_limit_per_client(tmp_path: Path) -> None:
    with running(tmp_path / "data", None, "--rate-limit", "3", workers=0) as srv, srv.client() as c:
        codes = [submit(c, f"rl{i}", "1", skill_zip(f"rl{i}")).status_code for i in range(5)]
        assert codes[:3] == [202, 202, 202] and codes[3:] == [429, 429]
        r = submit(c, "rl9", "1", skill_zip("rl9"))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
