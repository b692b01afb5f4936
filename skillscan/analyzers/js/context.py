"""What a JavaScript/TypeScript rule family of `js/checks.py` reads and writes: the file's parse, values and
request reader, the nodes the index of the parse does not hold (found by one bounded walk), and the findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from skillscan.analyzers.js.flows import FlowFinder
from skillscan.analyzers.js.parse import MAX_NODES
from skillscan.model import Confidence, Finding, Location

WALKED = frozenset({"string", "template_string", "object", "pair", "ternary_expression", "binary_expression",
                    "subscript_expression", "if_statement"})


@dataclass
class Context:
    """One file's parse, values and request reader, the nodes the checks read, and the findings they make."""

    flows: FlowFinder
    nodes: dict[str, list[Any]]
    out: list[Finding] = field(default_factory=list)

    @property
    def parsed(self) -> Any:
        return self.flows.parsed

    @property
    def values(self) -> Any:
        return self.flows.values

    @property
    def path(self) -> str:
        return self.flows.path

    def text(self, node: Any) -> str:
        return self.parsed.text(node)

    def bound(self, name: Any) -> Any:
        """The expression last bound to the identifier `name` where it is read, or None."""
        return self.values.bindings.lookup(self.text(name), name.start_byte)

    def where(self, node: Any) -> Location:
        line, col = self.parsed.position(node)
        return Location(self.path, line, col)

    def emit(self, rule: str, message: str, node: Any, *, confidence: Confidence | None = None,
             related: Iterable[Location] = (), capabilities: Iterable[str] = ()) -> None:
        from skillscan.analyzers.base import finding

        line, col = self.parsed.position(node)
        if any(f.rule_id == rule and f.location.line == line for f in self.out):
            return  # one finding of a rule per line
        src_line = self.parsed.src.split(b"\n")[line - 1] if line - 1 < self.parsed.src.count(b"\n") + 1 else b""
        self.out.append(finding(rule, message, self.path, line, col, confidence=confidence, related=tuple(related),
                                snippet=src_line.decode("utf-8", "replace").strip()[:200],
                                capabilities=dict.fromkeys(capabilities)))


def walk(parsed: Any, kinds: frozenset[str] = WALKED) -> dict[str, list[Any]]:
    """The nodes of `kinds` in source order, by kind, within MAX_NODES visited nodes (the bound is reported)."""
    out: dict[str, list[Any]] = {}
    if parsed.root is None:
        return out
    cursor = parsed.root.walk()
    visited = 0
    while True:
        visited += 1
        if visited > MAX_NODES:
            parsed._say(f"only the first {MAX_NODES:,} syntax nodes were read for strings, objects and conditions")
            return out
        node = cursor.node
        if node.type in kinds:
            out.setdefault(node.type, []).append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out
