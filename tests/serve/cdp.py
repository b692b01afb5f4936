"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol: navigate, evaluate,
wait for a page, take a screenshot. Just what the moderation page's browser test needs."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from servehelp import end_watchdog, start_watchdog

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1280,1000"]


class Page:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        n = next(self.ids)
        self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})  # type: ignore[no-any-return]

    def eval(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def wait_for(self, path: str, timeout: float = 60) -> None:
        """Until the document at `path` has loaded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                if self.eval("location.pathname + ' ' + document.readyState") == f"{path} complete":
                    return
            time.sleep(0.1)
        raise AssertionError(f"page {path} did not load: at {self.eval('location.href')}")

    def act_and_wait(self, script: str, path: str, timeout: float = 60) -> None:
        """Run `script` (a click, a form submission) and wait until a new document at `path` loaded —
        also when it is the same path as the current one."""
        self.eval("window.__skillscanOld = true")
        self.eval(script)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                state = self.eval("[typeof window.__skillscanOld, location.pathname, document.readyState].join(' ')")
                if state == f"undefined {path} complete":
                    return
            time.sleep(0.1)
        raise AssertionError(f"no new page {path}: at {self.eval('location.href')}")

    def goto(self, url: str, path: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(path)

    def screenshot(self, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def browser(binary: str) -> Iterator[Page]:
    from websockets.sync.client import connect

    profile = Path(tempfile.mkdtemp(prefix="skillscan-chromium-"))
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    # in a session of its own, Chromium would outlive a killed test run: its watchdog kills its process group then
    watchdog = start_watchdog(str(proc.pid), group=True)
    try:
        port = None
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError("chromium exited before it listened")
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
        assert port, "chromium did not say where it listens"
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=30, trust_env=False).json()
        page = next(t for t in targets if t.get("type") == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as ws:
            p = Page(ws)
            p.call("Page.enable")
            yield p
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait()
        end_watchdog(watchdog)
        shutil.rmtree(profile, ignore_errors=True)
