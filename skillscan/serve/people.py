"""Routes for people (the roles issue): tokens (admin), moderation — hold, release, reject, each
with a reason — appeals (the name's publisher) and their decisions (moderators), and the audit log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field

from skillscan.serve import moderation, tokens
from skillscan.serve.auth import current, require
from skillscan.serve.tokens import Principal

Admin = Annotated[Principal, Depends(require("admin"))]
Moderator = Annotated[Principal, Depends(require("moderator"))]
Publisher = Annotated[Principal, Depends(require("publisher"))]
Who = Annotated[Principal, Depends(current)]


class TokenRequest(BaseModel):
    subject: str = Field(min_length=1, max_length=200, description="The publisher's or moderator's name")
    scopes: list[Literal["publisher", "reader", "moderator", "admin"]] = Field(min_length=1)
    expires_in_days: float | None = Field(default=None, gt=0, description="None: no expiry")


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=4000, description="Why (kept in the audit log)")


class AppealRequest(BaseModel):
    message: str = Field(min_length=1, max_length=8000)


class AppealDecision(BaseModel):
    grant: bool = Field(description="true: the version is approved; false: it stays as it is")
    reason: str = Field(min_length=1, max_length=4000)


def _engine(request: Request) -> Any:
    return request.app.state.store.engine


def add_people_routes(app: FastAPI) -> None:  # noqa: C901 - the route table
    @app.get("/v1/whoami", tags=["people"])
    def whoami(who: Who) -> dict[str, Any]:
        """The caller's name and scopes (anonymous without a token)."""
        return {"name": who.name, "scopes": sorted(who.scopes)}

    @app.post("/v1/tokens", status_code=201, tags=["people"], responses={401: {}, 403: {}})
    def create_token(request: Request, who: Admin, body: Annotated[TokenRequest, Body()]) -> dict[str, Any]:
        """Create a bearer token; the secret is shown once (only its sha256 is stored)."""
        expires = body.expires_in_days * 86400 if body.expires_in_days else None
        token, row = tokens.create(_engine(request), subject=body.subject, scopes=list(body.scopes), actor=who.name,
                                   expires_in=expires)
        return {"token": token, **row}

    @app.get("/v1/tokens", tags=["people"], responses={401: {}, 403: {}})
    def list_tokens(request: Request, who: Admin) -> list[dict[str, Any]]:
        """Every token (never a secret)."""
        return tokens.listing(_engine(request))

    @app.delete("/v1/tokens/{token_id}", status_code=204, tags=["people"], responses={404: {}})
    def revoke_token(request: Request, token_id: str, who: Admin) -> Response:
        """Revoke a token."""
        if not tokens.revoke(_engine(request), token_id, who.name):
            raise HTTPException(404, "no such active token")
        return Response(status_code=204)

    def _moderate(action: str) -> Any:
        def act(request: Request, job: str, who: Moderator, body: Annotated[Reason, Body()]) -> dict[str, Any]:
            try:
                return moderation.moderate(_engine(request), job, action, body.reason, who.name)
            except moderation.NotFound as exc:
                raise HTTPException(404, str(exc)) from None
            except moderation.Refused as exc:
                raise HTTPException(409, str(exc)) from None

        act.__name__ = f"{action}_version"
        act.__doc__ = {"hold": "Hold a version (state held), with a reason.",
                       "release": "Release a version (state approved), with a reason.",
                       "reject": "Reject a version (state rejected), with a reason."}[action]
        return act

    for action in moderation.ACTIONS:
        app.post(f"/v1/jobs/{{job}}/{action}", tags=["moderation"], responses={401: {}, 403: {}, 404: {}, 409: {}})(
            _moderate(action))

    @app.post("/v1/jobs/{job}/appeals", status_code=201, tags=["moderation"],
              responses={401: {}, 403: {}, 404: {}, 409: {}})
    def appeal(request: Request, job: str, who: Publisher, body: Annotated[AppealRequest, Body()]) -> dict[str, Any]:
        """The name's publisher appeals a held or rejected version, with a message."""
        found = request.app.state.queries.job(job)
        if found is None:
            raise HTTPException(404, "no such job")
        if not who.can("admin") and moderation.owner(_engine(request), found["name"]) != who.name:
            raise HTTPException(403, "only the name's publisher can appeal")
        try:
            return moderation.appeal(_engine(request), job, who.name, body.message)
        except moderation.Refused as exc:
            raise HTTPException(409, str(exc)) from None

    @app.get("/v1/appeals", tags=["moderation"], responses={401: {}, 403: {}})
    def appeals(request: Request, who: Moderator, status: Literal["open", "granted", "denied"] | None = None
                ) -> list[dict[str, Any]]:
        """Appeals, oldest first."""
        return moderation.list_appeals(_engine(request), status)

    @app.post("/v1/appeals/{appeal_id}/decision", tags=["moderation"], responses={401: {}, 403: {}, 404: {}, 409: {}})
    def decide(request: Request, appeal_id: int, who: Moderator,
               body: Annotated[AppealDecision, Body()]) -> dict[str, Any]:
        """Grant (the version is approved) or deny an appeal, with a reason."""
        try:
            return moderation.decide_appeal(_engine(request), appeal_id, body.grant, body.reason, who.name)
        except moderation.NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except moderation.Refused as exc:
            raise HTTPException(409, str(exc)) from None

    def _owner_or_moderator(request: Request, who: Principal, name: str) -> None:
        if not who.scopes:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        if who.sees_everything:
            return
        if who.can("publisher") and moderation.owner(_engine(request), name) == who.name:
            return
        raise HTTPException(403, "only the name's publisher or a moderator may do this")

    @app.post("/v1/jobs/{job}/delete", tags=["retention"], responses={401: {}, 403: {}, 404: {}})
    def delete_version(request: Request, job: str, who: Who, body: Annotated[Reason, Body()]) -> dict[str, Any]:
        """Delete a version (the name's publisher or a moderator, with a reason): its archive is removed
        once no live version carries the same content; its record, verdict and audit events stay."""
        from skillscan.serve.retention import delete_version as delete

        found = request.app.state.queries.job(job)
        if found is None:
            raise HTTPException(404, "no such job")
        _owner_or_moderator(request, who, found["name"])
        done = delete(_engine(request), request.app.state.blobs, job, who.name, body.reason)
        if done is None:
            raise HTTPException(404, "no such job")
        return done

    @app.get("/v1/packages/{name}/export", tags=["retention"], responses={401: {}, 403: {}, 404: {}})
    def export(request: Request, name: str, who: Who) -> dict[str, Any]:
        """A name's full record for its publisher (or a moderator): every version with its full verdict
        record, appeals and events."""
        from skillscan.serve.retention import export as export_name

        if moderation.owner(_engine(request), name) is None:
            raise HTTPException(404, "no such name")
        _owner_or_moderator(request, who, name)
        return export_name(_engine(request), name)

    @app.get("/v1/audit", tags=["moderation"], responses={401: {}, 403: {}})
    def audit(request: Request, who: Moderator, job: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The audit log, newest first: who did what, when and why (tokens, submissions, holds,
        releases, rejections, appeals and their decisions, re-checks)."""
        return moderation.audit(_engine(request), job, max(1, min(limit, 5000)))
