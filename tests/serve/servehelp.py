"""Helpers for the service tests: a throwaway PostgreSQL cluster, the real server as a subprocess on
127.0.0.1, archives to submit, and polling."""

from __future__ import annotations

import contextlib
import glob
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- PostgreSQL -------------------------------------------------------------------------------------

def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    root: Path
    port: int
    bindir: Path
    as_user: list[str]
    counter: int = 0
    watchdog: subprocess.Popen[bytes] | None = None  # stops the cluster if the test process dies first

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"t{os.getpid()}_{self.counter}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast",
                        "-w", "stop"], check=False, capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        end_watchdog(self.watchdog)


def start_watchdog(*args: str, group: bool = False) -> subprocess.Popen[bytes]:
    """pg_watchdog.py watching for this process's death: `args` are the cluster's pg_ctl, root and command prefix,
    or (`group`) the id of a process group to kill."""
    mode = ["--group"] if group else []
    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("pg_watchdog.py")), *mode, str(os.getpid()),
                             *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def end_watchdog(watchdog: subprocess.Popen[bytes] | None) -> None:
    """What it watched is gone: it would leave on its own; ended here so none is left waiting."""
    if watchdog is not None:
        watchdog.terminate()
        watchdog.wait(timeout=30)


def start_cluster(bindir: Path) -> Cluster:
    """initdb refuses to run as root: as root the cluster belongs to the `postgres` user (runuser). A watchdog
    (pg_watchdog.py) stops the cluster when this process dies without stopping it (a killed run)."""
    root = Path(tempfile.mkdtemp(prefix="skillscan-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200"
    # the watchdog first: a run killed while the server starts leaves nothing behind either
    watchdog = start_watchdog(str(bindir / "pg_ctl"), str(root), *as_user)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w",
                    "start"], check=True, capture_output=True, timeout=120)
    return Cluster(root, port, bindir, as_user, watchdog=watchdog)


# -- the server ------------------------------------------------------------------------------------

@dataclass
class Server:
    base: str
    data: Path
    database: str | None
    proc: subprocess.Popen[bytes]
    log: Path
    extra: list[str] = field(default_factory=list)
    watchdog: subprocess.Popen[bytes] | None = None  # kills the server's process group if the test process dies

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60, trust_env=False)

    def stop(self) -> None:
        """SIGTERM (the server stops its workers), then make sure nothing of its session is left."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        end_watchdog(self.watchdog)


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.pop("SKILLSCAN_DATABASE", None)
    e.pop("SKILLSCAN_SERVE_TOKEN", None)
    return e


def serve_args(data: Path, database: str | None, *extra: str) -> list[str]:
    args = ["--data", str(data), "--poll", "0.2"]
    if database:
        args += ["--database", database]
    return args + list(extra)


def start_server(data: Path, database: str | None, *extra: str, workers: int = 1) -> Server:
    port = free_port()
    log = data.parent / f"{data.name}-server-{port}.log"
    data.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "skillscan", "serve", *serve_args(data, database, *extra), "--port", str(port),
            "--token", TOKEN, "--workers", str(workers)]
    with open(log, "ab") as fh:
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, env=env(), cwd=REPO,
                                start_new_session=True)
    # its own session: a kill of the run's process group does not reach it, the watchdog does
    server = Server(f"http://127.0.0.1:{port}", data, database, proc, log, list(extra),
                    watchdog=start_watchdog(str(proc.pid), group=True))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-3000:]}")


def start_worker(data: Path, database: str | None, *extra: str) -> subprocess.Popen[bytes]:
    """A `serve worker` in a process group of its own, watched (pg_watchdog.py --group) like the server: its
    watchdog leaves by itself once the group is gone."""
    log = data.parent / f"{data.name}-worker-{time.monotonic_ns()}.log"
    argv = [sys.executable, "-m", "skillscan", "serve", "worker", *serve_args(data, database, *extra)]
    with open(log, "ab") as fh:
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, env=env(), cwd=REPO, start_new_session=True)
    _WORKER_WATCHDOGS.append(start_watchdog(str(proc.pid), group=True))
    return proc


_WORKER_WATCHDOGS: list[subprocess.Popen[bytes]] = []  # kept so that they are not collected while they run


@contextlib.contextmanager
def running(data: Path, database: str | None, *extra: str, workers: int = 1) -> Iterator[Server]:
    server = start_server(data, database, *extra, workers=workers)
    try:
        yield server
    finally:
        server.stop()


# -- packages --------------------------------------------------------------------------------------

def skill_zip(name: str, body: str = "Body.\n", extra: dict[str, str] | None = None) -> bytes:
    """A small Agent Skill as a zip archive (its text makes its content, hence its digest, unique;
    fixed member dates make the same text the same bytes)."""
    buf = io.BytesIO()
    members = {"SKILL.md": f"---\nname: {name}\ndescription: A test skill named {name}.\n---\n\n{body}",
               **(extra or {})}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, text in members.items():
            zf.writestr(zipfile.ZipInfo(f"{name}/{path}", date_time=(2026, 1, 1, 0, 0, 0)), text,
                        compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def dir_zip(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                zf.write(p, f"{root.name}/{p.relative_to(root).as_posix()}")
    return buf.getvalue()


def submit(client: httpx.Client, name: str, version: str, data: bytes, **fields: str) -> httpx.Response:
    return client.post("/v1/packages", data={"name": name, "version": version, **fields},
                       files={"file": (f"{name}-{version}.zip", data, "application/zip")})


def wait_decided(client: httpx.Client, job: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/v1/jobs/{job}")
        r.raise_for_status()
        body = r.json()
        if body["state"] in ("approved", "held", "rejected"):
            return body  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"job {job} not decided in {timeout} s: {body}")


def stored_files(data: Path) -> list[Path]:
    return sorted(p for p in (data / "blobs").rglob("*") if p.is_file())
