"""Load on the gate service (`skillscan serve`): distinct packages from the shared corpus, zipped,
submitted with bounded concurrency to a cold store (a new data directory and database per run),
for SQLite and PostgreSQL with one and two worker processes. Recorded: throughput (packages per
second from the first submission to the last decision), p50/p95 latency of a job (submission to
decision), and the store's size (the database plus the blob folder) — beside the CLI's own
packages/s (`skillscan scan --no-cache`) over the same archives in one process.

PostgreSQL: `--database postgresql://…` (one database per run is created on that server), else a
throwaway cluster is started with the Debian binaries the tests use (as the `postgres` user when
run as root). The section is written into docs/benchmarks.md between `<!-- service:start -->` and
`<!-- service:end -->`.

    python bench/service.py [--shared ../shared] [--count 64] [--concurrency 8] [--no-write]
    python bench/service.py --faults [--count 8]     # the fault figures (block `service-faults`)

With `--faults`: a worker killed mid-batch (the time from the kill until every job is decided by a
second worker, with a 10-second lease), the server stopped with jobs queued and started again (jobs
lost, time to drain) and the same archive submitted by every client at once (scans run).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "serve"))
from benchlib import REPO, machine, now, skillscan_version, write_block  # noqa: E402
from servehelp import (  # noqa: E402
    Server,
    pg_bin,
    running,
    start_cluster,
    start_server,
    start_worker,
    wait_decided,
)


@dataclass(frozen=True)
class Run:
    store: str
    workers: int
    packages: int
    seconds: float
    p50: float
    p95: float
    store_mb: float
    load: float

    @property
    def rate(self) -> float:
        return self.packages / self.seconds


def corpus_packages(shared: Path, count: int) -> list[Path]:
    """Package directories of the labelled corpora, in manifest order, the first `count`."""
    out: list[Path] = []
    for name in ("dev", "calib"):
        manifest = shared / "corpus" / name / "MANIFEST.tsv"
        if not manifest.exists():
            continue
        for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) > 1 and (d := shared / "corpus" / name / cols[0] / cols[1]).is_dir():
                out.append(d)
            if len(out) >= count:
                return out
    return out


def zip_dir(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink():
                zf.write(p, f"{root.name}/{p.relative_to(root).as_posix()}")
    return buf.getvalue()


def cli_rate(archives: dict[str, bytes]) -> tuple[float, float]:
    """The CLI's packages/s over the same archives: one `skillscan scan --no-cache` process."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in archives.items():
            p = Path(tmp) / f"{name}.zip"
            p.write_bytes(data)
            paths.append(str(p))
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "skillscan", "scan", "--no-cache", "--no-config", "--format",
                               "json", "--fail-on", "never", "--quiet", *paths], check=False, capture_output=True,
                              cwd=REPO,
                              env=_env())
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"CLI failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    return len(archives) / seconds, load


def _env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def _dir_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def _pg_mb(url: str) -> float:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return float(row[0]) / 1e6 if row else 0.0


def service_run(archives: dict[str, bytes], store: str, workers: int, concurrency: int, database: str | None,
                batch: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        load = os.getloadavg()[0]
        server: Server = start_server(data, database, "--rate-limit", "0", "--batch", str(batch), workers=workers)
        try:
            latencies: list[float] = []

            def one(item: tuple[str, bytes]) -> None:
                name, body = item
                with server.client() as c:
                    t0 = time.perf_counter()
                    r = c.post("/v1/packages", data={"name": name, "version": "1"},
                               files={"file": (f"{name}.zip", body, "application/zip")})
                    r.raise_for_status()
                    wait_decided(c, r.json()["job"], timeout=3600)
                    latencies.append(time.perf_counter() - t0)

            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(one, archives.items()))
            seconds = time.perf_counter() - started
        finally:
            server.stop()
        size = _dir_mb(data) + (_pg_mb(database) if database else 0.0)
    q = statistics.quantiles(latencies, n=20)
    return Run(store, workers, len(archives), seconds, statistics.median(latencies), q[18], size, load)


@dataclass(frozen=True)
class Fault:
    store: str
    fault: str
    packages: int
    outcome: str
    seconds: float


