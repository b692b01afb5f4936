"""The store's tables (SQLAlchemy Core). Alembic migrations under skillscan/serve/migrations create
them; tests/test_serve_store.py checks that the migrated schema matches this metadata.

- names: a package name and the publisher that first published it (it owns the name)
- blobs: archives by sha256, the bytes in the data directory's blob folder
- scans: the queue — one row per (content, drift basis, engine key); workers lease them in batches
- verdicts: the verdict record a finished scan produced (one per scan)
- findings: the verdict's findings, one row each, for queries
- versions: a submitted name@version (the job the API hands out), linked to its scan and verdict
- events: what happened to a version (queued, claimed, requeued, scanned, decided, webhook, recheck)
  and every change people make (tokens, holds, releases, overrides, appeals): the audit log
- tokens: bearer tokens, stored as sha256 of their secret, with scopes and expiry (migration 0002)
- appeals: a publisher's appeal of a held or rejected version and the moderator's decision
A deleted version keeps its row, verdict and events (state `deleted`); its archive file is removed
once no other live version carries the same content (blobs.removed_at).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

names = sa.Table(
    "names", metadata,
    sa.Column("name", sa.String(214), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

blobs = sa.Table(
    "blobs", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("suffix", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("removed_at", sa.Float, nullable=True),  # the file was deleted (retention); records stay
)

scans = sa.Table(
    "scans", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    sa.Column("basis", sa.String(64), nullable=False),  # the previous approved version's sha256, or ""
    sa.Column("basis_verdict", sa.Integer, nullable=True),  # that version's verdict (compared with)
    sa.Column("engine_key", sa.String(64), nullable=False),  # tool version, rules and policy digests
    sa.Column("status", sa.String(16), nullable=False),  # queued | running | done
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires", sa.Float, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("started_at", sa.Float, nullable=True),
    sa.Column("finished_at", sa.Float, nullable=True),
    sa.UniqueConstraint("sha256", "basis", "engine_key", name="uq_scans_content"),
    sa.Index("ix_scans_status", "status", "id"),
)

verdicts = sa.Table(
    "verdicts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("tool_version", sa.String(32), nullable=False),
    sa.Column("rules_digest", sa.String(64), nullable=False),
    sa.Column("policy_digest", sa.String(64), nullable=False),
    sa.Column("engine_key", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # the verdict record (skillscan.verdict/v1) as JSON
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

findings = sa.Table(
    "findings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("verdict_id", sa.Integer, sa.ForeignKey("verdicts.id"), nullable=False, index=True),
    sa.Column("rule_id", sa.String(128), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
)

versions = sa.Table(
    "versions", metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # the job id
    sa.Column("name", sa.String(214), sa.ForeignKey("names.name"), nullable=False),
    sa.Column("version", sa.String(128), nullable=False),
    sa.Column("publisher", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),  # "upload:<filename>" or the remote reference
    sa.Column("state", sa.String(16), nullable=False),  # queued | scanned | approved | held | rejected
    sa.Column("decision", sa.String(16), nullable=True),  # the gate's decision
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), nullable=False),
    sa.Column("verdict_id", sa.Integer, sa.ForeignKey("verdicts.id"), nullable=True),
    sa.Column("webhook", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    # a moderator decided this version's state: a re-check updates its decision, not its state
    sa.Column("moderated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("name", "version", name="uq_versions_name_version"),
    sa.Index("ix_versions_scan", "scan_id"),
    sa.Index("ix_versions_name_state", "name", "state"),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.String(32), nullable=True, index=True),
    sa.Column("scan_id", sa.Integer, nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON
    sa.Column("at", sa.Float, nullable=False),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # public part of the token
    sa.Column("secret_sha256", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),  # who: a publisher's or a moderator's name
    sa.Column("scopes", sa.String(200), nullable=False),  # comma-separated: publisher,reader,moderator,admin
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=True),
    sa.Column("revoked_at", sa.Float, nullable=True),
)

appeals = sa.Table(
    "appeals", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.String(32), sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("publisher", sa.String(200), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open | granted | denied
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("decided_at", sa.Float, nullable=True),
)

sessions = sa.Table(
    "sessions", metadata,  # the moderation page's sign-ins
    sa.Column("id_sha256", sa.String(64), primary_key=True),  # sha256 of the cookie's value
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("scopes", sa.String(200), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
