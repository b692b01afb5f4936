"""The store against SQLite and PostgreSQL: the migrated schema is the metadata's, submissions of
identical content share one scan, claims hand out disjoint batches, an expired lease re-queues and a
worker that lost its lease writes nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from servehelp import skill_zip

from skillscan.serve.blobs import BlobStore
from skillscan.serve.db import database_url, make_engine, migrate
from skillscan.serve.schema import metadata, scans, verdicts
from skillscan.serve.store import Conflict, Forbidden, Store


@pytest.fixture
def store(backend: tuple[Path, str | None]) -> tuple[Store, BlobStore]:
    data, database = backend
    engine = make_engine(database_url(data, database))
    migrate(engine)
    migrate(engine)  # idempotent
    return Store(engine), BlobStore(data / "blobs")


def _blob(blobs: BlobStore, name: str, body: str = "Body.\n"):  # type: ignore[no-untyped-def]
    return blobs.put_bytes(skill_zip(name, body), 1 << 20)


def _record(decision: str = "allow") -> dict:  # type: ignore[type-arg]
    return {"schema": "skillscan.verdict/v1", "as_of": "2026-12-06", "decision": decision,
            "tool": {"name": "skillscan", "version": "0", "engines": {}}, "rules": {"digest": "0" * 64},
            "policy": {"name": "p", "version": "1", "digest": "1" * 64},
            "packages": [{"decision": decision, "findings": [{"rule_id": "r", "severity": "high", "path": "a",
                                                              "line": 3, "fingerprint": "f"}]}]}


def test_migrated_schema_matches_metadata(store: tuple[Store, BlobStore]) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store[0].engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_identical_content_is_one_scan_and_names_belong_to_their_first_publisher(
        store: tuple[Store, BlobStore]) -> None:
    s, blobs = store
    blob = _blob(blobs, "same")
    a = s.submit(name="same", version="1", publisher="alice", blob=blob, source="t", webhook=None, engine_key="k",
                 actor="admin")
    b = s.submit(name="other", version="1", publisher="bob", blob=blob, source="t", webhook=None, engine_key="k",
                 actor="admin")
    assert a.scan_id == b.scan_id and a.queue_position == 1
    again = s.submit(name="same", version="1", publisher="alice", blob=blob, source="t", webhook=None,
                     engine_key="k", actor="admin")
    assert again.existing and again.job == a.job
    with pytest.raises(Conflict):
        s.submit(name="same", version="1", publisher="alice", blob=_blob(blobs, "same", "v2"), source="t",
                 webhook=None, engine_key="k", actor="admin")
    with pytest.raises(Forbidden):
        s.submit(name="same", version="2", publisher="mallory", blob=_blob(blobs, "same", "v2"), source="t",
                 webhook=None, engine_key="k", actor="admin")
    # another engine key (new rules or policy) is another scan of the same content
    c = s.submit(name="same", version="3", publisher="alice", blob=blob, source="t", webhook=None, engine_key="k2",
                 actor="admin")
    assert c.scan_id != a.scan_id


def test_concurrent_claims_hand_out_disjoint_batches(store: tuple[Store, BlobStore]) -> None:
    s, blobs = store
    for i in range(12):
        s.submit(name=f"n{i}", version="1", publisher="p", blob=_blob(blobs, f"n{i}"), source="t", webhook=None,
                 engine_key="k", actor="admin")
    got: dict[str, list[int]] = {}

    def claim(worker: str) -> None:
        ids: list[int] = []
        while batch := s.claim(worker, "k", 2, 60):
            ids += [c.scan_id for c in batch]
        got[worker] = ids

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [i for ids in got.values() for i in ids]
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 12
    assert s.claim("w9", "other-key", 10, 60) == []


def test_expired_lease_requeues_and_the_dead_worker_writes_nothing(store: tuple[Store, BlobStore]) -> None:
    s, blobs = store
    sub = s.submit(name="lease", version="1", publisher="p", blob=_blob(blobs, "lease"), source="t",
                   webhook="http://127.0.0.1:1/hook", engine_key="k", actor="admin")
    [first] = s.claim("dead", "k", 5, -1.0)  # a lease already expired: the worker "died"
    assert first.requeued_from is None
    [second] = s.claim("alive", "k", 5, 60)
    assert second.scan_id == first.scan_id and second.requeued_from == "dead"
    assert s.complete("dead", first.scan_id, _record(), 1.0) is None
    decided = s.complete("alive", second.scan_id, _record("review"), 1.0)
    assert decided is not None and [(d.job, d.state, d.decision) for d in decided] == [(sub.job, "held", "review")]
    assert s.complete("alive", second.scan_id, _record(), 1.0) is None  # finished once
    with s.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(verdicts)).scalar_one() == 1
        assert conn.execute(sa.select(scans.c.attempts, scans.c.status)).one() == (2, "done")
    # the same content again, same basis and key: decided at once from the stored verdict
    again = s.submit(name="lease2", version="1", publisher="p", blob=_blob(blobs, "lease"), source="t",
                     webhook=None, engine_key="k", actor="admin")
    assert (again.state, again.decision, again.queue_position) == ("held", "review", 0)


def test_recheck_adopts_versions_queued_under_an_older_engine_key(store: tuple[Store, BlobStore]) -> None:
    s, blobs = store
    old = s.submit(name="left", version="1", publisher="p", blob=_blob(blobs, "left"), source="t", webhook=None,
                   engine_key="old", actor="admin")
    assert s.claim("new-worker", "new", 5, 60) == []  # never claimed by a worker of another release
    assert s.stale("new") == [old.job]
    [scan_id] = s.requeue_for([old.job], "new", "admin", "r1")
    [claimed] = s.claim("new-worker", "new", 5, 60)
    assert claimed.scan_id == scan_id != old.scan_id
    decided = s.complete("new-worker", scan_id, _record(), 1.0)
    assert decided is not None and [(d.job, d.state) for d in decided] == [(old.job, "approved")]
    assert s.stale("new") == []