def _counts(data: Path, database: str | None) -> tuple[int, int, int]:
    """(scans, verdicts, scans run more than once) in the store."""
    import sqlalchemy as sa

    from skillscan.serve.db import database_url, make_engine
    from skillscan.serve.schema import scans, verdicts

    engine = make_engine(database_url(data, database))
    with engine.connect() as conn:
        n_scans = conn.execute(sa.select(sa.func.count()).select_from(scans)).scalar_one()
        n_verdicts = conn.execute(sa.select(sa.func.count()).select_from(verdicts)).scalar_one()
        retried = conn.execute(sa.select(sa.func.count()).select_from(scans).where(scans.c.attempts > 1)).scalar_one()
    engine.dispose()
    return int(n_scans), int(n_verdicts), int(retried)


def _submit_all(server: Server, archives: dict[str, bytes]) -> list[str]:
    with server.client() as c:
        return [c.post("/v1/packages", data={"name": n, "version": "1"},
                       files={"file": (f"{n}.zip", b, "application/zip")}).json()["job"] for n, b in archives.items()]


def _decided(server: Server, jobs: list[str]) -> int:
    with server.client() as c:
        return sum(1 for j in jobs if wait_decided(c, j, timeout=3600)["state"] in ("approved", "held", "rejected"))


def fault_runs(archives: dict[str, bytes], store: str, new_db: Callable[[], str | None]) -> list[Fault]:
    """Each fault on a cold store: a new data directory and a new database (`new_db`)."""
    import signal

    out = []
    database = new_db()
    with tempfile.TemporaryDirectory() as tmp:  # a worker killed mid-batch
        data = Path(tmp) / "data"
        with running(data, database, "--rate-limit", "0", workers=0) as srv:
            jobs = _submit_all(srv, archives)
            doomed = start_worker(data, database, "--lease", "10")
            while _counts(data, database)[0] and not _running(data, database):
                time.sleep(0.02)
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait()
            killed = time.perf_counter()
            rescuer = start_worker(data, database, "--lease", "10")
            try:
                done = _decided(srv, jobs)
            finally:
                rescuer.terminate()
                rescuer.wait()
            seconds = time.perf_counter() - killed
        n_scans, n_verdicts, retried = _counts(data, database)
        out.append(Fault(store, "worker killed mid-batch (lease 10 s)", len(jobs),
                         f"{done}/{len(jobs)} decided, {n_verdicts} verdicts for {n_scans} scans, "
                         f"{retried} scans re-queued", seconds))
    database = new_db()
    with tempfile.TemporaryDirectory() as tmp:  # restart with jobs queued
        data = Path(tmp) / "data"
        with running(data, database, "--rate-limit", "0", workers=0) as srv:
            jobs = _submit_all(srv, archives)
        started = time.perf_counter()
        with running(data, database, "--rate-limit", "0", workers=1) as srv:
            done = _decided(srv, jobs)
        seconds = time.perf_counter() - started
        out.append(Fault(store, "server restarted with every job queued", len(jobs),
                         f"{len(jobs) - done} lost, {done}/{len(jobs)} decided after the restart", seconds))
    database = new_db()
    with tempfile.TemporaryDirectory() as tmp:  # the same content from every client at once
        data = Path(tmp) / "data"
        body = next(iter(archives.values()))
        with running(data, database, "--rate-limit", "0", workers=1) as srv:
            started = time.perf_counter()

            def same(i: int) -> str:
                with srv.client() as c:
                    return str(c.post("/v1/packages", data={"name": f"twin{i}", "version": "1"},
                                      files={"file": ("twin.zip", body, "application/zip")}).json()["job"])

            with concurrent.futures.ThreadPoolExecutor(len(archives)) as pool:
                jobs = list(pool.map(same, range(len(archives))))
            done = _decided(srv, jobs)
            seconds = time.perf_counter() - started
        n_scans, n_verdicts, _ = _counts(data, database)
        out.append(Fault(store, "same archive submitted by every client at once", len(jobs),
                         f"{done}/{len(jobs)} decided by {n_scans} scan(s), {n_verdicts} verdict(s)", seconds))
    return out


def _running(data: Path, database: str | None) -> bool:
    import sqlalchemy as sa

    from skillscan.serve.db import database_url, make_engine
    from skillscan.serve.schema import scans

    engine = make_engine(database_url(data, database))
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(scans).where(scans.c.status == "running")).scalar_one()
    engine.dispose()
    return bool(n)


