"""Bearer tokens: `sst_<id>_<secret>`. Only the sha256 of the secret is stored; a token has a
subject (the publisher's or moderator's name), scopes and an optional expiry, and can be revoked.

Scopes: `publisher` (submit under its own names; full evidence for its own packages; appeals),
`reader` (public verdicts: evidence reduced to rule ids and file:line), `moderator` (full
evidence; hold, release, override, decide appeals — each with a reason), `admin` (tokens, and
everything else). The bootstrap admin token of `--token` / DATA/admin-token is always admin."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from skillscan.serve.schema import tokens
from skillscan.serve.store import event

SCOPES = ("publisher", "reader", "moderator", "admin")
PREFIX = "sst_"


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str]
    token_id: str | None = None

    def can(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    @property
    def sees_everything(self) -> bool:
        return self.can("moderator")


ANONYMOUS = Principal("anonymous", frozenset())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(engine: sa.Engine, *, subject: str, scopes: list[str], actor: str,
           expires_in: float | None) -> tuple[str, dict[str, Any]]:
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    tid, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    now = time.time()
    row = {"id": tid, "secret_sha256": _digest(secret), "subject": subject, "scopes": ",".join(sorted(set(scopes))),
           "created_by": actor, "created_at": now, "expires_at": now + expires_in if expires_in else None,
           "revoked_at": None}
    with engine.begin() as conn:
        conn.execute(tokens.insert().values(**row))
        event(conn, "token.created", actor=actor, token=tid, subject=subject, scopes=row["scopes"],
              expires_at=row["expires_at"])
    return f"{PREFIX}{tid}_{secret}", public(row)


def public(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "subject": row["subject"], "scopes": row["scopes"].split(","),
            "created_by": row["created_by"], "created_at": row["created_at"], "expires_at": row["expires_at"],
            "revoked_at": row["revoked_at"]}


def verify(engine: sa.Engine, token: str) -> Principal | None:
    """The principal of a valid token; None for a forged, unknown, expired or revoked one."""
    if not token.startswith(PREFIX) or token.count("_") < 2:
        return None
    tid, _, secret = token[len(PREFIX):].partition("_")
    with engine.connect() as conn:
        row = conn.execute(sa.select(tokens).where(tokens.c.id == tid)).mappings().first()
    if row is None or not hmac.compare_digest(row["secret_sha256"], _digest(secret)):
        return None
    if row["revoked_at"] is not None or (row["expires_at"] is not None and row["expires_at"] <= time.time()):
        return None
    return Principal(row["subject"], frozenset(row["scopes"].split(",")), tid)


def listing(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [public(r) for r in conn.execute(sa.select(tokens).order_by(tokens.c.created_at)).mappings()]


def revoke(engine: sa.Engine, tid: str, actor: str) -> bool:
    with engine.begin() as conn:
        done = conn.execute(tokens.update().where(tokens.c.id == tid, tokens.c.revoked_at.is_(None))
                            .values(revoked_at=time.time())).rowcount
        if done:
            event(conn, "token.revoked", actor=actor, token=tid)
    return bool(done)
