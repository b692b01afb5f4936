"""The HTTP API (FastAPI). Submissions are stored and queued, never scanned in the request: workers
(skillscan/serve/worker.py) do that. The OpenAPI document is docs/openapi.json (`skillscan serve
openapi`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from skillscan import __version__
from skillscan.serve.auth import current, require, require_admin
from skillscan.serve.blobs import Blob, BlobStore, UploadError
from skillscan.serve.limits import BodyLimit, RateLimit, client_key
from skillscan.serve.queries import MAX_BATCH, Queries
from skillscan.serve.settings import Settings, engine_key
from skillscan.serve.store import Conflict, Forbidden, Store
from skillscan.serve.tokens import Principal
from skillscan.serve.webhook import check_url

NAME_RE = re.compile(r"^[A-Za-z0-9@_][A-Za-z0-9._@+-]{0,213}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
VERDICT_DOC = "The verdict record, schema skillscan.verdict/v1 (rules/schemas/verdict-v1.schema.json)."


class Links(BaseModel):
    self: str | None = None
    verdict: str


class Job(BaseModel):
    job: str = Field(description="The job id of this name@version")
    name: str
    version: str
    publisher: str
    sha256: str = Field(description="sha256 of the submitted archive")
    source: str
    state: str = Field(description="queued | scanned | approved | held | rejected")
    decision: str | None = Field(description="The gate's decision once scanned: allow | review | block | error")
    queue_position: int = Field(description="1 + queued scans ahead; 0 once a worker holds it or it is decided")
    submitted_at: float
    updated_at: float
    links: Links


class Accepted(BaseModel):
    job: str
    state: str
    decision: str | None
    sha256: str
    queue_position: int
    links: Links


class BatchRequest(BaseModel):
    sha256: list[str] = Field(max_length=MAX_BATCH, description=f"Up to {MAX_BATCH} archive digests")


class RecheckStarted(BaseModel):
    recheck: str
    versions: int = Field(description="Versions whose verdict came from other rules, policy or tool")
    links: dict[str, str]


def _client(request: Request) -> str:
    return client_key(request.scope)


def _check_name(name: str, version: str | None = None) -> None:
    if not NAME_RE.match(name):
        raise HTTPException(422, "name: letters, digits and . _ @ + - (no slash), at most 214 characters")
    if version is not None and not VERSION_RE.match(version):
        raise HTTPException(422, "version: letters, digits and . _ + -, starting with a letter or digit")


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(1 << 20):
        yield chunk


def bare_app() -> FastAPI:
    """The app with its routes and no store: what the OpenAPI document is made from."""
    app = FastAPI(title="skillscan gate service", version=__version__,
                  description="Submit skill packages, follow their jobs and read verdict records "
                              "(skillscan.verdict/v1). See docs/service.md.")
    add_routes(app)
    return app


def create_app(settings: Settings) -> FastAPI:
    from skillscan.serve.db import make_engine, migrate

    engine = make_engine(settings.database)
    migrate(engine)
    app = bare_app()
    app.state.settings = settings
    app.state.store = Store(engine)
    app.state.queries = Queries(make_engine(settings.database, readonly=True) if engine.dialect.name == "sqlite"
                                else engine)
    app.state.blobs = BlobStore(settings.blob_dir)
    app.state.blobs.sweep_temp()
    app.state.rate = RateLimit(settings.rate_limit)
    app.add_middleware(BodyLimit, max_upload=settings.max_upload)
    return app


def _queries(request: Request) -> Queries:
    return request.app.state.queries  # type: ignore[no-any-return]


Q = Annotated[Queries, Depends(_queries)]
Admin = Annotated[Principal, Depends(require_admin)]
Publisher = Annotated[Principal, Depends(require("publisher"))]
Who = Annotated[Principal, Depends(current)]


def _shown(record: dict[str, Any], who: Principal, owners: set[str]) -> dict[str, Any]:
    """The full record for moderators and for the publisher owning the name; the public view else."""
    if who.sees_everything or (who.can("publisher") and who.name in owners):
        return record
    from skillscan.serve.redact import redact

    return redact(record)


def add_routes(app: FastAPI) -> None:  # noqa: C901 - the route table
    from skillscan.serve.pages import add_pages
    from skillscan.serve.people import add_people_routes

    add_people_routes(app)
    add_pages(app)

    @app.post("/v1/packages", status_code=202, response_model=Accepted, tags=["submit"],
              responses={200: {"description": "The same name@version with the same content was submitted before"},
                         401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 429: {}})
    async def submit(request: Request, response: Response, principal: Publisher,
                     name: Annotated[str, Form(description="Package name (owned by its first publisher)")],
                     version: Annotated[str, Form()],
                     publisher: Annotated[str | None, Form(description="Publisher (admin tokens only; "
                                                           "default: the token's subject)")] = None,
                     webhook: Annotated[str | None, Form(description="URL POSTed to when the job ends")] = None,
                     ref: Annotated[str | None, Form(description="A remote reference the CLI resolves, "
                                                     "e.g. https://…/x.zip, npm:pkg@1.0.0")] = None,
                     file: Annotated[UploadFile | None, File(description="The archive (zip, tar, tar.gz)")] = None,
                     ) -> Any:
        """Submit an archive upload or a remote reference as name@version: 202 with the job id and
        its queue position."""
        request.app.state.rate.check(_client(request))
        _check_name(name, version)
        if publisher and publisher != principal.name and not principal.can("admin"):
            raise HTTPException(403, "a publisher token submits under its own name only")
        from skillscan.serve.moderation import owner

        known = await run_in_threadpool(owner, request.app.state.store.engine, name)
        if known is not None and known != (publisher or principal.name):  # before the upload is stored
            raise HTTPException(403, f"the name {name!r} belongs to another publisher")
        if (file is None) == (ref is None):
            raise HTTPException(422, "give exactly one of file (an archive upload) or ref (a remote reference)")
        try:
            hook = check_url(webhook) if webhook else None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        settings: Settings = request.app.state.settings
        blobs: BlobStore = request.app.state.blobs
        try:
            if file is not None:
                blob = await blobs.put_stream(_chunks(file), settings.max_upload)
                source = f"upload:{(file.filename or 'archive')[:200]}"
            else:
                blob = await run_in_threadpool(_fetch, blobs, str(ref), settings.max_upload)
                source = str(ref)
        except UploadError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        key = engine_key(settings.policy)
        store: Store = request.app.state.store
        try:
            sub = await run_in_threadpool(store.submit, name=name, version=version,
                                          publisher=publisher or principal.name, blob=blob, source=source,
                                          webhook=hook, engine_key=key.key, actor=principal.name)
        except Forbidden as exc:
            raise HTTPException(403, str(exc)) from None
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        if sub.existing:
            response.status_code = 200
        elif sub.state != "queued" and hook:  # decided at once from a stored verdict: tell the webhook too
            _notify_now(request, sub.job)
        return Accepted(job=sub.job, state=sub.state, decision=sub.decision, sha256=blob.sha256,
                        queue_position=sub.queue_position,
                        links=Links(self=f"/v1/jobs/{sub.job}", verdict=f"/v1/jobs/{sub.job}/verdict"))

    @app.get("/v1/jobs/{job}", response_model=Job, tags=["read"], responses={404: {}})
    def job_status(job: str, q: Q) -> Any:
        """A job's state, decision and queue position."""
        found = q.job(job)
        if found is None:
            raise HTTPException(404, "no such job")
        return found

    @app.get("/v1/jobs/{job}/events", tags=["read"], responses={404: {}})
    def job_events(job: str, q: Q) -> list[dict[str, Any]]:
        """What happened to a job: submitted, reused, scanned, approved/held/rejected, webhook, recheck."""
        if q.job(job) is None:
            raise HTTPException(404, "no such job")
        return q.events(job)

    @app.get("/v1/jobs/{job}/verdict", tags=["read"], responses={200: {"description": VERDICT_DOC}, 404: {}})
    def job_verdict(job: str, q: Q, who: Who) -> Any:
        """The verdict record of a job (404 until it is scanned): full evidence for moderators and the
        name's publisher, evidence reduced to rule ids and file:line for everyone else."""
        state, record = q.verdict_of_job(job)
        if state is None:
            raise HTTPException(404, "no such job")
        if record is None:
            raise HTTPException(404, f"not scanned yet (state: {state})")
        return _shown(record, who, q.owners_of_job(job))

    @app.get("/v1/verdicts/sha256/{digest}", tags=["read"], responses={200: {"description": VERDICT_DOC}, 404: {}})
    def verdict_by_digest(digest: str, q: Q, who: Who) -> Any:
        """The newest verdict record for an archive's sha256."""
        if not SHA_RE.match(digest):
            raise HTTPException(422, "a sha256 is 64 lowercase hex digits")
        record = q.verdict_by_sha256(digest)
        if record is None:
            raise HTTPException(404, "no verdict for this digest")
        return _shown(record, who, q.owners_of_digest(digest))

    @app.post("/v1/verdicts/batch", tags=["read"])
    def verdict_batch(q: Q, body: Annotated[BatchRequest, Body()]) -> dict[str, Any]:
        """Decisions for up to 100 archive digests at once (null: unknown digest)."""
        bad = [d for d in body.sha256 if not SHA_RE.match(d)]
        if bad:
            raise HTTPException(422, f"not a sha256: {bad[0][:80]!r}")
        return {"verdicts": q.batch(list(dict.fromkeys(body.sha256)))}

    @app.get("/v1/packages/{name}/versions", response_model=list[Job], tags=["read"])
    def name_versions(name: str, q: Q) -> Any:
        """Every submitted version of a name, oldest first."""
        _check_name(name)
        return q.versions_of(name)

    @app.get("/v1/packages/{name}/versions/{version}", response_model=Job, tags=["read"], responses={404: {}})
    def name_version(name: str, version: str, q: Q) -> Any:
        """The job of name@version."""
        found = q.job_for(name, version)
        if found is None:
            raise HTTPException(404, "no such version")
        return found

    @app.get("/v1/packages/{name}/versions/{version}/verdict", tags=["read"],
             responses={200: {"description": VERDICT_DOC}, 404: {}})
    def name_version_verdict(name: str, version: str, q: Q, who: Who) -> Any:
        """The verdict record of name@version."""
        found = q.job_for(name, version)
        if found is None:
            raise HTTPException(404, "no such version")
        return job_verdict(found["job"], q, who)

    @app.get("/v1/packages/{name}/latest", response_model=Job, tags=["read"], responses={404: {}})
    def latest(name: str, q: Q) -> Any:
        """The latest approved version of a name."""
        found = q.latest_approved(name)
        if found is None:
            raise HTTPException(404, "no approved version")
        return found

    @app.post("/v1/rechecks", status_code=202, response_model=RecheckStarted, tags=["admin"], responses={401: {}})
    def recheck(request: Request, principal: Admin) -> Any:
        """Re-scan every decided version whose verdict came from other rules, policy or tool; the
        workers do the scans. Follow GET /v1/rechecks/{id} for the verdicts that changed."""
        store: Store = request.app.state.store
        key = engine_key(request.app.state.settings.policy).key
        rid = uuid.uuid4().hex
        stale = store.stale(key)
        store.requeue_for(stale, key, principal.name, rid)
        return RecheckStarted(recheck=rid, versions=len(stale), links={"self": f"/v1/rechecks/{rid}"})

    @app.get("/v1/rechecks/{recheck_id}", tags=["admin"])
    def recheck_status(recheck_id: str, q: Q) -> dict[str, Any]:
        """A re-check's progress (`pending` scans) and the verdicts it changed (newly blocked, newly allowed…)."""
        return q.recheck(recheck_id)

    @app.get("/healthz", tags=["operation"])
    def health(q: Q) -> JSONResponse:
        """200 when the store answers."""
        try:
            depth = q.queue_depth()
        except Exception as exc:  # noqa: BLE001 - the database is down: any error is a 503
            return JSONResponse({"status": "error", "database": f"{type(exc).__name__}"}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__, "queued": depth["queued"],
                             "running": depth["running"]})

    @app.get("/metrics", tags=["operation"], response_class=Response,
             responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"}})
    def metrics(q: Q) -> Response:
        """Prometheus metrics: queue depth, versions by state, verdicts by decision, scan and job latency."""
        from prometheus_client import CONTENT_TYPE_LATEST

        from skillscan.serve.metrics import exposition

        return Response(exposition(q), media_type=CONTENT_TYPE_LATEST)


def _fetch(blobs: BlobStore, ref: str, limit: int) -> Blob:
    from skillscan.loaders.remote import FetchLimits, RemoteError, is_remote, resolve

    if not is_remote(ref):
        raise UploadError(422, "ref: not a remote reference (https://…, github:, clawhub:, npm:, pypi:)")
    try:
        resolved = resolve(ref, FetchLimits(max_bytes=limit))
    except RemoteError as exc:
        raise UploadError(422, f"ref: {exc}") from None
    if resolved.subdir:
        raise UploadError(422, "ref: a //subdir of a repository is not supported by the service; "
                               "submit the subdirectory as an archive")
    return blobs.put_bytes(resolved.data, limit)


def _notify_now(request: Request, job: str) -> None:
    """Webhook for a version decided at submission (its content's verdict was stored already)."""
    import threading

    from skillscan.serve.store import Decided
    from skillscan.serve.webhook import deliver

    found = request.app.state.queries.job(job)
    store: Store = request.app.state.store
    with store.engine.connect() as conn:
        from skillscan.serve.schema import versions

        hook = conn.execute(versions.select().where(versions.c.id == job)).mappings().one()["webhook"]
    d = Decided(job, found["name"], found["version"], found["sha256"], found["state"], found["decision"], hook, None)
    threading.Thread(target=deliver, args=(store.engine, d, request.app.state.settings.webhook_timeout),
                     daemon=True).start()
