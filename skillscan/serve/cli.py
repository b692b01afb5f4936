"""`skillscan serve …`: the service's own command line (argparse; the main CLI hands its arguments over).

    skillscan serve --data DIR [--database URL] [--host H] [--port P] [--workers N]   API + N workers
    skillscan serve worker --data DIR [--database URL]      a worker alone (other machines)
    skillscan serve recheck --data DIR [--database URL]     re-scan stale verdicts, print what changed
    skillscan serve openapi                                 print the OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from skillscan.serve.settings import Settings

log = logging.getLogger("skillscan.serve")
SUBCOMMANDS = ("worker", "recheck", "openapi")


def _parser(sub: str | None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"skillscan serve{' ' + sub if sub else ''}",
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if sub == "openapi":
        return p
    p.add_argument("--data", type=Path, default=Path("skillscan-data"),
                   help="Data directory: blobs, the SQLite store, the admin token [default: ./skillscan-data]")
    p.add_argument("--database", default=os.environ.get("SKILLSCAN_DATABASE"),
                   help="postgresql://user:pass@host/db [default: SQLite in the data directory]")
    p.add_argument("--policy", help="Gate policy YAML [default: the shipped policy]")
    p.add_argument("--batch", type=int, default=32, help="Scans a worker claims at once [default: 32]")
    p.add_argument("--lease", type=float, default=300.0, help="Seconds a claim lasts unrenewed [default: 300]")
    p.add_argument("--poll", type=float, default=0.5, help="Seconds an idle worker waits [default: 0.5]")
    p.add_argument("--jobs", type=int, default=0, help="Pipeline processes per worker (0 = one per core)")
    if sub == "worker":  # set by `skillscan serve` for the workers it starts: they stop when it is gone
        p.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)
    if sub is None:
        p.add_argument("--host", default="127.0.0.1", help="Address to listen on [default: 127.0.0.1]")
        p.add_argument("--port", type=int, default=8080, help="Port [default: 8080]")
        p.add_argument("--workers", type=int, default=1, help="Worker processes to run beside the API [default: 1]")
        p.add_argument("--token", default=os.environ.get("SKILLSCAN_SERVE_TOKEN"),
                       help="Admin token [default: $SKILLSCAN_SERVE_TOKEN, else DATA/admin-token, created]")
        p.add_argument("--max-upload", default="50M", help="Upload size limit [default: 50M]")
        p.add_argument("--rate-limit", type=int, default=60,
                       help="Submissions per client per minute, 0 = unlimited [default: 60]")
        p.add_argument("--retain-rejected-days", type=float, default=0.0,
                       help="Remove the archives of versions rejected more than this many days ago "
                            "(records and audit stay), 0 = keep them [default: 0]")
    return p


@dataclass(frozen=True)
class ServerLimits:
    """The options only `skillscan serve` itself takes (the API's limits); a worker or a recheck runs
    with these defaults."""

    max_upload: str = "50M"
    rate_limit: int = 60
    retain_rejected_days: float = 0.0


def settings_from(args: argparse.Namespace, token: str = "", limits: ServerLimits = ServerLimits()) -> Settings:
    from skillscan.loaders.files import parse_size
    from skillscan.serve.db import database_url

    args.data.mkdir(parents=True, exist_ok=True)
    return Settings(data=args.data, database=database_url(args.data, args.database), token=token,
                    policy=args.policy, batch=args.batch, lease=args.lease, poll=args.poll, jobs=args.jobs,
                    max_upload=parse_size(limits.max_upload), rate_limit=limits.rate_limit,
                    retain_rejected_days=limits.retain_rejected_days)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sub = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    args = _parser(sub).parse_args(argv[1:] if sub else argv)
    if sub == "openapi":
        sys.stdout.write(openapi_json())
        return 0
    if sub == "worker":
        return run_worker(settings_from(args), parent=args.parent)
    if sub == "recheck":
        return run_recheck(settings_from(args))
    return run_server(args)


def openapi_json() -> str:
    """The OpenAPI document of the app (built without a store: the routes alone)."""
    from skillscan.serve.app import bare_app

    return json.dumps(bare_app().openapi(), indent=2, sort_keys=True) + "\n"


def run_worker(settings: Settings, parent: int = 0) -> int:
    from skillscan.serve.db import make_engine, migrate
    from skillscan.serve.store import Store
    from skillscan.serve.worker import Worker

    engine = make_engine(settings.database)
    migrate(engine)
    worker = Worker(Store(engine), settings)
    stop = threading.Event()
    # the loop runs in a thread and the main thread only joins it: a signal handler calling stop.set()
    # in the thread that waits on the same event could deadlock on the event's lock
    loop = threading.Thread(target=worker.run, args=(stop,), name="worker")
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("worker %s started", worker.id)
    loop.start()
    while loop.is_alive():
        loop.join(0.5)
        if parent and os.getppid() != parent:  # the server that started this worker is gone
            log.warning("worker %s: parent %s exited, stopping", worker.id, parent)
            stop.set()
    return 0


def run_recheck(settings: Settings) -> int:
    from skillscan.serve.db import make_engine, migrate
    from skillscan.serve.queries import Queries
    from skillscan.serve.settings import engine_key
    from skillscan.serve.store import Store
    from skillscan.serve.worker import Worker

    engine = make_engine(settings.database)
    migrate(engine)
    store = Store(engine)
    key = engine_key(settings.policy).key
    rid = uuid.uuid4().hex
    scan_ids = store.requeue_for(store.stale(key), key, "recheck-command", rid)
    worker = Worker(store, settings)
    try:
        worker.drain(set(scan_ids))
    finally:
        worker.close()
    sys.stdout.write(json.dumps(Queries(engine).recheck(rid), indent=2, sort_keys=True) + "\n")
    return 0


def _worker_argv(args: argparse.Namespace, settings: Settings) -> list[str]:
    """Workers started beside the API share this machine's cores: with `--jobs 0` each gets its share
    (cores / workers, at least one) rather than one pipeline process per core each."""
    jobs = args.jobs or max(1, (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                else (os.cpu_count() or 1)) // max(1, args.workers))
    argv = [sys.executable, "-m", "skillscan", "serve", "worker", "--data", str(args.data), "--batch",
            str(args.batch), "--lease", str(args.lease), "--poll", str(args.poll), "--jobs", str(jobs)]
    if args.database:
        argv += ["--database", args.database]
    if args.policy:
        argv += ["--policy", args.policy]
    return argv


class Supervisor:
    """Worker processes beside the API, restarted if one dies."""

    def __init__(self, argv: list[str], count: int) -> None:
        self.argv, self.count = argv, count
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self.procs = [subprocess.Popen(self.argv) for _ in range(self.count)]
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop.wait(1.0):
            for i, p in enumerate(self.procs):
                if p.poll() is not None and not self.stop.is_set():
                    log.warning("worker process %s exited (%s): restarting", p.pid, p.returncode)
                    self.procs[i] = subprocess.Popen(self.argv)

    def close(self) -> None:
        self.stop.set()
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 30
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from skillscan.serve.app import create_app
    from skillscan.serve.auth import load_or_create_token
    from skillscan.serve.server import Server

    args.data.mkdir(parents=True, exist_ok=True)
    token = load_or_create_token(args.data, args.token)
    settings = settings_from(args, token, ServerLimits(args.max_upload, args.rate_limit, args.retain_rejected_days))
    app = create_app(settings)  # migrates the store before any worker starts
    if not args.token:
        log.info("admin token in %s", args.data / "admin-token")
    supervisor = Supervisor(_worker_argv(args, settings) + ["--parent", str(os.getpid())], max(0, args.workers))
    supervisor.start()
    stop = threading.Event()
    if settings.retain_rejected_days > 0:
        threading.Thread(target=_retention, args=(app, settings, stop), daemon=True).start()
    try:
        Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="info")).run()
    finally:
        stop.set()
        supervisor.close()
    return 0


def _retention(app: object, settings: Settings, stop: threading.Event) -> None:
    """Remove expired archives of rejected versions: at start, then every hour (or sooner for a
    retention shorter than two hours)."""
    from skillscan.serve.retention import sweep_rejected

    state = app.state  # type: ignore[attr-defined]
    interval = min(3600.0, settings.retain_rejected_days * 86400 / 2)
    while True:
        try:
            removed = sweep_rejected(state.store.engine, state.blobs, settings.retain_rejected_days)
            if removed:
                log.info("retention: removed %d archives of rejected versions", len(removed))
        except Exception:  # a database hiccup: the next round tries again
            log.exception("retention sweep failed")
        if stop.wait(interval):
            return

