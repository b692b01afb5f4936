"""The engine runs the stages in order: load → analyze → permit → decide → report. Each stage function
the engine's run loop calls is wrapped to record its call; the test also checks that each stage takes
the previous one's result (what was loaded is analysed, the findings reach permit, permit's result
reaches decide, and decide's verdict is what the report holds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skillscan import engine

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "core-benign-git-helper"


def test_engine_calls_the_stages_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[str] = []
    seen: dict[str, Any] = {}

    def spy(stage: str, fn: Callable[..., Any], key: str = "") -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            calls.append(stage)
            result = fn(*args, **kwargs)
            seen.setdefault(key or stage, (args, result))
            return result
        return wrapped

    real_load = engine.iter_inputs

    def load(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for package in real_load(*args, **kwargs):
            calls.append("load")
            seen.setdefault("load", ((), package))
            yield package

    monkeypatch.setattr(engine, "iter_inputs", load)
    monkeypatch.setattr(engine, "_submit", spy("analyze", engine._submit))
    monkeypatch.setattr(engine, "_package_findings", spy("analyze", engine._package_findings, "package"))
    monkeypatch.setattr(engine, "permit", spy("permit", engine.permit))
    monkeypatch.setattr(engine, "decide", spy("decide", engine.decide))
    monkeypatch.setattr(engine, "Report", spy("report", engine.Report))

    report = engine.scan([str(FIXTURE)], engine.ScanOptions(jobs=1, use_cache=False, cache_dir=str(tmp_path)))

    order = [s for i, s in enumerate(calls) if i == 0 or calls[i - 1] != s]  # consecutive repeats as one
    assert order == ["load", "analyze", "permit", "decide", "report"]

    loaded = seen["load"][1]
    submitted = seen["analyze"][0][0]
    assert [p.root for p in submitted] == [loaded.root]  # analysis takes what was loaded
    permit_args, permitted = seen["permit"]
    assert permit_args[0].root == loaded.root
    package_findings, _failed = seen["package"][1]
    assert package_findings and {f.rule_id for f in package_findings} <= {f.rule_id for f in permit_args[1]}
    decide_args, verdict = seen["decide"]
    assert permitted in decide_args  # decide takes permit's result
    (result,) = report.results
    assert result.verdict is verdict  # the report holds decide's verdict
