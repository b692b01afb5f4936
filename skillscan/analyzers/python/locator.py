"""Positions of reported libcst nodes, without libcst's metadata providers."""

from __future__ import annotations

import bisect

import libcst as cst

from skillscan.analyzers.python.needle import Needle
from skillscan.lazyre import lazy
from skillscan.model import Location

_NEWLINE = lazy("\n")


class Locator:
    """Positions without PositionProvider: the source text of a node (libcst round-trips exactly) is
    searched for from a cursor that follows the pre-order visit; a cheap line index maps offsets to
    lines. Only reported nodes are located."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        self.cursor = 0
        # the offset of every "\n" (found by the regex engine, not a Python loop over every character)
        self.newlines = [m.start() for m in _NEWLINE.finditer(source)] if len(source) < 4_000_000 else []
        self.cache: dict[int, tuple[int, int]] = {}
        self.claimed: set[tuple[int, str]] = set()

    def _needle(self, node: cst.CSTNode, whole: bool = False) -> Needle | None:
        """The node's source text to search for; for a call, its callee followed by `(` — or, with `whole`,
        the call's own text with its arguments (`os.getenv("A")` is not `os.getenv("B")`)."""
        target = node.func if isinstance(node, cst.Call) and not whole else node
        try:
            code = self.module.code_for_node(target)
        except Exception:  # noqa: BLE001 - codegen of a detached node
            return None
        if not code:
            return None
        return Needle.of(code, call=isinstance(node, cst.Call) and not whole)

    def _ok(self, pos: int) -> bool:
        """Not inside a whole-line comment."""
        start = self.source.rfind("\n", 0, pos) + 1
        return not self.source[start:pos].lstrip().startswith("#")

    def offset(self, node: cst.CSTNode) -> int:
        key = id(node)
        if key in self.cache:
            return self.cache[key][0]
        # a call by its whole text first: calls of one function look alike up to their arguments, and a
        # function analysed out of visiting order (at its call site) must not take another call's place
        pos = self._find(self._needle(node, whole=True)) if isinstance(node, cst.Call) else -1
        if pos < 0:
            pos = self._find(self._needle(node))
        if pos < 0:
            pos = self.cursor
        self.cache[key] = (pos, 0)
        return pos

    def _find(self, needle: Needle | None) -> int:
        pos = -1
        if needle is not None:
            for start in needle.starts(self.source, self.cursor):
                if self._ok(start) and (start, needle.key) not in self.claimed:
                    pos = start
                    self.cursor = pos
                    break
            if pos < 0:
                for start in needle.starts(self.source, 0, self.cursor + 1):
                    if self._ok(start):
                        pos = start
            if pos >= 0:
                self.claimed.add((pos, needle.key))
        return pos

    def location(self, path: str, node: cst.CSTNode) -> Location:
        pos = self.offset(node)
        line = bisect.bisect_left(self.newlines, pos) + 1
        start = self.newlines[line - 2] + 1 if line >= 2 else 0
        end = self.newlines[line - 1] if line - 1 < len(self.newlines) else len(self.source)
        return Location(path, line, pos - start + 1, None, None, self.source[start:end].strip()[:300])

