"""A group's file tasks are collected as they end, not in task order (skillscan/analyze.py `_collect`), and a
package is finished (permit and decide) as soon as its own tasks are in when no batch-engine run is left for it
(skillscan/engine.py `_Scan._alone`), while the pool still works on the others: the findings of a package are
still put together in task order, a package whose task broke the pool is re-run alone, and the report is the
one a scan with one job gives."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

import skillscan.analyze as analyze
import skillscan.engine as engine
from skillscan.analyze import Workers, _collect, _here, _InFlight, _tasks
from skillscan.analyzers import batch_analyzers
from skillscan.analyzers.base import finding
from skillscan.engine import ScanOptions, scan
from skillscan.loaders.discover import iter_inputs
from skillscan.loaders.files import Limits
from skillscan.model import Finding, Package
from skillscan.report.json import render

REPO = Path(__file__).resolve().parent.parent
MIXED = ["js-malicious-stealer", "core-benign-git-helper", "js-benign-api-client", "py-malicious-tunnel",
         "prose-clawhavoc-lure", "js-malicious-miner", "agent-skill-benign"]


def _package(name: str) -> Package:
    (pkg,) = list(iter_inputs([str(REPO / "fixtures" / name)], Limits()))
    return pkg


def _found(tag: str) -> list[Finding]:
    return [finding("analysis-incomplete", f"task {tag}", f"{tag}.md")]


def _collect_in_thread(flight: _InFlight) -> tuple[threading.Thread, list[tuple[int, list[str]]], dict[str, object]]:
    calls: list[tuple[int, list[str]]] = []
    out: dict[str, object] = {}

    def ready(i: int, fs: list[Finding], vs: list[object], crashed: str | None) -> None:
        calls.append((i, [f.message for f in fs]))

    def run() -> None:
        out["result"] = _collect(flight, Workers(2), ready=ready)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, calls, out


def _wait_for(calls: list[tuple[int, list[str]]], n: int) -> None:
    for _ in range(500):
        if len(calls) >= n:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"ready was called {len(calls)} times, not {n}")


def test_a_package_is_ready_once_its_own_tasks_are_in_and_its_findings_keep_task_order() -> None:
    pkg = _package("core-benign-git-helper")
    args = (pkg, pkg.files[:1])
    futures: list[Future[analyze.Done] | None] = [Future(), Future(), Future()]
    # package 0 has tasks 0 and 2, package 1 task 1
    flight = _InFlight(2, [(0, args), (1, args), (0, args)], futures)  # type: ignore[arg-type]
    thread, calls, out = _collect_in_thread(flight)
    futures[1].set_result((_found("b"), [], []))  # type: ignore[union-attr]
    _wait_for(calls, 1)
    assert calls == [(1, ["task b"])]  # package 1 is ready while task 0 of package 0 still runs
    futures[2].set_result((_found("a2"), [], []))  # type: ignore[union-attr]
    threading.Event().wait(0.2)
    assert len(calls) == 1  # package 0 still waits for its task 0
    futures[0].set_result((_found("a1"), [], []))  # type: ignore[union-attr]
    thread.join(10)
    assert not thread.is_alive()
    assert calls == [(1, ["task b"]), (0, ["task a1", "task a2"])]  # task order, not the order they ended in
    found, _, crashed = out["result"]  # type: ignore[misc]
    assert [f.message for f in found[0]] == ["task a1", "task a2"] and not crashed


def test_tasks_of_a_broken_pool_are_rerun_alone_in_task_order() -> None:
    pkg = _package("core-benign-git-helper")
    tasks = _tasks([pkg])
    assert tasks
    futures: list[Future[analyze.Done] | None] = [Future() for _ in tasks]
    futures.append(Future())
    flight = _InFlight(2, [*tasks, (1, tasks[0][1])], futures)  # type: ignore[arg-type]
    thread, calls, out = _collect_in_thread(flight)
    futures[-1].set_result((_found("b"), [], []))  # type: ignore[union-attr]
    _wait_for(calls, 1)
    for fut in futures[:-1]:
        fut.set_exception(BrokenProcessPool("a worker died"))  # type: ignore[union-attr]
    thread.join(300)
    assert not thread.is_alive()
    expected: list[Finding] = []
    for _, args in tasks:
        expected.extend(_here(args)[0])
    found, _, crashed = out["result"]  # type: ignore[misc]
    assert found[0] == expected and not crashed  # re-run in a fresh worker: what this process finds
    assert [i for i, _ in calls] == [1, 0]


def _report(jobs: int) -> str:
    doc = json.loads(render(scan([str(REPO / "fixtures" / n) for n in MIXED], ScanOptions(jobs=jobs, use_cache=False))))
    doc.pop("seconds", None)
    doc.get("summary", {}).pop("seconds", None)
    return json.dumps(doc, sort_keys=True)


@pytest.mark.parametrize("batch_first", [False, True])
def test_packages_no_batch_reads_are_finished_while_the_pool_works(monkeypatch: pytest.MonkeyPatch,
                                                                   batch_first: bool) -> None:
    alone = _report(1)
    inside = {"now": False}
    finished: list[tuple[str, bool, bool]] = []  # package, finished inside _collect, a batch engine reads it
    real_collect, real_finish = engine._collect, engine._Scan.finish

    def collect(*args, **kwargs):  # type: ignore[no-untyped-def]
        if batch_first:
            args[3]()  # quiesce: the batch over the real files is over before any task is collected
        inside["now"] = True
        try:
            return real_collect(*args, **kwargs)
        finally:
            inside["now"] = False

    def finish(self, w):  # type: ignore[no-untyped-def]
        batch = batch_analyzers()
        read = any(a.applies(f) for a in batch for f in (*w.package.files, *w.virtual))
        finished.append((w.package.name, inside["now"], read))
        return real_finish(self, w)

    monkeypatch.setattr(engine, "_collect", collect)
    monkeypatch.setattr(engine._Scan, "finish", finish)
    assert _report(2) == alone  # the same report, in the same order, as one job gives
    unread = [(name, early) for name, early, read in finished if not read]
    assert unread and all(early for _, early in unread)  # each was decided before its group was collected
    assert len(finished) == len(MIXED)  # each package decided once
    if batch_first:  # a package the batch over its real files has read, and no late batch reads: decided early too
        assert any(early and read for _, early, read in finished)
