"""Reports about a node the walk has not reached yet, made when it gets there.

The locator (`locator.Locator`) finds a reported node's position by searching its text forward from the last
position it found: a check that runs while visiting a parent (a dict, an `if`, a call) and reports a child
further down would move that cursor past the nodes in between, and the same text later in the file would be
taken for them. Such a check hands the report to `defer`; the visitor calls `flush_deferred` when it visits the
child, in order."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.model import Location

RULE_IDS: tuple[str, ...] = ()
MAX_PENDING = 256


class DeferredReports(Flows):
    def defer(self, node: cst.CSTNode, report: Callable[[Location], None]) -> None:
        pending: dict[int, Callable[[Location], None]] = self.__dict__.setdefault("_deferred", {})
        if len(pending) < MAX_PENDING and id(node) not in pending:
            pending[id(node)] = report

    def flush_deferred(self, node: cst.CSTNode) -> None:
        pending: dict[int, Callable[[Location], None]] | None = self.__dict__.get("_deferred")
        if pending and (report := pending.pop(id(node), None)) is not None:
            report(self.loc.location(self.path, node))
