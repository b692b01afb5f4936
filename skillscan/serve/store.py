"""The store: submissions, the scan queue and verdicts, through SQLAlchemy Core (one code path for
SQLite and PostgreSQL). Reads are in skillscan/serve/queries.py.

A version (name@version, the job the API hands out) is linked to a scan keyed by its content, its
drift basis (the sha256 of the name's last approved version when it was submitted) and the engine
key (tool version, rules digest, policy digest): identical content with the same basis is scanned
once per rules-and-policy version, however many versions or submissions carry it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from skillscan.serve.blobs import Blob
from skillscan.serve.schema import blobs, events, findings, names, scans, verdicts, versions

STATE_FOR = {"allow": "approved", "review": "held", "block": "rejected", "error": "held"}
FINAL_STATES = ("approved", "held", "rejected")


class Conflict(Exception):
    """409: the name@version exists with other content."""


class Forbidden(Exception):
    """403: the name belongs to another publisher."""


@dataclass(frozen=True)
class Submitted:
    job: str
    state: str
    decision: str | None
    scan_id: int
    queue_position: int
    existing: bool  # the same name@version with the same content was submitted before


@dataclass(frozen=True)
class Claimed:
    scan_id: int
    sha256: str
    suffix: str
    basis_record: dict[str, Any] | None  # the previous approved version's verdict record
    requeued_from: str | None  # the dead worker whose lease expired


@dataclass(frozen=True)
class Decided:
    job: str
    name: str
    version: str
    sha256: str
    state: str
    decision: str
    webhook: str | None
    before: str | None  # the decision before a re-check


def insert_ignore(conn: sa.Connection, table: sa.Table, values: dict[str, Any], keys: Sequence[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys)))


def event(conn: sa.Connection, kind: str, *, version_id: str | None = None, scan_id: int | None = None,
          actor: str = "system", **detail: Any) -> None:
    conn.execute(events.insert().values(version_id=version_id, scan_id=scan_id, kind=kind, actor=actor,
                                        detail=json.dumps(detail, sort_keys=True), at=time.time()))


class Store:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- submission -------------------------------------------------------------------------------

    def submit(self, *, name: str, version: str, publisher: str, blob: Blob, source: str, webhook: str | None,
               engine_key: str, actor: str) -> Submitted:
        now = time.time()
        with self.engine.begin() as conn:
            insert_ignore(conn, names, {"name": name, "owner": publisher, "created_at": now}, ["name"])
            owner = conn.execute(sa.select(names.c.owner).where(names.c.name == name)).scalar_one()
            if owner != publisher:
                raise Forbidden(f"the name {name!r} belongs to another publisher")
            insert_ignore(conn, blobs, {"sha256": blob.sha256, "size": blob.size, "suffix": blob.suffix,
                                        "created_at": now}, ["sha256"])
            row = conn.execute(sa.select(versions).where(versions.c.name == name,
                                                         versions.c.version == version)).mappings().first()
            if row is not None:
                if row["sha256"] != blob.sha256:
                    raise Conflict(f"{name}@{version} was already submitted with other content")
                return Submitted(row["id"], row["state"], row["decision"], row["scan_id"],
                                 self._position(conn, row["scan_id"]), True)
            basis = conn.execute(
                sa.select(versions.c.sha256, versions.c.verdict_id)
                .where(versions.c.name == name, versions.c.state == "approved")
                .order_by(versions.c.created_at.desc(), versions.c.id.desc()).limit(1)).first()
            insert_ignore(conn, scans, {"sha256": blob.sha256, "basis": basis[0] if basis else "",
                                        "basis_verdict": basis[1] if basis else None, "engine_key": engine_key,
                                        "status": "queued", "attempts": 0, "created_at": now},
                          ["sha256", "basis", "engine_key"])
            scan = conn.execute(sa.select(scans.c.id, scans.c.status).where(
                scans.c.sha256 == blob.sha256, scans.c.basis == (basis[0] if basis else ""),
                scans.c.engine_key == engine_key)).one()
            job = uuid.uuid4().hex
            conn.execute(versions.insert().values(
                id=job, name=name, version=version, publisher=publisher, sha256=blob.sha256, source=source,
                state="queued", decision=None, scan_id=scan.id, verdict_id=None, webhook=webhook,
                created_at=now, updated_at=now))
            event(conn, "submitted", version_id=job, scan_id=scan.id, actor=actor, sha256=blob.sha256,
                  source=source, basis=basis[0] if basis else None)
            state, decision = "queued", None
            if scan.status == "done":  # identical content already judged under these rules and policy
                verdict = conn.execute(sa.select(verdicts.c.id, verdicts.c.decision)
                                       .where(verdicts.c.scan_id == scan.id)).one()
                event(conn, "reused", version_id=job, scan_id=scan.id, verdict=verdict.id)
                decided = self._decide(conn, scan.id, verdict.id, verdict.decision, only=job)
                state, decision = decided[0].state, decision_of(decided[0])
            return Submitted(job, state, decision, scan.id, self._position(conn, scan.id), False)

    @staticmethod
    def _position(conn: sa.Connection, scan_id: int) -> int:
        """1 + the queued scans ahead of this one; 0 once a worker holds it or it is done."""
        status = conn.execute(sa.select(scans.c.status).where(scans.c.id == scan_id)).scalar_one()
        if status != "queued":
            return 0
        return int(conn.execute(sa.select(sa.func.count()).select_from(scans).where(
            scans.c.status == "queued", scans.c.id <= scan_id)).scalar_one())

    # -- the queue --------------------------------------------------------------------------------

    def claim(self, worker: str, engine_key: str, batch: int, lease: float) -> list[Claimed]:
        """Lease up to `batch` queued scans (or running ones whose lease expired). PostgreSQL skips
        rows other workers hold (FOR UPDATE SKIP LOCKED); SQLite's transactions begin IMMEDIATE, so
        one claim at a time."""
        now = time.time()
        with self.engine.begin() as conn:
            q = (sa.select(scans.c.id, scans.c.sha256, scans.c.basis_verdict, scans.c.status, scans.c.lease_owner,
                           blobs.c.suffix)
                 .join(blobs, blobs.c.sha256 == scans.c.sha256)
                 .where(scans.c.engine_key == engine_key, blobs.c.removed_at.is_(None),
                        sa.or_(scans.c.status == "queued",
                               sa.and_(scans.c.status == "running", scans.c.lease_expires < now)))
                 .order_by(scans.c.id).limit(batch))
            if conn.dialect.name == "postgresql":
                q = q.with_for_update(of=scans, skip_locked=True)
            rows = conn.execute(q).all()
            if not rows:
                return []
            conn.execute(scans.update().where(scans.c.id.in_([r.id for r in rows])).values(
                status="running", lease_owner=worker, lease_expires=now + lease, started_at=now,
                attempts=scans.c.attempts + 1))
            out = []
            for r in rows:
                requeued = r.lease_owner if r.status == "running" else None
                event(conn, "requeued" if requeued else "claimed", scan_id=r.id, actor=worker,
                      **({"dead_worker": requeued} if requeued else {}))
                record = None
                if r.basis_verdict is not None:
                    text = conn.execute(sa.select(verdicts.c.record).where(verdicts.c.id == r.basis_verdict)).scalar()
                    record = json.loads(text) if text else None
                out.append(Claimed(r.id, r.sha256, r.suffix, record, requeued))
            return out

    def renew(self, worker: str, scan_ids: Sequence[int], lease: float) -> int:
        with self.engine.begin() as conn:
            return conn.execute(scans.update().where(scans.c.id.in_(list(scan_ids)), scans.c.lease_owner == worker,
                                                     scans.c.status == "running")
                                .values(lease_expires=time.time() + lease)).rowcount

    def release(self, worker: str, scan_ids: Sequence[int], error: str) -> None:
        """Put scans back in the queue after a failed run."""
        with self.engine.begin() as conn:
            conn.execute(scans.update().where(scans.c.id.in_(list(scan_ids)), scans.c.lease_owner == worker,
                                              scans.c.status == "running")
                         .values(status="queued", lease_owner=None, lease_expires=None))
            for sid in scan_ids:
                event(conn, "released", scan_id=sid, actor=worker, error=error[:2000])

    def attempts(self, scan_id: int) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(scans.c.attempts).where(scans.c.id == scan_id)).scalar_one())

    def all_done(self, scan_ids: set[int]) -> bool:
        with self.engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(scans).where(
                scans.c.id.in_(list(scan_ids)), scans.c.status != "done")).scalar_one()
        return int(n) == 0

    def complete(self, worker: str, scan_id: int, record: dict[str, Any], seconds: float) -> list[Decided] | None:
        """Store a finished scan's verdict and decide its versions — only if this worker still holds
        the lease (a worker that lost it to a re-queue writes nothing: each scan is finished once)."""
        now = time.time()
        with self.engine.begin() as conn:
            held = conn.execute(scans.update().where(scans.c.id == scan_id, scans.c.lease_owner == worker,
                                                     scans.c.status == "running")
                                .values(status="done", finished_at=now, lease_expires=None)).rowcount
            if held != 1:
                return None
            sha = conn.execute(sa.select(scans.c.sha256, scans.c.engine_key).where(scans.c.id == scan_id)).one()
            verdict_id = conn.execute(verdicts.insert().values(
                scan_id=scan_id, sha256=sha.sha256, decision=record["decision"],
                tool_version=str(record["tool"]["version"]), rules_digest=str(record["rules"]["digest"]),
                policy_digest=str(record["policy"]["digest"]), engine_key=sha.engine_key,
                record=json.dumps(record, sort_keys=True), seconds=seconds, created_at=now)).inserted_primary_key[0]
            rows = [{"verdict_id": verdict_id, "rule_id": f["rule_id"], "severity": f["severity"], "path": f["path"],
                     "line": int(f.get("line") or 0), "fingerprint": str(f.get("fingerprint", ""))}
                    for p in record["packages"] for f in p["findings"]]
            if rows:
                conn.execute(findings.insert(), rows)
            event(conn, "scanned", scan_id=scan_id, actor=worker, decision=record["decision"], seconds=seconds)
            return self._decide(conn, scan_id, int(verdict_id), record["decision"])

    def _decide(self, conn: sa.Connection, scan_id: int, verdict_id: int, decision: str,
                only: str | None = None) -> list[Decided]:
        q = sa.select(versions).where(versions.c.scan_id == scan_id)
        if only is not None:
            q = q.where(versions.c.id == only)
        out = []
        now = time.time()
        state = STATE_FOR[decision]
        for v in conn.execute(q).mappings().all():
            if v["verdict_id"] == verdict_id:
                continue
            # a moderator's decision stands: a re-check updates the gate's decision beside it, not the state
            kept = v["state"] if v["moderated"] else state
            conn.execute(versions.update().where(versions.c.id == v["id"]).values(
                state=kept, decision=decision, verdict_id=verdict_id, updated_at=now))
            before = v["decision"]
            event(conn, "scanned", version_id=v["id"], scan_id=scan_id, decision=decision, verdict=verdict_id)
            if not v["moderated"]:
                event(conn, state, version_id=v["id"], scan_id=scan_id,
                      reason=f"the gate's decision is {decision}", **({"before": before} if before else {}))
            out.append(Decided(v["id"], v["name"], v["version"], v["sha256"], kept, decision, v["webhook"], before))
        return out

    # -- re-check ---------------------------------------------------------------------------------

    def stale(self, engine_key: str) -> list[str]:
        """Decided versions whose verdict came from other rules, policy or tool — and queued versions
        whose scan waits under another engine key (left by workers of an older release, which no
        worker of this one claims)."""
        with self.engine.connect() as conn:
            # a deleted version, or one whose archive retention removed, cannot be scanned again
            decided = conn.execute(sa.select(versions.c.id, versions.c.created_at)
                                   .join(verdicts, verdicts.c.id == versions.c.verdict_id)
                                   .join(blobs, blobs.c.sha256 == versions.c.sha256)
                                   .where(verdicts.c.engine_key != engine_key, versions.c.state != "deleted",
                                          blobs.c.removed_at.is_(None))).all()
            waiting = conn.execute(sa.select(versions.c.id, versions.c.created_at)
                                   .join(scans, scans.c.id == versions.c.scan_id)
                                   .where(versions.c.state == "queued", scans.c.engine_key != engine_key,
                                          scans.c.status == "queued")).all()
        return [r.id for r in sorted({*decided, *waiting}, key=lambda r: (r.created_at, r.id))]

    def requeue_for(self, version_ids: Sequence[str], engine_key: str, actor: str, recheck: str) -> list[int]:
        """Link each version to a scan of its content under the current engine key (same drift basis);
        the scans are queued unless already done. Returns the scan ids."""
        now = time.time()
        out: set[int] = set()
        with self.engine.begin() as conn:
            for vid in version_ids:
                v = conn.execute(sa.select(versions.c.sha256, versions.c.decision, scans.c.basis, scans.c.basis_verdict)
                                 .join(scans, scans.c.id == versions.c.scan_id).where(versions.c.id == vid)).one()
                insert_ignore(conn, scans, {"sha256": v.sha256, "basis": v.basis, "basis_verdict": v.basis_verdict,
                                            "engine_key": engine_key, "status": "queued", "attempts": 0,
                                            "created_at": now}, ["sha256", "basis", "engine_key"])
                sid = conn.execute(sa.select(scans.c.id).where(scans.c.sha256 == v.sha256, scans.c.basis == v.basis,
                                                               scans.c.engine_key == engine_key)).scalar_one()
                conn.execute(versions.update().where(versions.c.id == vid).values(scan_id=sid, updated_at=now))
                event(conn, "recheck", version_id=vid, scan_id=sid, actor=actor, recheck=recheck, before=v.decision)
                out.add(sid)
            for sid in out:  # a scan already done under the current key decides its newly linked versions
                done = conn.execute(sa.select(verdicts.c.id, verdicts.c.decision).where(verdicts.c.scan_id == sid)).first()
                if done is not None:
                    self._decide(conn, sid, done.id, done.decision)
        return sorted(out)


def decision_of(d: Decided) -> str:
    return d.decision


def new_worker_id() -> str:
    return uuid.uuid4().hex[:16]

