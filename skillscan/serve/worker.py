"""A worker: claim a batch of queued scans, run the gate once over the whole batch (one pipeline run,
one process pool, one semgrep run, as the CLI does), store each scan's verdict, decide its versions
and call their webhooks. The lease is renewed while the batch runs; a worker that dies stops renewing
it and another worker re-claims the scans when it expires."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from skillscan.serve.blobs import BlobStore
from skillscan.serve.settings import EngineKey, Settings, engine_key
from skillscan.serve.store import Claimed, Store, new_worker_id
from skillscan.serve.webhook import deliver

log = logging.getLogger("skillscan.serve.worker")
RANK = {"allow": 0, "review": 1, "block": 2, "error": 3}


def split_record(record: dict[str, Any], path: Path, display: str) -> dict[str, Any]:
    """The part of a batch's verdict record that belongs to one input, its paths shown as `display`
    (the archive's content name) rather than the server's blob path."""
    where = str(path)
    packages = []
    for p in record["packages"]:
        if p["input"] != where:
            continue
        p = dict(p, input=display, root=str(p["root"]).replace(where, display, 1))
        packages.append(p)
    decision = max((p["decision"] for p in packages), key=RANK.__getitem__, default="error")
    return dict(record, packages=packages, decision=decision)


def error_record(key: EngineKey, policy: str | None) -> dict[str, Any]:
    """The record of a scan that failed every attempt: decision `error` (never allow)."""
    from skillscan.policy import load_policy

    pol = load_policy(policy)
    return {"schema": "skillscan.verdict/v1", "as_of": datetime.date.today().isoformat(), "decision": "error",
            "tool": {"name": "skillscan", "version": key.tool_version, "engines": {}},
            "rules": {"digest": key.rules_digest},
            "policy": {"name": pol.name, "version": pol.version, "digest": pol.digest}, "packages": []}


class Worker:
    def __init__(self, store: Store, settings: Settings, worker_id: str | None = None) -> None:
        self.store = store
        self.settings = settings
        self.blobs = BlobStore(settings.blob_dir)
        self.id = worker_id or new_worker_id()
        self.key = engine_key(settings.policy)
        self.hooks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook")

    def run_once(self) -> int:
        """Claim and judge one batch; the number of scans finished (0: the queue was empty)."""
        claimed = self.store.claim(self.id, self.key.key, self.settings.batch, self.settings.lease)
        if not claimed:
            return 0
        stop = threading.Event()
        renew = threading.Thread(target=self._renew, args=([c.scan_id for c in claimed], stop), daemon=True)
        renew.start()
        try:
            return self._judge(claimed)
        finally:
            stop.set()
            renew.join()

    def _renew(self, scan_ids: list[int], stop: threading.Event) -> None:
        while not stop.wait(self.settings.lease / 3):
            try:
                self.store.renew(self.id, scan_ids, self.settings.lease)
            except Exception:  # a database hiccup: the next renewal tries again
                log.exception("lease renewal failed")

    def _judge(self, claimed: list[Claimed]) -> int:
        from skillscan.api import gate

        paths = {c.scan_id: self.blobs.path(c.sha256, c.suffix) for c in claimed}
        previous = {str(paths[c.scan_id]): c.basis_record for c in claimed if c.basis_record}
        started = time.perf_counter()
        try:
            record = gate([str(p) for p in paths.values()], policy=self.settings.policy,
                          previous_by_input=previous, jobs=self.settings.jobs)
        except Exception as exc:  # the pipeline failed: retry, then record an error verdict
            log.exception("gate run failed")
            retry = [c.scan_id for c in claimed if self.store.attempts(c.scan_id) < self.settings.max_attempts]
            if retry:
                self.store.release(self.id, retry, f"{type(exc).__name__}: {exc}")
            done = 0
            for c in claimed:
                if c.scan_id not in retry:
                    done += self._finish(c.scan_id, error_record(self.key, self.settings.policy), 0.0)
            return done
        seconds = round(time.perf_counter() - started, 3)
        done = 0
        for c in claimed:
            done += self._finish(c.scan_id, split_record(record, paths[c.scan_id], f"{c.sha256}{c.suffix}"), seconds)
        return done

    def _finish(self, scan_id: int, record: dict[str, Any], seconds: float) -> int:
        decided = self.store.complete(self.id, scan_id, record, seconds)
        if decided is None:  # the lease was lost (this worker was presumed dead): another finishes it
            log.warning("scan %s: lease lost, result discarded", scan_id)
            return 0
        for d in decided:  # a re-check calls the webhook only when the decision changed
            if d.webhook and d.before != d.decision:
                self.hooks.submit(deliver, self.store.engine, d, self.settings.webhook_timeout)
        return 1

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("worker loop")
                busy = 0
            if not busy:
                stop.wait(self.settings.poll)
        self.close()

    def drain(self, scan_ids: set[int] | None = None, timeout: float = 3600.0) -> None:
        """Run until the queue (or these scans) is empty — the re-check command's in-process worker."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run_once():
                if scan_ids is None or self.store.all_done(scan_ids):
                    return
                time.sleep(self.settings.poll)

    def close(self) -> None:
        self.hooks.shutdown(wait=True)
