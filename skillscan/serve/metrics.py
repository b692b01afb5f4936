"""Prometheus exposition. The figures are read from the store at scrape time, so they are the same
whichever instance is scraped and count the work of workers on every machine: queue depth, versions
by state, verdicts by decision, scan latency (pipeline seconds of the batch a scan ran in) and job
latency (submission to decision)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from skillscan.serve.queries import Queries
from skillscan.serve.schema import verdicts, versions

BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)


def _histogram(conn: sa.Connection, column: Any, where: Any, table: sa.Table) -> tuple[list[tuple[str, float]], float]:
    cols = [sa.func.sum(sa.case((column <= b, 1), else_=0)) for b in BUCKETS]
    row = conn.execute(sa.select(*cols, sa.func.count(), sa.func.coalesce(sa.func.sum(column), 0.0))
                       .select_from(table).where(where)).one()
    count = int(row[len(BUCKETS)] or 0)
    buckets = [(str(float(b)), float(row[i] or 0)) for i, b in enumerate(BUCKETS)] + [("+Inf", float(count))]
    return buckets, float(row[len(BUCKETS) + 1] or 0.0)


class StoreCollector(Collector):
    def __init__(self, queries: Queries) -> None:
        self.queries = queries

    def collect(self) -> Iterator[Metric]:
        q = self.queries
        depth = GaugeMetricFamily("skillscan_queue_depth", "Scans waiting or running", labels=["status"])
        counts = q.queue_depth()
        for status in ("queued", "running"):
            depth.add_metric([status], counts.get(status, 0))
        yield depth
        states = GaugeMetricFamily("skillscan_versions", "Submitted versions by state", labels=["state"])
        for state, n in sorted(q.states().items()):
            states.add_metric([state], n)
        yield states
        decided = CounterMetricFamily("skillscan_verdicts", "Verdicts stored, by decision", labels=["decision"])
        found = q.decisions()
        for decision in ("allow", "review", "block", "error"):
            decided.add_metric([decision], found.get(decision, 0))
        yield decided
        with q.engine.connect() as conn:
            buckets, total = _histogram(conn, verdicts.c.seconds, sa.true(), verdicts)
            yield HistogramMetricFamily("skillscan_scan_seconds", "Pipeline seconds of the batch each scan ran in",
                                        buckets=buckets, sum_value=total)
            latency = versions.c.updated_at - versions.c.created_at
            buckets, total = _histogram(conn, latency, versions.c.state.in_(("approved", "held", "rejected")),
                                        versions)
            yield HistogramMetricFamily("skillscan_job_latency_seconds", "Submission to decision, per version",
                                        buckets=buckets, sum_value=total)


def exposition(queries: Queries) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(queries))
    return generate_latest(registry)
