"""Reports about a node the walk has not reached yet, made when it gets there.

The locator (`locator.Locator`) finds a reported node's position by searching its text forward from the last
position it found: a check that runs while visiting a parent (a dict, an `if`, a call) and reports a child
further down would move that cursor past the nodes in between, and the same text later in the file would be
taken for them. Such a check hands the report to `defer`; the walk (`walk.py`) hands every node it reaches to
`flush_deferred` while a report waits (one generic hook: any node type, nothing to add per check), in order.
A report whose node the walk never reaches (a skipped subtree) is made at the end of the module
(`finish_deferred`), and past MAX_PENDING waiting reports the reports left out are counted and said as
`analysis-incomplete`: a report is never dropped in silence."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.model import Location

RULE_IDS: tuple[str, ...] = ()
MAX_PENDING = 256  # reports waiting at one time

Report = Callable[[Location], None]


class DeferredReports(Flows):
    @property
    def pending_at_node(self) -> dict[int, tuple[cst.CSTNode, Report]]:
        """The reports waiting for the walk to reach their node, by the node's id (read by `walk.walk`)."""
        pending: dict[int, tuple[cst.CSTNode, Report]] = self.__dict__.setdefault("_deferred", {})
        return pending

    def defer(self, node: cst.CSTNode, report: Report) -> None:
        pending = self.pending_at_node
        if id(node) in pending:
            return
        if len(pending) >= MAX_PENDING:
            self.__dict__["_deferred_over"] = self.__dict__.get("_deferred_over", 0) + 1
            return
        pending[id(node)] = (node, report)

    def flush_deferred(self, node: cst.CSTNode) -> None:
        held = self.pending_at_node.pop(id(node), None)
        if held is not None:
            held[1](self.loc.location(self.path, node))

    def finish_deferred(self) -> None:
        """At the end of the module: the reports whose node the walk did not reach, and the bound's report."""
        pending = self.pending_at_node
        while pending:
            self.flush_deferred(next(iter(pending.values()))[0])
        over = self.__dict__.pop("_deferred_over", 0)
        if over:
            self.emit("analysis-incomplete",
                      f"{self.path}: {over} report(s) about code further down than the analysis had reached were "
                      f"not made: at most {MAX_PENDING} wait at a time", Location(self.path, 1, 1))
