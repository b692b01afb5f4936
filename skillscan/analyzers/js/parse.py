"""One bounded tree-sitter parse of a JavaScript/TypeScript file (tree-sitter-javascript for .js/.mjs/.cjs/.jsx,
tree-sitter-typescript for .ts/.tsx), an index of the nodes the analysis starts from (declarations,
assignments, functions, calls) found by one tree-sitter query, and the strings, objects and conditions the rule
families of js/checks.py read, found by another when first asked for. Nothing is executed. The bounds — bytes parsed,
nodes indexed and evaluated, seconds spent — are each said in `Parsed.cut` when they stop the analysis early,
so the caller reports what was not read."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_SOURCE = 2 * 1024 * 1024  # bytes of one file that are parsed
MAX_NODES = 400_000  # tree nodes indexed and evaluated per file
MAX_SECONDS = 3.0  # seconds one file's analysis may take
# the node kinds the analysis starts from, found by one tree-sitter query (in C, not a Python walk)
INDEXED = ("variable_declarator", "assignment_expression", "function_declaration", "generator_function_declaration",
           "call_expression", "new_expression")
# the strings, objects and conditions the rule families beyond the flows read (js/checks.py), found the same way
# when first asked for, within the first MAX_NODES syntax nodes of the tree
READ = ("string", "template_string", "object", "pair", "ternary_expression", "binary_expression",
        "subscript_expression", "if_statement")


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
    grammar: str = "javascript"
    _lines: list[int] | None = None
    _index: dict[str, list[Any]] | None = None
    _read: dict[str, list[Any]] | None = None
    _walked: dict[str, list[Any]] | None = None  # a tree with syntax errors: the nodes of INDEXED and READ

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

    def of_kind(self, kind: str) -> list[Any]:
        """Every node of one of the indexed kinds (`INDEXED`) or of the read kinds (`READ`), in source order,
        within the node bound."""
        if kind in READ:
            if self._read is None:
                self._read = _read(self)
            return self._read.get(kind, [])
        if self._index is None:
            self._index = _index(self)
        return self._index.get(kind, [])


def parse_snippet(expr: str) -> Any:
    """The expression node of one expression's text (parsed as TypeScript inside parentheses), or None when
    the text is not one clean expression."""
    src = ("(" + expr + "\n)").encode("utf-8", "replace")
    if len(src) > MAX_SOURCE:
        return None
    with _LOCK:
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


# Trees shared within one process, by grammar and source: a file is parsed once whether the module facts (js/modules.py, before the
# workers), the js-decode engine or the semgrep Resolver asks first. A tree holds no analysis state (each
# `Parsed` around it has its own budget, index and cuts). Trees cannot cross processes (tree-sitter's nodes do not
# pickle): a file the js-decode engine parses in a worker process is parsed again in the main process only when
# a semgrep match in it needs folding (bench/profile_stages.py counts the parses).
MAX_SHARED = 64  # trees kept
MAX_SHARED_BYTES = 16 * 1024 * 1024  # bytes of source of the trees kept
_SHARED: OrderedDict[tuple[str, bytes], tuple[bytes, Any]] = OrderedDict()  # (grammar, source) → tree
PARSES = {"parsed": 0, "shared": 0}  # tree-sitter parses of JS/TS sources, and parses answered by a kept tree


_LOCK = threading.Lock()  # the semgrep batch thread and the module facts may parse side by side


def _tree(src: bytes, grammar: str) -> Any:
    key = (grammar, src)
    with _LOCK:
        hit = _SHARED.get(key)
        if hit is not None:
            _SHARED.move_to_end(key)
            PARSES["shared"] += 1
            return hit[1]
    with _LOCK:  # one parser per grammar: never used by two threads at once
        tree = _parser(grammar).parse(src)
        PARSES["parsed"] += 1
        _SHARED[key] = (src, tree)
        while len(_SHARED) > 1 and (len(_SHARED) > MAX_SHARED or
                                    sum(len(v[0]) for v in _SHARED.values()) > MAX_SHARED_BYTES):
            _SHARED.popitem(last=False)
    return tree


def parse(text: str, path: str, language: str) -> Parsed:
    src = text.encode("utf-8", "replace")
    cut: list[str] = []
    if len(src) > MAX_SOURCE:
        src = src[:MAX_SOURCE]
        cut.append(f"only the first {MAX_SOURCE:,} bytes were parsed")
    grammar = grammar_for(path, language)
    try:
        tree = _tree(src, grammar)
    except (ValueError, RuntimeError) as exc:  # pragma: no cover - tree-sitter refuses only broken input
        return Parsed(src, None, cut + [f"the file could not be parsed ({exc.__class__.__name__})"])
    return Parsed(src, tree.root_node if tree is not None else None, cut, deadline=time.monotonic() + MAX_SECONDS,
                  grammar=grammar)


@lru_cache(maxsize=6)
def _query(grammar: str, kinds: tuple[str, ...]) -> Any:
    from tree_sitter import Query

    return Query(_parser(grammar).language, " ".join(f"({kind}) @{kind}" for kind in kinds))


def _nodes(parsed: Parsed, kinds: tuple[str, ...]) -> dict[str, list[Any]]:
    """The nodes of `kinds` by kind, in source order. An error-free tree is searched by one query per set of
    kinds; a tree with syntax errors by one bounded cursor walk for both sets (tree-sitter's query engine is
    quadratic on some deeply nested error trees)."""
    if not parsed.root.has_error:
        from tree_sitter import QueryCursor

        found = QueryCursor(_query(parsed.grammar, kinds)).captures(parsed.root)
        return {k: sorted(v, key=lambda n: n.start_byte) for k, v in found.items()}
    if parsed._walked is None:  # one walk finds the nodes of both sets
        parsed._walked = _walk(parsed, frozenset(INDEXED + READ))
    return {k: v for k, v in parsed._walked.items() if k in kinds}


def _order(node: Any) -> tuple[int, int]:
    """Source order, an enclosing node before the nodes it holds (the order a walk of the tree visits them)."""
    return node.start_byte, -node.end_byte


def _read(parsed: Parsed) -> dict[str, list[Any]]:
    """The nodes of the `READ` kinds by kind, among the first MAX_NODES syntax nodes in source order (the nodes
    a walk of the tree visits first); the bound is said."""
    if parsed.root is None:
        return {}
    out = {k: sorted(v, key=_order) for k, v in _nodes(parsed, READ).items()}
    if parsed.root.descendant_count > MAX_NODES:
        parsed._say(f"only the first {MAX_NODES:,} syntax nodes were read for strings, objects and conditions")
        cursor = parsed.root.walk()
        cursor.goto_descendant(MAX_NODES)  # the first node a walk would not visit
        last = _order(cursor.node)
        out = {k: [n for n in v if _order(n) < last] for k, v in out.items()}
    return out


def _index(parsed: Parsed) -> dict[str, list[Any]]:
    """The indexed nodes by kind, at most MAX_NODES of them (the bound is said)."""
    if parsed.root is None:
        return {}
    out = _nodes(parsed, INDEXED)
    total = sum(len(v) for v in out.values())
    if total > MAX_NODES:
        parsed.cut.append(f"only the first {MAX_NODES:,} declarations and calls were analysed")
        last = sorted(n.start_byte for v in out.values() for n in v)[MAX_NODES]
        out = {k: [n for n in v if n.start_byte < last] for k, v in out.items()}
    return out


def _walk(parsed: Parsed, wanted: frozenset[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    cursor = parsed.root.walk()
    visited = 0
    while True:
        visited += 1
        if visited % 4096 == 0 and (visited > 8 * MAX_NODES or time.monotonic() > parsed.deadline):
            parsed._say(f"only part of the file was indexed: its syntax tree is malformed and larger than the "
                        f"analysis bound ({visited:,} nodes, {MAX_SECONDS:g} seconds)")
            return out
        node = cursor.node
        if node.is_named and node.type in wanted:  # not the keyword `string` of a TypeScript type
            out.setdefault(node.type, []).append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out
