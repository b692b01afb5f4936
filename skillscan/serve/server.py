"""uvicorn's server, except that a SIGTERM/SIGINT is not raised again once it has shut down: uvicorn
re-raises it, which would end this process before `skillscan serve` stops its worker processes."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import uvicorn


class Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
