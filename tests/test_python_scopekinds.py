"""`scopekinds.ScopeNodes` sorts a scope's nodes by kind as the `isinstance` filters py-runs-data-command ran on
every pass did (the same nodes, in the same order), and `field_parts` lists what the old per-pass record-field
test read — checked on every scope of modules using every kind of syntax and of the corpus-like shapes the rule
reads, with the field test run both ways over many sets of record and field names."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import libcst as cst
import pytest

from skillscan.analyzers.python.checks.data_command import DataCommandChecks, _code
from skillscan.analyzers.python.checks.written_code import _scopes
from skillscan.analyzers.python.scopekinds import ScopeNodes, field_parts
from skillscan.analyzers.python.walk import nodes_under
from tests.test_python_walk import SYNTAX

RECORDS = '''
import json, os, subprocess, yaml
def load(p):
    with open(p) as fh, open("x") as (a):
        data: dict = json.load(fh)
    return data
def run(ticket, steps=None, *a, **k):
    cmd = ticket["command"]; other = ticket.get("x", 1).get("y")
    for step in ticket["steps"]:
        subprocess.run(step.get("run"), shell=True)
        os.system(f"sh {cmd} {steps[0][1]}")
        eval(lambda q: q["z"])
    async def inner():
        return await run(load("t.json")["a"], (yield))
    x = y = ticket[0]
    x += ticket["n"]
    return [r["c"] for r in rows if r.get()], {k: v["d"] for k, v in ticket.items()}
class C:
    def m(self, t=json.loads(os.environ["T"])["cmd"]):
        with (yield t.get("w")) as w:
            return
'''


def old_field(expr: cst.BaseExpression, records: set[str], fields: dict[str, str]) -> str | None:
    """py-runs-data-command's record-field test as it was (every node under `expr` tested on each call)."""
    for n in [expr, *nodes_under(expr)]:
        if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) and n.value.value in records:
            return _code(n)
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "get" and \
                isinstance(n.func.value, cst.Name) and n.func.value.value in records and n.args:
            return _code(n)
        if isinstance(n, cst.Name) and n.value in fields:
            return fields[n.value]
    return None


def new_field(expr: cst.BaseExpression, records: set[str], fields: dict[str, str],
              held: dict[int, object] | None = None) -> str | None:
    """The production test (`DataCommandChecks._dc_field`), with or without its per-module memo of parts."""
    owner = SimpleNamespace(**({} if held is None else {"_dc_parts": held}))
    return DataCommandChecks._dc_field(owner, expr, records, fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("source", [SYNTAX, RECORDS, Path(__file__).read_text("utf-8")])
def test_the_kinds_are_the_isinstance_filters(source: str) -> None:
    for _, nodes in _scopes(cst.parse_module(source)):
        kinds = ScopeNodes.of(nodes)
        assert kinds.assigns == [n for n in nodes if isinstance(n, (cst.Assign, cst.AnnAssign, cst.For))]
        assert kinds.calls == [n for n in nodes if isinstance(n, cst.Call)]
        assert kinds.with_items == [n for n in nodes if isinstance(n, cst.WithItem)]
        assert kinds.withs == [n for n in nodes if isinstance(n, cst.With)]
        assert kinds.returns == [n for n in nodes if isinstance(n, cst.Return) and n.value is not None]


def test_the_field_test_reads_the_same_parts() -> None:
    module = cst.parse_module(RECORDS + SYNTAX)
    exprs = [n for n in [module, *nodes_under(module)] if isinstance(n, cst.BaseExpression)]
    names = sorted({n.value for n in exprs if isinstance(n, cst.Name)})
    picks = [set(c) for size in (0, 1, 2) for c in itertools.combinations(names[::5], size)]
    shown = 0
    memo: dict[int, object] = {}
    for i, records in enumerate(picks):
        for fielded in (set(), picks[(i * 7) % len(picks)], records):
            fields = {name: f"shown {name}" for name in fielded}
            for expr in exprs:
                want = old_field(expr, records, fields)
                assert new_field(expr, records, fields) == want
                assert new_field(expr, records, fields, memo) == want  # parts listed once, read again
                shown += want is not None
    assert shown > 100  # the sets above do make the test find fields
