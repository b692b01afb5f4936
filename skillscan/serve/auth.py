"""Who is calling: the bootstrap admin token (`--token`, else DATA/admin-token) or a stored bearer
token (skillscan/serve/tokens.py). No token is an anonymous reader of public (redacted) verdicts; a
forged, expired or revoked token is 401; a token without the scope an action needs is 403."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, Request

from skillscan.serve.tokens import ANONYMOUS, Principal, verify

ADMIN = Principal("admin", frozenset({"admin"}))


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


def principal_for(request: Request, token: str | None) -> Principal:
    if token is None:
        return ANONYMOUS
    if hmac.compare_digest(token.encode(), request.app.state.settings.token.encode()):
        return ADMIN
    found = verify(request.app.state.store.engine, token)
    if found is None:
        raise HTTPException(401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return found


def current(request: Request) -> Principal:
    return principal_for(request, bearer(request))


def require(scope: str) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        who = current(request)
        if who is ANONYMOUS:
            raise HTTPException(401, f"a bearer token with the {scope} scope is required",
                                headers={"WWW-Authenticate": "Bearer"})
        if not who.can(scope):
            raise HTTPException(403, f"this token lacks the {scope} scope")
        return who

    dependency.__name__ = f"require_{scope}"
    return dependency


require_admin = require("admin")
