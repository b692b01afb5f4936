"""Where each thing a Python flow names is written (`model.Carrier`): the read of each credential variable
(`os.environ.get("DO_API_TOKEN")`, the source's own location), the read of a credential file, and the literal
holding the host the request goes to — in the call itself, or in the assignment of a name the call uses
(`API = "https://api.digitalocean.com/v2"` … `requests.get(f"{API}/droplets", …)`), followed through the
names' last assigned expressions (MAX_HOPS names deep). No positions from libcst: an assignment's line is found
in the source text (the line that assigns the name and, within its statement, holds the host)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import libcst as cst

from skillscan.analyzers.python.values import Binding, Source
from skillscan.model import Carrier, Flow, Location

MAX_HOPS = 4  # names followed from the call to the literal
MAX_NAMES = 16  # names looked at per hop
STATEMENT_LINES = 12  # lines of one assignment searched for the host


def source_carriers(t: Source, flow: Flow, via: str = "") -> list[Carrier]:
    """The variable or file a source reads, at the line it is read, with the variable `via` that carried the
    value from that read to the sink ("" when it is read in the sink's own call)."""
    if flow.source == "variables" and flow.names:
        return [Carrier("variable", flow.names[0], via, t.location.path, t.location.line)]
    if flow.source == "file" and flow.names:
        return [Carrier("path", flow.names[0], via, t.location.path, t.location.line)]
    return []


def carrying_name(expr: cst.BaseExpression, t: Source, lookup: object, lines: list[str]) -> str:
    """The variable assigned from the read of `t` that carries it into `expr`: the names `expr` uses whose
    bindings hold `t` are followed (MAX_HOPS deep) to the one whose assignment holds the read's line
    (`token = os.environ.get("X")` … `headers = {"Authorization": token}` … `post(url, headers=headers)` →
    `token`). "" when the read is in `expr` itself or no name is assigned at the read."""
    for name, _ in _followed(expr, lookup, lambda b: t in b.taint):
        if _assigned_at(lines, name, t.location.line):
            return name
    return ""


def _followed(start: cst.CSTNode, lookup: object,
              keep: Callable[[Binding], bool]) -> Iterator[tuple[str, cst.CSTNode | None]]:
    """The names `start` uses whose bindings `keep` accepts, with each binding's assigned expression, then the
    names those expressions use, and so on (MAX_HOPS deep, MAX_NAMES per hop, each name once)."""
    frontier, seen = _names(start), set()
    for _ in range(MAX_HOPS):
        following: list[str] = []
        for name in frontier[:MAX_NAMES]:
            if name in seen:
                continue
            seen.add(name)
            b = lookup(name)  # type: ignore[operator]
            if not isinstance(b, Binding) or not keep(b):
                continue
            node = b.node if isinstance(b.node, cst.CSTNode) else None
            yield name, node
            if node is not None:
                following += _names(node)
        frontier = following


def _assigned_at(lines: list[str], name: str, line: int) -> bool:
    """The statement holding line `line` (1-based) assigns `name`: the line itself, or the head of the
    multi-line statement it continues (the nearest line above it that is indented less)."""
    if not 1 <= line <= len(lines):
        return False
    pattern = re.compile(rf"^\s*(?:self\.)?{re.escape(name)}\s*(?::[^=\n]*)?=(?!=)|^\s*(?:async\s+)?(?:with|for)\b.*"
                         rf"\bas\s+{re.escape(name)}\b|^\s*{re.escape(name)}\s*,|,\s*{re.escape(name)}\s*=(?!=)")
    if pattern.search(lines[line - 1]):
        return True
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    for i in range(line - 2, max(-1, line - 1 - STATEMENT_LINES), -1):
        head = lines[i]
        if head.strip() and len(head) - len(head.lstrip()) < indent:
            return bool(pattern.search(head))
    return False


class HostCarrier:
    """Finds the literal holding a host for calls of one module (`lookup` reads the names in scope at the call)."""

    def __init__(self, module: cst.Module, source: str, path: str) -> None:
        self.module = module
        self.source = source
        self.path = path
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.split("\n")  # numbered as findings are
        return self._lines

    def _code(self, node: cst.CSTNode) -> str:
        try:
            return self.module.code_for_node(node)
        except Exception:  # noqa: BLE001 - codegen of a detached node
            return ""

    def find(self, call: cst.Call, host: str, at: Location, lookup: object) -> Carrier | None:
        want = host.lower()
        if want in self._code(call).lower():
            return Carrier("host", host, "", self.path, at.line)
        for name, node in _followed(call, lookup, lambda b: isinstance(b.node, cst.CSTNode)):
            if node is not None and want in self._code(node).lower():
                line = self._assigned(name, want, at.line)
                return Carrier("host", host, name, self.path, line) if line else None
        return None

    def _assigned(self, name: str, want: str, before: int) -> int:
        """The line assigning `name` whose statement holds `want`: the last before the call, else the first."""
        pattern = re.compile(rf"^\s*(?:global\s+)?{re.escape(name)}\s*(?::[^=\n]*)?=(?!=)")
        found = [i + 1 for i, text in enumerate(self.lines) if pattern.match(text) and
                 want in "\n".join(self.lines[i:i + STATEMENT_LINES]).lower()]
        earlier = [n for n in found if n <= before]
        return earlier[-1] if earlier else found[0] if found else 0


def _names(node: cst.CSTNode) -> list[str]:
    out: list[str] = []

    class _Visit(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value not in out:
                out.append(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)  # `self.base` / `cfg.url`: the object's name, not the attribute's
            return False

    node.visit(_Visit())
    return out