def render_faults(faults: list[Fault], args: argparse.Namespace) -> str:
    lines = [
        "## Gate service faults (`bench/service.py --faults`)",
        "",
        f"Command: `python bench/service.py --faults --count {args.count}` — {now()}, {skillscan_version()}, on "
        f"{machine()}. Each row is a cold store; packages are distinct archives of the shared corpus (the last row "
        "submits the first of them under as many names at once). Seconds: from the kill to the last decision; "
        "from the restart to the last decision; from the first submission to the last decision.",
        "",
        "| store | fault | jobs | outcome | seconds |",
        "|---|---|---:|---|---:|",
    ]
    lines += [f"| {f.store} | {f.fault} | {f.packages} | {f.outcome} | {f.seconds:.1f} |" for f in faults]
    lines += ["", "The machine is shared and noisy; the seconds are inflated by other jobs (load average "
              f"{os.getloadavg()[0]:.1f} at the end)."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--count", type=int, default=64)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--database", help="postgresql://… server to create the runs' databases on")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--faults", action="store_true", help="the fault runs instead of the load runs")
    args = ap.parse_args()

    dirs = corpus_packages(args.shared, args.count)
    archives = {f"{d.parent.parent.name}-{d.name}"[:200].replace("/", "-"): zip_dir(d) for d in dirs}
    print(f"{len(archives)} packages, {sum(map(len, archives.values())) / 1e6:.1f} MB zipped", file=sys.stderr)
    cluster = None
    if not args.database and pg_bin() is not None:
        cluster = start_cluster(pg_bin())  # type: ignore[arg-type]
    if args.faults:
        try:
            faults = fault_runs(archives, "sqlite", lambda: None)
            if cluster is not None or args.database:
                faults += fault_runs(archives, "postgresql",
                                     cluster.new_database if cluster else lambda: _new_db(args.database))
        finally:
            if cluster is not None:
                cluster.stop()
        body = render_faults(faults, args)
        print(body)
        if not args.no_write:
            write_block("service-faults", body)
        return
    try:
        rate, cli_load = cli_rate(archives)
        print(f"CLI: {rate:.2f} packages/s", file=sys.stderr)
        runs = []
        for store in ("sqlite", "postgresql"):
            for workers in (1, 2):
                database = None
                if store == "postgresql":
                    if cluster is None and not args.database:
                        print("PostgreSQL: no server and no binaries, skipped", file=sys.stderr)
                        continue
                    database = cluster.new_database() if cluster else _new_db(args.database)
                run = service_run(archives, store, workers, args.concurrency, database, args.batch)
                print(run, f"{run.rate:.2f}/s", file=sys.stderr)
                runs.append(run)
    finally:
        if cluster is not None:
            cluster.stop()
    body = render(runs, rate, cli_load, len(archives), args)
    print(body)
    if not args.no_write:
        write_block("service", body)


def _new_db(url: str) -> str:
    import uuid

    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def render(runs: list[Run], cli: float, cli_load: float, n: int, args: argparse.Namespace) -> str:
    lines = [
        "## Gate service load (`bench/service.py`)",
        "",
        f"Command: `python bench/service.py --count {args.count} --concurrency {args.concurrency}` — {now()}, "
        f"{skillscan_version()}, on {machine()}. {n} distinct packages of the shared corpus (dev, then calib), "
        f"zipped, submitted by {args.concurrency} concurrent clients to a cold store (new data directory and "
        "database per row); each client submits, then polls the job until it is decided. Throughput is "
        "packages over the time from the first submission to the last decision; latency is per job, "
        "submission to decision; store size is the database plus the blob folder after the run. Workers "
        f"claim up to {args.batch} queued scans per pipeline run. The CLI row is one `python -m skillscan scan "
        "--no-cache --no-config --format json` process over the same archives.",
        "",
        "| store | workers | packages/s | vs CLI | p50 latency s | p95 latency s | store MB | load avg at start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| CLI (`scan --no-cache`) | – | {cli:.2f} | 100 % | – | – | – | {cli_load:.1f} |",
    ]
    for r in runs:
        lines.append(f"| {r.store} | {r.workers} | {r.rate:.2f} | {100 * r.rate / cli:.0f} % | {r.p50:.1f} | "
                     f"{r.p95:.1f} | {r.store_mb:.1f} | {r.load:.1f} |")
    lines += ["", "The machine is shared with other jobs and noisy: the load average at the start of each row is "
              "given, and with more runnable processes than its cores every figure is inflated and rows are "
              "only roughly comparable with each other."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
