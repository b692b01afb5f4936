"""The Python API (skillscan.scan, skillscan.gate): the same data as the CLI's JSON contract — compared
with the real CLI's output on the same packages — schema-valid, usage errors as exceptions, and a
lazy `import skillscan`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import FIXTURES, REPO, REPORT_SCHEMA, scan_json, skillscan

import skillscan as pkg
from skillscan.api import UsageError

VERDICT_SCHEMA = REPO / "rules" / "schemas" / "verdict-v1.schema.json"
AS_OF = "2026-11-27"
PATHS = ["fixtures/lp-drift-v1", "fixtures/core-malicious-key-exfil", "fixtures/lp-gemini-env"]


def _timeless(doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    doc.get("summary", {}).pop("seconds", None)
    return doc


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_scan_returns_the_cli_json_report() -> None:
    api = pkg.scan(PATHS, use_cache=False)
    cli, _ = scan_json("--no-cache", *PATHS)
    jsonschema.validate(api, json.loads(REPORT_SCHEMA.read_text(encoding="utf-8")))
    assert _timeless(api) == _timeless(cli)
    assert api["schema"] == "skillscan.report/v1"
    assert [p["verdict"] for p in api["packages"]] == ["allow", "block", "review"]


def test_scan_min_severity_filters_like_the_cli() -> None:
    api = pkg.scan(["fixtures/lp-gemini-env"], use_cache=False, min_severity="high")
    cli, _ = scan_json("--no-cache", "--min-severity", "high", "fixtures/lp-gemini-env")
    assert _timeless(api) == _timeless(cli)


def test_gate_returns_the_cli_verdict_record() -> None:
    api = pkg.gate(PATHS, as_of=AS_OF)
    proc = skillscan("gate", "--no-config", "--as-of", AS_OF, *PATHS, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert api == json.loads(proc.stdout)
    jsonschema.validate(api, json.loads(VERDICT_SCHEMA.read_text(encoding="utf-8")))


def test_gate_previous_is_the_cli_previous(tmp_path: Path) -> None:
    v1 = pkg.gate(["fixtures/lp-drift-v1"], as_of=AS_OF)
    prev = tmp_path / "v1.json"
    prev.write_text(json.dumps(v1), encoding="utf-8")
    api = pkg.gate(["fixtures/lp-drift-v2"], as_of=AS_OF, previous=v1)
    proc = skillscan("gate", "--no-config", "--as-of", AS_OF, "--previous", str(prev), "fixtures/lp-drift-v2",
                     timeout=300)
    assert api == json.loads(proc.stdout)
    assert api["decision"] == "review" and api["packages"][0]["capabilities"]["new_since_previous"]


def test_gate_previous_by_input_compares_each_input_with_its_own_previous() -> None:
    v1 = pkg.gate(["fixtures/lp-drift-v1"], as_of=AS_OF)
    got = pkg.gate(["fixtures/lp-drift-v2", "fixtures/lp-drift-v1"], as_of=AS_OF,
                   previous_by_input={"fixtures/lp-drift-v2": v1})
    by_root = {p["root"]: p for p in got["packages"]}
    assert by_root["fixtures/lp-drift-v2"]["previous"]["version"] == v1["packages"][0]["version"]
    assert by_root["fixtures/lp-drift-v2"]["decision"] == "review"
    # the same format and name in the other input, compared with nothing
    assert by_root["fixtures/lp-drift-v1"]["previous"] is None
    assert by_root["fixtures/lp-drift-v1"]["decision"] == "allow"


def test_usage_errors_raise_before_scanning(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("schema: nope\n", encoding="utf-8")
    with pytest.raises(UsageError):
        pkg.gate(["fixtures/lp-drift-v1"], policy=str(bad))
    with pytest.raises(UsageError):
        pkg.scan(["fixtures/lp-drift-v1"], as_of="yesterday")
    with pytest.raises(UsageError):
        pkg.scan("fixtures/lp-drift-v1")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        pkg.gate(["fixtures/lp-drift-v1"], previous={"neither": 1})


def test_unreadable_input_is_an_error_verdict_not_an_exception(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    rec = pkg.gate([str(broken)], as_of=AS_OF)
    assert rec["decision"] == "error"


def test_import_is_lazy_and_exports_scan_and_gate() -> None:
    code = ("import sys, skillscan; assert 'skillscan.engine' not in sys.modules and 'skillscan.api' not in "
            "sys.modules; f = skillscan.gate; assert 'skillscan.api' in sys.modules; print(f.__module__)")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "skillscan.api", proc.stderr
    assert set(pkg.__all__) >= {"scan", "gate"}
    with pytest.raises(AttributeError):
        pkg.nothing_here  # noqa: B018
    assert FIXTURES.is_dir()
