"""Reads: job status, verdict records by job, digest and name@version, batch lookup, the latest
approved version, events, queue depth and counts for the metrics, re-check results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from skillscan.serve.schema import blobs, events, names, scans, verdicts, versions

MAX_BATCH = 100


def _job(conn: sa.Connection, v: Any) -> dict[str, Any]:
    from skillscan.serve.store import Store

    return {
        "job": v["id"], "name": v["name"], "version": v["version"], "publisher": v["publisher"],
        "sha256": v["sha256"], "source": v["source"], "state": v["state"], "decision": v["decision"],
        "queue_position": Store._position(conn, v["scan_id"]) if v["state"] == "queued" else 0,
        "submitted_at": v["created_at"], "updated_at": v["updated_at"],
        "links": {"self": f"/v1/jobs/{v['id']}", "verdict": f"/v1/jobs/{v['id']}/verdict"},
    }


class Queries:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def job(self, job: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(versions).where(versions.c.id == job)).mappings().first()
            return _job(conn, v) if v else None

    def job_for(self, name: str, version: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(versions).where(versions.c.name == name, versions.c.version == version)
                             ).mappings().first()
            return _job(conn, v) if v else None

    def owners_of_job(self, job: str) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(names.c.owner).join(versions, versions.c.name == names.c.name)
                                    .where(versions.c.id == job)).scalars())

    def owners_of_digest(self, digest: str) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(names.c.owner).join(versions, versions.c.name == names.c.name)
                                    .where(versions.c.sha256 == digest)).scalars())

    def versions_of(self, name: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(versions).where(versions.c.name == name)
                                .order_by(versions.c.created_at, versions.c.id)).mappings().all()
            return [_job(conn, v) for v in rows]

    def verdict_of_job(self, job: str) -> tuple[str | None, dict[str, Any] | None]:
        """(state, record): state None when the job does not exist, record None until it is decided."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(versions.c.state, verdicts.c.record)
                               .select_from(versions.outerjoin(verdicts, verdicts.c.id == versions.c.verdict_id))
                               .where(versions.c.id == job)).first()
        if row is None:
            return None, None
        return row.state, json.loads(row.record) if row.record else None

    def verdict_by_sha256(self, digest: str) -> dict[str, Any] | None:
        """The newest verdict for this content (the archive's sha256)."""
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(verdicts.c.record).where(verdicts.c.sha256 == digest)
                                .order_by(verdicts.c.id.desc()).limit(1)).scalar()
        return json.loads(text) if text else None

    def batch(self, digests: Sequence[str]) -> dict[str, Any]:
        """Per digest: the newest verdict's decision and digests, and the versions carrying it."""
        out: dict[str, Any] = {d: None for d in digests}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(verdicts.c.id, verdicts.c.sha256, verdicts.c.decision,
                                          verdicts.c.rules_digest, verdicts.c.policy_digest, verdicts.c.tool_version)
                                .where(verdicts.c.sha256.in_(list(digests))).order_by(verdicts.c.id)).all()
            for r in rows:  # ascending: the newest wins
                out[r.sha256] = {"decision": r.decision, "rules_digest": r.rules_digest,
                                 "policy_digest": r.policy_digest, "tool_version": r.tool_version,
                                 "verdict": f"/v1/verdicts/sha256/{r.sha256}", "versions": []}
            vrows = conn.execute(sa.select(versions.c.id, versions.c.name, versions.c.version, versions.c.state,
                                           versions.c.sha256).where(versions.c.sha256.in_(list(digests)))
                                 .order_by(versions.c.created_at)).all()
            for v in vrows:
                if out.get(v.sha256) is None:
                    out[v.sha256] = {"decision": None, "versions": []}
                out[v.sha256]["versions"].append({"job": v.id, "name": v.name, "version": v.version,
                                                  "state": v.state})
        return out

    def latest_approved(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(versions).where(versions.c.name == name, versions.c.state == "approved")
                             .order_by(versions.c.created_at.desc(), versions.c.id.desc()).limit(1)
                             ).mappings().first()
            return _job(conn, v) if v else None

    def events(self, job: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(events).where(events.c.version_id == job).order_by(events.c.id)).mappings()
            return [{"kind": e["kind"], "actor": e["actor"], "at": e["at"], "detail": json.loads(e["detail"])}
                    for e in rows]

    def scan_events(self, scan_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(events).where(events.c.scan_id == scan_id).order_by(events.c.id)).mappings()
            return [{"kind": e["kind"], "actor": e["actor"], "version_id": e["version_id"],
                     "detail": json.loads(e["detail"])} for e in rows]

    def queue_depth(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(scans.c.status, sa.func.count()).group_by(scans.c.status)).all()
        counts = {"queued": 0, "running": 0, "done": 0}
        counts.update({r[0]: int(r[1]) for r in rows})
        return counts

    def decisions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(verdicts.c.decision, sa.func.count()).group_by(verdicts.c.decision)).all()
        return {r[0]: int(r[1]) for r in rows}

    def states(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(versions.c.state, sa.func.count()).group_by(versions.c.state)).all()
        return {r[0]: int(r[1]) for r in rows}

    def blob_bytes(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(blobs.c.size), 0))).scalar_one())

    def recheck(self, recheck: str) -> dict[str, Any]:
        """A re-check's progress and the verdicts it changed (`before` → `after`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(events.c.version_id, events.c.detail)
                                .where(events.c.kind == "recheck").order_by(events.c.id)).all()
            mine = {r.version_id: json.loads(r.detail) for r in rows if json.loads(r.detail).get("recheck") == recheck}
            if not mine:
                return {"recheck": recheck, "versions": 0, "pending": 0, "changed": []}
            vs = conn.execute(sa.select(versions.c.id, versions.c.name, versions.c.version, versions.c.sha256,
                                        versions.c.decision, versions.c.state, scans.c.status)
                              .join(scans, scans.c.id == versions.c.scan_id)
                              .where(versions.c.id.in_(list(mine)))).all()
        pending = sum(1 for v in vs if v.status != "done")
        changed = []
        for v in sorted(vs, key=lambda v: (v.name, v.version)):
            before = mine[v.id].get("before")
            if v.status == "done" and before != v.decision:
                changed.append({"job": v.id, "name": v.name, "version": v.version, "sha256": v.sha256,
                                "before": before, "after": v.decision, "state": v.state,
                                "change": _change(before, v.decision)})
        return {"recheck": recheck, "versions": len(vs), "pending": pending, "changed": changed}


def _change(before: str | None, after: str | None) -> str:
    rank = {"allow": 0, "review": 1, "block": 2, "error": 3}
    if before is None:
        return "first decision"  # a version that was still queued under the old rules or policy
    if after == "block":
        return "newly blocked"
    if after == "allow":
        return "newly allowed"
    return "stricter" if rank.get(after or "", 0) > rank.get(before or "", 0) else "looser"
