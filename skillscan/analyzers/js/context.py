"""What a JavaScript/TypeScript rule family of `js/checks.py` reads and writes: the file's parse, values and
request reader, the nodes of the parse they read (`Parsed.of_kind`), and the findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from skillscan.analyzers.js.flows import FlowFinder
from skillscan.model import Confidence, Finding, Location


@dataclass
class Context:
    """One file's parse, values and request reader, the nodes the checks read, and the findings they make."""

    flows: FlowFinder
    out: list[Finding] = field(default_factory=list)
    evaluated: list[tuple[int, str]] = field(default_factory=list)  # (line, constant code an eval runs)

    @property
    def parsed(self) -> Any:
        return self.flows.parsed

    @property
    def values(self) -> Any:
        return self.flows.values

    @property
    def path(self) -> str:
        return self.flows.path

    def of_kind(self, kind: str) -> list[Any]:
        """The file's nodes of one kind the parse finds (`parse.INDEXED`, `parse.READ`), in source order."""
        return self.parsed.of_kind(kind)

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

