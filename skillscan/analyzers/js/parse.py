"""One bounded tree-sitter parse of a JavaScript/TypeScript file (tree-sitter-javascript for .js/.mjs/.cjs/.jsx,
tree-sitter-typescript for .ts/.tsx). Nothing is executed. The bounds — bytes parsed, nodes visited, nesting
followed, seconds spent walking — are each said in `Parsed.cut` when they stop the analysis early, so the
caller reports what was not read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_SOURCE = 2 * 1024 * 1024  # bytes of one file that are parsed
MAX_NODES = 400_000  # tree nodes visited per file
MAX_NEST = 256  # nesting of the tree followed
MAX_SECONDS = 3.0  # seconds one file's walk may take


@lru_cache(maxsize=3)
def _parser(grammar: str) -> Any:
    from tree_sitter import Language, Parser

    if grammar == "javascript":
        import tree_sitter_javascript

        return Parser(Language(tree_sitter_javascript.language()))
    import tree_sitter_typescript

    lang = tree_sitter_typescript.language_tsx() if grammar == "tsx" else tree_sitter_typescript.language_typescript()
    return Parser(Language(lang))


def grammar_for(path: str, language: str) -> str:
    if path.lower().endswith(".tsx"):
        return "tsx"
    return "typescript" if language == "typescript" or path.lower().endswith((".ts", ".mts", ".cts")) else "javascript"


@dataclass
class Parsed:
    """A parsed file: its bytes, the tree's root (None when it could not be parsed), what stopped early."""

    src: bytes
    root: Any
    cut: list[str] = field(default_factory=list)
    nodes: int = 0
    deadline: float = 0.0
    _lines: list[int] | None = None

    def text(self, node: Any) -> str:
        """A node's source text — of whichever parse it belongs to (a snippet's nodes read their own text)."""
        raw = node.text
        return raw.decode("utf-8", "replace") if raw is not None else ""

    def position(self, node: Any) -> tuple[int, int]:
        """(1-based line, 1-based character column) of a node."""
        row, bcol = node.start_point
        if self._lines is None:
            starts = [0]
            starts.extend(i + 1 for i, b in enumerate(self.src) if b == 10)
            self._lines = starts
        start = self._lines[row] if row < len(self._lines) else 0
        return row + 1, len(self.src[start:start + bcol].decode("utf-8", "replace")) + 1

    def spent(self) -> bool:
        """True (and the bound said once) when the walk's node or time budget is used up."""
        if self.nodes > MAX_NODES:
            self._say(f"only the first {MAX_NODES:,} syntax nodes were analysed")
            return True
        if self.nodes % 512 == 0 and time.monotonic() > self.deadline:
            self._say(f"the analysis stopped after {MAX_SECONDS:g} seconds; later code was not analysed")
            self.nodes = MAX_NODES + 1
            return True
        return False

    def _say(self, why: str) -> None:
        if why not in self.cut:
            self.cut.append(why)

    def walk(self) -> Iterator[Any]:
        """Every node in source order, within the node, nesting and time bounds."""
        if self.root is None:
            return
        stack: list[tuple[Any, int]] = [(self.root, 0)]
        while stack:
            node, depth = stack.pop()
            self.nodes += 1
            if self.spent():
                return
            yield node
            if depth >= MAX_NEST:
                if node.child_count:
                    self._say(f"code nested deeper than {MAX_NEST} levels was not analysed")
                continue
            stack.extend((c, depth + 1) for c in reversed(node.children))


def parse_snippet(expr: str) -> Any:
    """The expression node of one expression's text (parsed as TypeScript inside parentheses), or None when
    the text is not one clean expression."""
    src = ("(" + expr + "\n)").encode("utf-8", "replace")
    if len(src) > MAX_SOURCE:
        return None
    tree = _parser("typescript").parse(src)
    root = tree.root_node if tree is not None else None
    if root is None or root.has_error or root.named_child_count != 1:
        return None
    stmt = root.named_children[0]
    if stmt.type != "expression_statement" or not stmt.named_children:
        return None
    node = stmt.named_children[0]
    if node.type != "parenthesized_expression" or node.named_child_count != 1:
        return None
    return node.named_children[0]


def parse(text: str, path: str, language: str) -> Parsed:
    src = text.encode("utf-8", "replace")
    cut: list[str] = []
    if len(src) > MAX_SOURCE:
        src = src[:MAX_SOURCE]
        cut.append(f"only the first {MAX_SOURCE:,} bytes were parsed")
    try:
        tree = _parser(grammar_for(path, language)).parse(src)
    except (ValueError, RuntimeError) as exc:  # pragma: no cover - tree-sitter refuses only broken input
        return Parsed(src, None, cut + [f"the file could not be parsed ({exc.__class__.__name__})"])
    return Parsed(src, tree.root_node if tree is not None else None, cut, deadline=time.monotonic() + MAX_SECONDS)
