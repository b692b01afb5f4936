"""No dead state in the pre-filter: every field of `Triggers` is declared by at least one family (a field no
family sets is a test the pre-filter runs for nothing), and `Reach` keeps only what it reads."""

from __future__ import annotations

import dataclasses
import inspect

from skillscan.analyzers.python import prefilter
from skillscan.analyzers.python.triggers import Triggers


def _declared(t: Triggers) -> list[Triggers]:
    return [t, *(_declared(t.also) if t.also is not None else [])]


def test_every_triggers_field_is_declared_by_a_family() -> None:
    default = Triggers()
    every = [d for f in prefilter.families() for d in _declared(f.__dict__["TRIGGERS"])]
    unused = [fl.name for fl in dataclasses.fields(Triggers)
              if fl.name != "also" and all(getattr(d, fl.name) == getattr(default, fl.name) for d in every)]
    assert unused == []


def test_reach_keeps_no_attribute_it_never_reads() -> None:
    source = inspect.getsource(prefilter)
    kept = set(__import__("re").findall(r"self\.(\w+) = ", inspect.getsource(prefilter.Reach.__init__)))
    unread = [a for a in kept if source.count(f"self.{a}") < 2]
    assert unread == []
