"""Fixtures for the service tests: every store test runs against SQLite and a real PostgreSQL (a
throwaway cluster started for the session). PostgreSQL cases are skipped only when its binaries are
absent and CI is not set; under CI their absence fails."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")

from servehelp import Cluster, pg_bin, start_cluster  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing; .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed (apt-get install postgresql)")
    cluster = start_cluster(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str | None]:
    """(data directory, --database argument): None means SQLite in the data directory."""
    data = tmp_path / "data"
    data.mkdir()
    if request.param == "sqlite":
        return data, None
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return data, cluster.new_database()
