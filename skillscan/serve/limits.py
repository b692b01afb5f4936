"""Request bounds: the body size of every POST (an ASGI middleware, so an oversized upload is cut off
while it streams, before anything is parsed or stored) and a per-client rate limit on submissions."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small form fields beside the archive


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than the upload limit of {limit} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_upload: int) -> None:
        self.app = app
        self.max_upload = max_upload
        self.limit = max_upload + FORM_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _reject(send, self.max_upload)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.max_upload)
            return message

        await self.app(scope, counted, send)


async def _reject(send: Send, limit: int) -> None:
    import json

    body = json.dumps({"detail": f"request body larger than the upload limit of {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """A token bucket per client: `per_minute` submissions, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def check(self, client: str) -> None:
        if self.capacity <= 0:
            return
        now = time.monotonic()
        with self.lock:
            tokens, at = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens < 1.0:
                wait = (1.0 - tokens) / self.rate
                self.buckets[client] = (tokens, now)
                raise HTTPException(429, f"rate limit: {int(self.capacity)} submissions a minute per client",
                                    headers={"Retry-After": str(max(1, round(wait)))})
            self.buckets[client] = (tokens - 1.0, now)
            if len(self.buckets) > 100_000:  # forget idle clients (full buckets)
                self.buckets = {k: v for k, v in self.buckets.items() if v[0] < self.capacity - 1}


def client_key(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
