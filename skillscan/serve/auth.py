"""Who is calling. Until the roles issue (per-user hashed tokens with scopes) there is one admin
token: it submits (on behalf of a named publisher) and starts re-checks; reads are public."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request


@dataclass(frozen=True)
class Principal:
    name: str
    roles: frozenset[str]


def load_or_create_token(data: Path, given: str | None) -> str:
    """The admin token: given, else DATA/admin-token (created 0600 with a random token)."""
    if given:
        return given
    path = data / "admin-token"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    token = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(token + "\n", encoding="utf-8")
    return token


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def require_admin(request: Request) -> Principal:
    token = bearer(request)
    if token is None:
        raise HTTPException(401, "an admin bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(token.encode(), request.app.state.settings.token.encode()):
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return Principal("admin", frozenset({"admin"}))
