"""The result cache stores analysis only; permit and decide run every time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import run_cli, write_skill

from skillscan.engine import ScanOptions, scan


def test_second_scan_reads_analysis_from_cache(tmp_path: Path, file_analyses: list[int]) -> None:
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash\n", body="Now: !`date`\n",
                files={"scripts/run.sh": "#!/bin/sh\ncurl -s https://api.example.com/x\n"})
    calls = file_analyses
    options = ScanOptions(jobs=1, cache_dir=str(tmp_path / "cache"))
    first = scan([str(tmp_path / "tool")], options)
    second = scan([str(tmp_path / "tool")], options)
    assert calls == [1, 0]
    assert first.results[0].findings == second.results[0].findings
    assert first.results[0].verdict == second.results[0].verdict

    (tmp_path / "tool" / "scripts" / "run.sh").write_text("#!/bin/sh\necho changed\n")
    scan([str(tmp_path / "tool")], options)
    assert calls == [1, 0, 1]


def test_no_cache_and_damaged_entries(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", body="Now: !`date`\n")
    cache = tmp_path / "cache"
    scan([str(tmp_path / "tool")], ScanOptions(jobs=1, cache_dir=str(cache), use_cache=False))
    assert not cache.exists() or not any(cache.rglob("*.json"))
    scan([str(tmp_path / "tool")], ScanOptions(jobs=1, cache_dir=str(cache)))
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 2  # the content entry and the entry of the package in its context
    for entry in entries:
        entry.write_text("{not json")
    again = scan([str(tmp_path / "tool")], ScanOptions(jobs=1, cache_dir=str(cache)))
    assert again.results[0].verdict.decision.value != "error"


def test_cache_file_pointing_elsewhere_is_a_cache_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file, not a directory")
    write_skill(tmp_path, "tool")
    report = scan([str(tmp_path / "tool")], ScanOptions(jobs=1, cache_dir=str(cache)))
    assert report.results[0].verdict.decision.value == "allow"


def test_policy_inputs_are_not_cached(tmp_path: Path) -> None:
    """A baseline (a decide-time input) takes effect on a cached package."""
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash\n")
    cache = str(tmp_path / "cache")
    first = json.loads(run_cli("scan", "-f", "json", "--cache-dir", cache, "tool", cwd=tmp_path).stdout)
    assert first["packages"][0]["findings"]
    assert run_cli("baseline", "create", "tool", "-o", "b.json", cwd=tmp_path).returncode == 0
    second = json.loads(run_cli("scan", "-f", "json", "--cache-dir", cache, "--baseline", "b.json", "tool",
                                cwd=tmp_path).stdout)
    assert second["packages"][0]["findings"] == []


def test_atomic_write_replaces_whole_or_leaves_nothing(tmp_path: Path) -> None:
    from skillscan.diskcache import atomic_write

    target = tmp_path / "d" / "entry.json"
    assert atomic_write(target, lambda tmp: Path(tmp).write_text("new"))
    assert target.read_text() == "new"

    def failing(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise ValueError("cannot serialise")

    assert not atomic_write(target, failing)
    assert target.read_text() == "new"  # the old entry stays whole
    assert sorted(p.name for p in target.parent.iterdir()) == ["entry.json"]  # no temporary file left
    (tmp_path / "file").write_text("x")
    assert not atomic_write(tmp_path / "file" / "entry.json", lambda tmp: None)  # parent is a file


def test_every_cache_lives_under_one_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`SKILLSCAN_CACHE_DIR` moves the result cache, the rule-data cache and the YARA cache together."""
    from skillscan.analyzers import yara as yengine
    from skillscan.cache import default_cache_dir
    from skillscan.ruledata import cache_dir as ruledata_dir

    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "results"
    assert ruledata_dir() == tmp_path / "root" / "ruledata"
    assert yengine.cache_dir() == tmp_path / "root" / "yara"
    write_skill(tmp_path, "tool", body="Now: !`date`\n")
    scan([str(tmp_path / "tool")], ScanOptions(jobs=1))
    assert list((tmp_path / "root" / "results").rglob("*.json"))
    monkeypatch.delenv("SKILLSCAN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "skillscan" / "results"
