"""The moderation page: server-rendered HTML (Jinja2, autoescaped; no scripts, no build step). A
moderator signs in with a token; the session is a random cookie (HttpOnly, SameSite=Strict, Secure
over https) whose sha256 is stored with its CSRF token; every form carries the CSRF token and a
POST without it (or with another) is 403. Pages: the queue (held versions, open appeals), a
version (verdict, evidence with source context, drift against the previous approved version,
events) with hold / release / reject forms, each with a reason. A version's packages are rendered
by the HTML report's package template (skillscan/serve/pageview.py); the pages share its style."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from skillscan.serve import moderation, tokens
from skillscan.serve.schema import sessions, versions

COOKIE = "skillscan_session"
LOGIN_COOKIE = "skillscan_login_csrf"
SESSION_SECONDS = 8 * 3600
MAX_TEXT = 4000
TEMPLATES = Path(__file__).resolve().parent / "templates"


def shown(value: Any) -> Any:
    """Every value a page prints passes the project's one sanitiser (control, bidi and invisible
    characters made visible, length capped) before Jinja2's autoescape; sections already rendered by
    the report's templates (Markup, sanitised there) pass as they are."""
    from markupsafe import Markup

    from skillscan.report.sanitize import clip, visible

    if isinstance(value, Markup):
        return value
    return clip(visible("" if value is None else value), MAX_TEXT)


def _env() -> Any:
    import jinja2

    from skillscan.report.html import TEMPLATES as REPORT_TEMPLATES

    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES)),
                                  jinja2.FileSystemLoader(str(REPORT_TEMPLATES))])  # style.css.j2
    env = jinja2.Environment(loader=loader, autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=shown)
    env.filters["utc"] = lambda t: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(t)))
    return env


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/moderation",
                        secure=request.url.scheme == "https")


def _session(request: Request) -> dict[str, Any] | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    with request.app.state.store.engine.connect() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.id_sha256 == _sha(value))).mappings().first()
    if row is None or row["expires_at"] <= time.time():
        return None
    return dict(row)


def _signed_in(request: Request) -> dict[str, Any]:
    s = _session(request)
    if s is None:
        raise HTTPException(303, "sign in", headers={"Location": "/moderation/login"})
    return s


def _check_csrf(session: dict[str, Any], given: str) -> None:
    if not given or not hmac.compare_digest(session["csrf"], given):
        raise HTTPException(403, "missing or wrong CSRF token")


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env().get_template(name).render(**{"session": None, **context}), status_code=status)


def _version_view(request: Request, job: str) -> dict[str, Any]:
    from skillscan.serve.pageview import sections
    from skillscan.serve.schema import blobs as blob_table

    q = request.app.state.queries
    found = q.job(job)
    if found is None:
        raise HTTPException(404, "no such job")
    _, record = q.verdict_of_job(job)
    with request.app.state.store.engine.connect() as conn:
        blob = conn.execute(sa.select(blob_table.c.suffix, blob_table.c.removed_at)
                            .where(blob_table.c.sha256 == found["sha256"])).first()
    path = None
    if blob is not None and blob.removed_at is None:
        path = request.app.state.blobs.path(found["sha256"], blob.suffix)
    display = f"{found['sha256']}{blob.suffix if blob is not None else ''}"
    packages = (record or {}).get("packages", [])
    return {"job": found, "record": record, "packages": packages, "archive_kept": path is not None,
            "sections": sections(record, display, path) if record else [], "events": q.events(job),
            "appeals": [a for a in moderation.list_appeals(request.app.state.store.engine) if a["job"] == job]}


