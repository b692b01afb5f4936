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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "serve"))
from benchlib import REPO, machine, now, skillscan_version, write_block  # noqa: E402
from servehelp import Server, pg_bin, start_cluster, start_server, wait_decided  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--count", type=int, default=64)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--database", help="postgresql://… server to create the runs' databases on")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    dirs = corpus_packages(args.shared, args.count)
    archives = {f"{d.parent.parent.name}-{d.name}"[:200].replace("/", "-"): zip_dir(d) for d in dirs}
    print(f"{len(archives)} packages, {sum(map(len, archives.values())) / 1e6:.1f} MB zipped", file=sys.stderr)
    cluster = None
    if not args.database and pg_bin() is not None:
        cluster = start_cluster(pg_bin())  # type: ignore[arg-type]
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
