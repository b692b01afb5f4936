"""The service's settings (command line → here) and the engine key: the tool version, rules digest
and policy digest a verdict was made under. Workers only claim scans of their own key, so during a
rolling upgrade old and new workers never judge each other's queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    data: Path
    database: str  # SQLAlchemy URL
    token: str  # the admin token (issue 22 brings per-user tokens and roles)
    policy: str | None = None  # gate policy file (default: the shipped policy)
    max_upload: int = 50 * MB
    rate_limit: int = 60  # submissions per client per minute (0: unlimited)
    batch: int = 32  # scans a worker claims at once (one pipeline run)
    lease: float = 300.0  # seconds a claim lasts without renewal
    poll: float = 0.5  # seconds an idle worker waits before looking again
    jobs: int = 0  # pipeline processes per worker run (0: one per core)
    max_attempts: int = 3  # runs of a scan that failed before it is recorded as an error verdict
    webhook_timeout: float = 5.0
    retain_rejected_days: float = 0.0  # remove archives of versions rejected longer ago (0: keep them)

    @property
    def blob_dir(self) -> Path:
        return self.data / "blobs"


@dataclass(frozen=True)
class EngineKey:
    key: str
    tool_version: str
    rules_digest: str
    policy_digest: str


@lru_cache(maxsize=4)
def engine_key(policy: str | None) -> EngineKey:
    from skillscan import __version__
    from skillscan.catalog import get_catalog
    from skillscan.policy import load_policy

    rules = get_catalog().digest
    pol = load_policy(policy).digest
    key = hashlib.sha256(f"{__version__}\0{rules}\0{pol}".encode()).hexdigest()
    return EngineKey(key, __version__, rules, pol)
