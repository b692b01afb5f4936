"""Tokens and roles through the real server, against SQLite and PostgreSQL: expired, forged and
revoked tokens (401), a publisher publishing under another's name or appealing another's version
(403), readers and strangers getting redacted evidence, owners and moderators the full record, and
every moderator action (hold, release, reject, appeal decisions) leaving an audit event with its
reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from servehelp import REPO, Server, dir_zip, running, skill_zip, submit, wait_decided


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp(f"people-{request.param}") / "data"
    database = request.getfixturevalue("pg_cluster").new_database() if request.param == "postgresql" else None
    with running(data, database, "--rate-limit", "0") as srv:
        yield srv


def _token(admin: httpx.Client, subject: str, *scopes: str, days: float | None = None) -> str:
    r = admin.post("/v1/tokens", json={"subject": subject, "scopes": list(scopes), "expires_in_days": days})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["subject"] == subject and "secret_sha256" not in body
    return str(body["token"])


def _client(server: Server, token: str | None) -> httpx.Client:
    return server.client(token=token)


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    with server.client() as admin:
        return {"alice": _token(admin, "alice", "publisher"), "bob": _token(admin, "bob", "publisher"),
                "reader": _token(admin, "rita", "reader"), "mod": _token(admin, "moe", "moderator")}


def test_bad_tokens_are_401(server: Server, people: dict[str, str]) -> None:
    with server.client() as admin:
        short = _token(admin, "brief", "publisher", days=1 / 86400)  # one second
        revoked = _token(admin, "gone", "publisher")
        tid = revoked.split("_")[1]
        assert admin.delete(f"/v1/tokens/{tid}").status_code == 204
        listed = admin.get("/v1/tokens").json()
        assert all("secret_sha256" not in t and "token" not in t for t in listed)
        assert {t["subject"] for t in listed} >= {"alice", "bob", "rita", "moe", "brief", "gone"}
    time.sleep(1.5)
    forged = people["alice"].rsplit("_", 1)[0] + "_forged-secret"
    for token in (short, revoked, forged, "sst_nothing_here", "not-a-token"):
        with _client(server, token) as c:
            assert c.get("/v1/whoami").status_code == 401, token
            assert submit(c, "x", "1", skill_zip("x")).status_code == 401
    with _client(server, people["alice"]) as c:
        assert c.get("/v1/whoami").json() == {"name": "alice", "scopes": ["publisher"]}
        assert c.get("/v1/tokens").status_code == 403


def test_publishers_publish_only_under_their_own_names(server: Server, people: dict[str, str]) -> None:
    with _client(server, people["alice"]) as alice, _client(server, people["bob"]) as bob, \
            _client(server, people["reader"]) as reader:
        assert submit(alice, "alices", "1", skill_zip("alices")).status_code == 202
        r = submit(bob, "alices", "2", skill_zip("alices", "Bob's.\n"))
        assert r.status_code == 403 and "another publisher" in r.json()["detail"]
        assert submit(bob, "bobs", "1", skill_zip("bobs"), publisher="alice").status_code == 403
        assert submit(reader, "readers", "1", skill_zip("readers")).status_code == 403


def _findings(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in record["packages"] for f in p["findings"]]


def test_evidence_is_full_for_owner_and_moderators_and_redacted_for_everyone_else(
        server: Server, people: dict[str, str]) -> None:
    with _client(server, people["alice"]) as alice:
        job = wait_decided(alice, submit(alice, "envy", "1", dir_zip(REPO / "fixtures" / "lp-gemini-env")).json()["job"])
        full = alice.get(f"/v1/jobs/{job['job']}/verdict").json()
    assert job["state"] == "held" and _findings(full) and "evidence" not in full
    assert all("message" in f and "snippet" in f for f in _findings(full))
    with _client(server, people["mod"]) as mod:
        assert mod.get(f"/v1/jobs/{job['job']}/verdict").json() == full
    for token in (people["bob"], people["reader"], None):
        with _client(server, token) as c:
            for url in (f"/v1/jobs/{job['job']}/verdict", f"/v1/verdicts/sha256/{job['sha256']}",
                        "/v1/packages/envy/versions/1/verdict"):
                shown = c.get(url).json()
                assert shown["evidence"] == "redacted" and shown["decision"] == full["decision"]
                assert [(f["rule_id"], f["path"], f["line"]) for f in _findings(shown)] == \
                    [(f["rule_id"], f["path"], f["line"]) for f in _findings(full)]
                assert all(set(f) <= {"rule_id", "severity", "path", "line"} for f in _findings(shown))
                evidence = [e for p in shown["packages"] for ic in p["capabilities"]["inferred"] for e in ic["evidence"]]
                assert evidence and all(set(e) <= {"rule_id", "path", "line"} for e in evidence)


def test_moderation_and_appeals_leave_audit_events(server: Server, people: dict[str, str]) -> None:
    with _client(server, people["alice"]) as alice:
        job = wait_decided(alice, submit(alice, "modded", "1", skill_zip("modded", "Fine.\n")).json()["job"])["job"]
    assert job
    with _client(server, people["mod"]) as mod, _client(server, people["alice"]) as alice, \
            _client(server, people["bob"]) as bob, _client(server, people["reader"]) as reader:
        assert reader.post(f"/v1/jobs/{job}/hold", json={"reason": "no"}).status_code == 403
        assert alice.post(f"/v1/jobs/{job}/hold", json={"reason": "no"}).status_code == 403
        assert mod.post(f"/v1/jobs/{job}/hold", json={}).status_code == 422  # a reason is required
        assert alice.post(f"/v1/jobs/{job}/appeals", json={"message": "why?"}).status_code == 409  # approved
        r = mod.post(f"/v1/jobs/{job}/reject", json={"reason": "the publisher's key leaked"})
        assert r.json() == {"job": job, "state": "rejected", "before": "approved"}
        assert bob.post(f"/v1/jobs/{job}/appeals", json={"message": "mine now"}).status_code == 403
        appeal = alice.post(f"/v1/jobs/{job}/appeals", json={"message": "rotated the key"}).json()
        assert appeal["status"] == "open"
        assert [a["appeal"] for a in mod.get("/v1/appeals", params={"status": "open"}).json()] == [appeal["appeal"]]
        decided = mod.post(f"/v1/appeals/{appeal['appeal']}/decision",
                           json={"grant": True, "reason": "key rotation verified"}).json()
        assert decided["state"] == "approved"
        assert mod.post(f"/v1/appeals/{appeal['appeal']}/decision",
                        json={"grant": False, "reason": "again"}).status_code == 409
        assert mod.post(f"/v1/jobs/{job}/hold", json={"reason": "second look"}).json()["state"] == "held"
        held = alice.post(f"/v1/jobs/{job}/appeals", json={"message": "nothing changed since"})  # held: appealable
        assert held.status_code == 201
        denied = mod.post(f"/v1/appeals/{held.json()['appeal']}/decision", json={"grant": False, "reason": "wait"})
        assert denied.json()["state"] == "held" and alice.get(f"/v1/jobs/{job}").json()["state"] == "held"
        assert mod.post(f"/v1/jobs/{job}/release", json={"reason": "looked again"}).json()["state"] == "approved"
        audit = mod.get("/v1/audit", params={"job": job}).json()
        assert reader.get("/v1/audit").status_code == 403
    got = [(e["kind"], e["actor"], e["detail"].get("reason") or e["detail"].get("message")) for e in reversed(audit)]
    assert got == [("submitted", "alice", None), ("reject", "moe", "the publisher's key leaked"),
                   ("appeal", "alice", "rotated the key"), ("appeal.granted", "moe", "key rotation verified"),
                   ("hold", "moe", "second look"), ("appeal", "alice", "nothing changed since"),
                   ("appeal.denied", "moe", "wait"), ("release", "moe", "looked again")]
    assert all(e["at"] > 0 for e in audit)
