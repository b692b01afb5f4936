"""The process the pool workers of a large scan are forked from (multiprocessing's fork server imports this module
before it forks any worker: `analyze.Workers`). A worker forked from the scan's own process inherits its heap — the
loaded packages, the results so far, the batch engines' queues: 100–200 MB late in a long scan, counted again in each
worker's resident set. The fork server is a fresh interpreter that holds only what a file task needs: importing this
module sets the file engines up once (the regex and dataclass caches read, libcst imported, the detector set
compiled), and every worker forked from it inherits that set-up instead of paying for it."""

from __future__ import annotations


def _set_up() -> None:
    from skillscan import dataclass_cache, lazyre_cache
    from skillscan.analyzers import file_analyzers

    lazyre_cache.install()
    dataclass_cache.install()
    for analyzer in file_analyzers():
        warm = getattr(analyzer, "warm", None)
        if warm is not None:
            warm()


_set_up()
