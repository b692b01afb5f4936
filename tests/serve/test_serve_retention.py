"""Retention through the real server, against SQLite and PostgreSQL: deleting a version removes its
archive (once no live version carries the same bytes) and keeps its verdict and audit events; the
archives of versions rejected longer ago than the retention setting are removed; a name's owner
exports its full record, others may not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servehelp import REPO, Server, dir_zip, running, skill_zip, stored_files, submit, wait_decided


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp(f"retention-{request.param}") / "data"
    database = request.getfixturevalue("pg_cluster").new_database() if request.param == "postgresql" else None
    # rejected archives are kept for about two seconds
    with running(data, database, "--rate-limit", "0", "--retain-rejected-days", "0.000025") as srv:
        yield srv


def _tokens(server: Server) -> dict[str, str]:
    with server.client() as admin:
        out = {}
        for who, scope in (("alice", "publisher"), ("bob", "publisher"), ("moe", "moderator")):
            r = admin.post("/v1/tokens", json={"subject": who, "scopes": [scope]})
            out[who] = r.json()["token"]
        return out


def _blob(server: Server, sha: str) -> list[Path]:
    return [p for p in stored_files(server.data) if p.name.startswith(sha)]


def test_delete_keeps_the_record_and_removes_the_archive_when_unused(server: Server) -> None:
    t = _tokens(server)
    body = skill_zip("kept", "Delete me later.\n")
    with server.client(t["alice"]) as alice, server.client(t["bob"]) as bob, server.client(None) as anon:
        one = wait_decided(alice, submit(alice, "kept", "1", body).json()["job"])
        two = wait_decided(alice, submit(alice, "kept", "2", body).json()["job"])
        record = alice.get(f"/v1/jobs/{one['job']}/verdict").json()
        assert anon.post(f"/v1/jobs/{one['job']}/delete", json={"reason": "x"}).status_code == 401
        assert bob.post(f"/v1/jobs/{one['job']}/delete", json={"reason": "x"}).status_code == 403
        first = alice.post(f"/v1/jobs/{one['job']}/delete", json={"reason": "superseded"}).json()
        assert first == {"job": one["job"], "state": "deleted", "before": "approved", "blob_removed": False}
        assert _blob(server, one["sha256"])  # version 2 still carries the same bytes
        second = alice.post(f"/v1/jobs/{two['job']}/delete", json={"reason": "withdrawn"}).json()
        assert second["blob_removed"] is True and not _blob(server, one["sha256"])
        assert alice.get(f"/v1/jobs/{one['job']}").json()["state"] == "deleted"
        with server.client(t["moe"]) as moe:  # a deleted version cannot be approved again
            assert moe.post(f"/v1/jobs/{one['job']}/release", json={"reason": "x"}).status_code == 409
        assert alice.get(f"/v1/jobs/{one['job']}/verdict").json() == record
    with server.client(t["moe"]) as moe:
        audit = moe.get("/v1/audit", params={"job": one["job"]}).json()
    assert ("delete", "alice", "superseded") in [(e["kind"], e["actor"], e["detail"].get("reason")) for e in audit]


def test_archives_of_rejected_versions_expire(server: Server) -> None:
    t = _tokens(server)
    with server.client(t["alice"]) as alice:
        bad = wait_decided(alice, submit(alice, "exfil", "1",
                                         dir_zip(REPO / "fixtures" / "core-malicious-key-exfil")).json()["job"])
        good = wait_decided(alice, submit(alice, "fine", "1", skill_zip("fine", "Harmless.\n")).json()["job"])
        assert (bad["state"], good["state"]) == ("rejected", "approved")
        deadline = time.monotonic() + 60
        while _blob(server, bad["sha256"]) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _blob(server, bad["sha256"]) and _blob(server, good["sha256"])
        assert alice.get(f"/v1/jobs/{bad['job']}/verdict").json()["decision"] == "block"
        exported = alice.get("/v1/packages/exfil/export").json()
    [version] = exported["versions"]
    assert version["archive_removed_at"] is not None and version["verdict"]["decision"] == "block"
    assert version["verdict"]["packages"][0]["findings"][0].get("message")  # full evidence for the owner
    assert [e["kind"] for e in version["events"]][:3] == ["submitted", "scanned", "rejected"]


def test_export_is_for_the_owner_and_moderators(server: Server) -> None:
    t = _tokens(server)
    with server.client(t["alice"]) as alice:
        wait_decided(alice, submit(alice, "exported", "1", skill_zip("exported")).json()["job"])
    with server.client(t["bob"]) as bob, server.client(t["moe"]) as moe, server.client(None) as anon:
        assert bob.get("/v1/packages/exported/export").status_code == 403
        assert anon.get("/v1/packages/exported/export").status_code == 401
        assert moe.get("/v1/packages/exported/export").json()["versions"][0]["version"] == "1"
        assert moe.get("/v1/packages/nobody-here/export").status_code == 404
