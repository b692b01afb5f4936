"""What moderators and publishers do to a version, each an audit event with who, when, what and
why: hold, release, override (a moderator, with a reason), appeal (the name's publisher, with a
message, for a held or rejected version) and the appeal's decision (a moderator, with a reason)."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from skillscan.serve.schema import appeals, events, names, versions
from skillscan.serve.store import event

ACTIONS = {"hold": "held", "release": "approved", "reject": "rejected"}


class NotFound(Exception):
    pass


class Refused(Exception):
    """409: the action does not apply to the version's state."""


def _version(conn: sa.Connection, job: str) -> Any:
    v = conn.execute(sa.select(versions).where(versions.c.id == job)).mappings().first()
    if v is None:
        raise NotFound("no such job")
    return v


def owner(engine: sa.Engine, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(names.c.owner).where(names.c.name == name)).scalar()


def moderate(engine: sa.Engine, job: str, action: str, reason: str, actor: str) -> dict[str, Any]:
    """hold → held, release → approved, reject → rejected (an override of the gate's decision when
    it differs from what the decision gave)."""
    state = ACTIONS[action]
    with engine.begin() as conn:
        v = _version(conn, job)
        if v["state"] == "queued":
            raise Refused("the version is not scanned yet")
        if v["state"] == "deleted":
            raise Refused("the version was deleted")
        conn.execute(versions.update().where(versions.c.id == job).values(state=state, moderated=True,
                                                                          updated_at=time.time()))
        event(conn, action, version_id=job, actor=actor, reason=reason, before=v["state"], after=state,
              decision=v["decision"])
    return {"job": job, "state": state, "before": v["state"]}


def appeal(engine: sa.Engine, job: str, publisher: str, message: str) -> dict[str, Any]:
    with engine.begin() as conn:
        v = _version(conn, job)
        if v["state"] not in ("held", "rejected"):
            raise Refused(f"only a held or rejected version can be appealed (state: {v['state']})")
        now = time.time()
        aid = conn.execute(appeals.insert().values(version_id=job, publisher=publisher, message=message,
                                                   status="open", created_at=now)).inserted_primary_key[0]
        event(conn, "appeal", version_id=job, actor=publisher, appeal=aid, message=message)
    return {"appeal": aid, "job": job, "status": "open"}


def decide_appeal(engine: sa.Engine, appeal_id: int, grant: bool, reason: str, actor: str) -> dict[str, Any]:
    with engine.begin() as conn:
        a = conn.execute(sa.select(appeals).where(appeals.c.id == appeal_id)).mappings().first()
        if a is None:
            raise NotFound("no such appeal")
        if a["status"] != "open":
            raise Refused(f"the appeal was already {a['status']}")
        status = "granted" if grant else "denied"
        now = time.time()
        conn.execute(appeals.update().where(appeals.c.id == appeal_id).values(status=status, decided_by=actor,
                                                                              reason=reason, decided_at=now))
        v = _version(conn, a["version_id"])
        if grant and v["state"] == "deleted":
            raise Refused("the version was deleted")
        after = v["state"]
        if grant:
            after = "approved"
            conn.execute(versions.update().where(versions.c.id == v["id"]).values(state=after, moderated=True,
                                                                                  updated_at=now))
        event(conn, f"appeal.{status}", version_id=v["id"], actor=actor, appeal=appeal_id, reason=reason,
              before=v["state"], after=after)
    return {"appeal": appeal_id, "status": status, "job": v["id"], "state": after}


def list_appeals(engine: sa.Engine, status: str | None = None) -> list[dict[str, Any]]:
    q = sa.select(appeals, versions.c.name, versions.c.version).join(versions, versions.c.id == appeals.c.version_id)
    if status:
        q = q.where(appeals.c.status == status)
    with engine.connect() as conn:
        return [{"appeal": r["id"], "job": r["version_id"], "name": r["name"], "version": r["version"],
                 "publisher": r["publisher"], "message": r["message"], "status": r["status"],
                 "decided_by": r["decided_by"], "reason": r["reason"], "created_at": r["created_at"],
                 "decided_at": r["decided_at"]} for r in conn.execute(q.order_by(appeals.c.id)).mappings()]


PEOPLE = ("token.created", "token.revoked", "hold", "release", "reject", "appeal", "appeal.granted",
          "appeal.denied", "submitted", "recheck", "delete", "blob.removed")


def audit(engine: sa.Engine, job: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Changes people made (newest first): who, when, what, why."""
    q = sa.select(events).where(events.c.kind.in_(PEOPLE))
    if job:
        q = q.where(events.c.version_id == job)
    with engine.connect() as conn:
        rows = conn.execute(q.order_by(events.c.id.desc()).limit(limit)).mappings().all()
    return [{"id": r["id"], "at": r["at"], "actor": r["actor"], "kind": r["kind"], "job": r["version_id"],
             "detail": json.loads(r["detail"])} for r in rows]
