"""Per-submission webhooks: a JSON POST to the URL given at submission when the version is decided.
Up to three tries; each outcome is an event of the version. Only http(s) URLs are accepted."""

from __future__ import annotations

import time
from typing import Any
import httpx

from skillscan.capabilities import urls as url_parts
from skillscan.serve.store import Decided, event

TRIES = 3


def check_url(url: str) -> str:
    parts = url_parts.parts(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("webhook must be an http or https URL")
    return url


def payload(d: Decided) -> dict[str, Any]:
    return {"event": "version.decided", "job": d.job, "name": d.name, "version": d.version, "sha256": d.sha256,
            "state": d.state, "decision": d.decision, "before": d.before,
            "links": {"job": f"/v1/jobs/{d.job}", "verdict": f"/v1/jobs/{d.job}/verdict"}}


def deliver(engine: Any, d: Decided, timeout: float) -> None:
    if not d.webhook:
        return
    outcome: dict[str, Any] = {}
    for attempt in range(1, TRIES + 1):
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                resp = client.post(d.webhook, json=payload(d))
            outcome = {"status": resp.status_code, "attempt": attempt}
            if resp.status_code < 500:
                break
        except httpx.HTTPError as exc:
            outcome = {"error": f"{type(exc).__name__}: {exc}", "attempt": attempt}
        if attempt < TRIES:
            time.sleep(0.5 * attempt)
    with engine.begin() as conn:
        event(conn, "webhook", version_id=d.job, url=d.webhook, **outcome)
