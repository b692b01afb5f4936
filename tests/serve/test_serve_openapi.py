"""docs/openapi.json is the app's own OpenAPI document (`skillscan serve openapi`), and the running
server publishes the same one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from servehelp import REPO, env, running


def test_published_openapi_document_is_current() -> None:
    proc = subprocess.run([sys.executable, "-m", "skillscan", "serve", "openapi"], check=False, capture_output=True, text=True,
                          env=env(), cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    published = (REPO / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert proc.stdout == published, "docs/openapi.json is stale: python -m skillscan serve openapi > docs/openapi.json"
    doc = json.loads(published)
    assert {"/v1/packages", "/v1/jobs/{job}", "/v1/jobs/{job}/verdict", "/v1/verdicts/sha256/{digest}",
            "/v1/verdicts/batch", "/v1/packages/{name}/latest", "/v1/rechecks", "/healthz",
            "/metrics"} <= set(doc["paths"])


def test_the_server_serves_the_same_document(tmp_path: Path) -> None:
    with running(tmp_path / "data", None, workers=0) as srv, srv.client(token=None) as c:
        served = c.get("/openapi.json").json()
    assert served == json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