def add_pages(app: FastAPI) -> None:  # noqa: C901 - the page table
    @app.get("/moderation/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        csrf = secrets.token_urlsafe(24)
        response = _render("login.html", csrf=csrf, error=None)
        _cookie(response, request, LOGIN_COOKIE, csrf, 600)
        return response

    @app.post("/moderation/login", include_in_schema=False)
    def login(request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not csrf or not expected or not hmac.compare_digest(csrf, expected):
            raise HTTPException(403, "missing or wrong CSRF token")
        from skillscan.serve.auth import ADMIN

        settings = request.app.state.settings
        who = ADMIN if hmac.compare_digest(token.encode(), settings.token.encode()) else \
            tokens.verify(request.app.state.store.engine, token)
        if who is None or not who.sees_everything:
            fresh = secrets.token_urlsafe(24)
            response = _render("login.html", status=401, csrf=fresh, error="not a valid moderator token")
            _cookie(response, request, LOGIN_COOKIE, fresh, 600)
            return response
        value, now = secrets.token_urlsafe(32), time.time()
        with request.app.state.store.engine.begin() as conn:
            conn.execute(sessions.insert().values(id_sha256=_sha(value), subject=who.name,
                                                  scopes=",".join(sorted(who.scopes)), csrf=secrets.token_urlsafe(32),
                                                  created_at=now, expires_at=now + SESSION_SECONDS))
        response = RedirectResponse("/moderation/", status_code=303)
        _cookie(response, request, COOKIE, value, SESSION_SECONDS)
        response.delete_cookie(LOGIN_COOKIE, path="/moderation")
        return response

    @app.post("/moderation/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")) -> Response:
        session = _signed_in(request)
        _check_csrf(session, csrf)
        with request.app.state.store.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.id_sha256 == session["id_sha256"]))
        response = RedirectResponse("/moderation/login", status_code=303)
        response.delete_cookie(COOKIE, path="/moderation")
        return response

    @app.get("/moderation/", include_in_schema=False)
    def queue(request: Request) -> Response:
        session = _signed_in(request)
        with request.app.state.store.engine.connect() as conn:
            held = conn.execute(sa.select(versions).where(versions.c.state == "held")
                                .order_by(versions.c.updated_at.desc()).limit(500)).mappings().all()
            queued = conn.execute(sa.select(sa.func.count()).select_from(versions)
                                  .where(versions.c.state == "queued")).scalar_one()
        every = moderation.list_appeals(request.app.state.store.engine)
        # open appeals first (oldest first), then the latest decided ones
        appeals = [a for a in every if a["status"] == "open"] + \
            sorted((a for a in every if a["status"] != "open"), key=lambda a: -(a["decided_at"] or 0))[:100]
        return _render("queue.html", session=session, held=held, queued=queued, appeals=appeals)

    @app.get("/moderation/jobs/{job}", include_in_schema=False)
    def version_page(request: Request, job: str) -> Response:
        session = _signed_in(request)
        view = _version_view(request, job)
        return _render("version.html", session=session, dumps=json.dumps, **view)

    @app.post("/moderation/jobs/{job}/{action}", include_in_schema=False)
    def act(request: Request, job: str, action: str, reason: str = Form(""), csrf: str = Form("")) -> Response:
        session = _signed_in(request)
        _check_csrf(session, csrf)
        if action not in moderation.ACTIONS:
            raise HTTPException(404, "no such action")
        if not reason.strip():
            raise HTTPException(422, "a reason is required")
        try:
            moderation.moderate(request.app.state.store.engine, job, action, reason.strip(), session["subject"])
        except moderation.NotFound:
            raise HTTPException(404, "no such job") from None
        except moderation.Refused as exc:
            raise HTTPException(409, str(exc)) from None
        return RedirectResponse(f"/moderation/jobs/{job}", status_code=303)

    @app.post("/moderation/appeals/{appeal_id}", include_in_schema=False)
    def decide(request: Request, appeal_id: int, decision: str = Form(""), reason: str = Form(""),
               csrf: str = Form("")) -> Response:
        session = _signed_in(request)
        _check_csrf(session, csrf)
        if decision not in ("grant", "deny") or not reason.strip():
            raise HTTPException(422, "grant or deny, with a reason")
        try:
            done = moderation.decide_appeal(request.app.state.store.engine, appeal_id, decision == "grant",
                                            reason.strip(), session["subject"])
        except moderation.NotFound:
            raise HTTPException(404, "no such appeal") from None
        except moderation.Refused as exc:
            raise HTTPException(409, str(exc)) from None
        return RedirectResponse(f"/moderation/jobs/{done['job']}", status_code=303)
