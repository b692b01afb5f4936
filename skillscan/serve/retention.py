"""Retention: delete a version (its archive file is removed once no live version carries the same
content; its row, verdict and audit events stay), remove the archives of versions rejected more
than N days ago (`--retain-rejected-days`), and export a name's full record for its owner."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from skillscan.serve.blobs import BlobStore
from skillscan.serve.schema import appeals, blobs, events, versions, verdicts
from skillscan.serve.store import event

LIVE = ("queued", "scanned", "approved", "held")


def _remove_unused(conn: sa.Connection, store: BlobStore, sha256: str, actor: str, why: str) -> bool:
    """Remove the archive file if no live version (nor a rejected one still within retention, which
    the caller decides) carries it."""
    live = conn.execute(sa.select(sa.func.count()).select_from(versions).where(
        versions.c.sha256 == sha256, versions.c.state.in_(LIVE))).scalar_one()
    if live:
        return False
    row = conn.execute(sa.select(blobs.c.suffix, blobs.c.removed_at).where(blobs.c.sha256 == sha256)).one()
    if row.removed_at is not None:
        return False
    store.path(sha256, row.suffix).unlink(missing_ok=True)
    conn.execute(blobs.update().where(blobs.c.sha256 == sha256).values(removed_at=time.time()))
    event(conn, "blob.removed", actor=actor, sha256=sha256, reason=why)
    return True


def delete_version(engine: sa.Engine, store: BlobStore, job: str, actor: str, reason: str) -> dict[str, Any] | None:
    with engine.begin() as conn:
        v = conn.execute(sa.select(versions).where(versions.c.id == job)).mappings().first()
        if v is None:
            return None
        conn.execute(versions.update().where(versions.c.id == job).values(state="deleted", updated_at=time.time()))
        event(conn, "delete", version_id=job, actor=actor, reason=reason, before=v["state"], after="deleted")
        removed = _remove_unused(conn, store, v["sha256"], actor, f"version {v['name']}@{v['version']} deleted")
    return {"job": job, "state": "deleted", "before": v["state"], "blob_removed": removed}


def sweep_rejected(engine: sa.Engine, store: BlobStore, days: float, actor: str = "retention") -> list[str]:
    """Remove the archives of versions rejected more than `days` ago (0: never)."""
    if days <= 0:
        return []
    cutoff = time.time() - days * 86400
    removed = []
    with engine.begin() as conn:
        old = conn.execute(sa.select(versions.c.sha256).where(versions.c.state == "rejected",
                                                              versions.c.updated_at < cutoff).distinct()).scalars()
        for sha in list(old):
            if _remove_unused(conn, store, sha, actor, f"rejected more than {days:g} days ago"):
                removed.append(sha)
    return removed


def export(engine: sa.Engine, name: str) -> dict[str, Any]:
    """Everything kept about a name: its versions with their full verdict records, appeals and events."""
    with engine.connect() as conn:
        vs = conn.execute(sa.select(versions, verdicts.c.record, blobs.c.size, blobs.c.removed_at)
                          .select_from(versions.outerjoin(verdicts, verdicts.c.id == versions.c.verdict_id)
                                       .join(blobs, blobs.c.sha256 == versions.c.sha256))
                          .where(versions.c.name == name).order_by(versions.c.created_at)).mappings().all()
        ids = [v["id"] for v in vs]
        evs = conn.execute(sa.select(events).where(events.c.version_id.in_(ids)).order_by(events.c.id)).mappings().all()
        aps = conn.execute(sa.select(appeals).where(appeals.c.version_id.in_(ids)).order_by(appeals.c.id)).mappings().all()
    out = []
    for v in vs:
        out.append({
            "job": v["id"], "version": v["version"], "publisher": v["publisher"], "sha256": v["sha256"],
            "size": v["size"], "archive_removed_at": v["removed_at"], "source": v["source"], "state": v["state"],
            "decision": v["decision"], "submitted_at": v["created_at"], "updated_at": v["updated_at"],
            "verdict": json.loads(v["record"]) if v["record"] else None,
            "appeals": [{k: a[k] for k in ("id", "publisher", "message", "status", "decided_by", "reason",
                                           "created_at", "decided_at")} for a in aps if a["version_id"] == v["id"]],
            "events": [{"kind": e["kind"], "actor": e["actor"], "at": e["at"], "detail": json.loads(e["detail"])}
                       for e in evs if e["version_id"] == v["id"]],
        })
    return {"schema": "skillscan.serve.export/v1", "name": name, "exported_at": time.time(), "versions": out}

