"""Writes into an object after it is made, on the parse, so the parts of a request are the object's final
contents where it is sent: `h.Authorization = token`, `h["X-Key"] = key`, `h[k] = v` (the key unknown),
`headers.set("Authorization", token)` / `.append(…)` on a `Headers`/`Map`/object, `lines.push(x)` (an element),
`Object.assign(opts, {…})`,
`opts.headers = …` (and `opts.headers.X = …`). Keyed by the dotted name written into (`opts`, `opts.headers`);
only writes before the sending call count. Bounded: MAX_WRITES writes per file, said in `Parsed.cut`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.values import Values, dotted, key, string_value, unwrap

MAX_WRITES = 4096
SETTERS = frozenset({"set", "append"})
PUSHERS = frozenset({"push", "unshift"})


@dataclass(frozen=True)
class Write:
    """One write into the object `target`: `key` (None when not known; "*" for `Object.assign`'s source object,
    whose own pairs are the keys) and the value node; `at` is the byte offset of the write."""

    target: str
    key: str | None
    value: Any
    at: int


class Mutations:
    def __init__(self, parsed: Parsed, values: Values) -> None:
        self.parsed = parsed
        self.values = values
        self.writes: dict[str, list[Write]] = {}
        count = 0
        for node in parsed.of_kind("assignment_expression") + parsed.of_kind("call_expression"):
            w = self._write(node)
            if w is None:
                continue
            count += 1
            if count > MAX_WRITES:
                parsed._say(f"only the first {MAX_WRITES:,} writes into objects were followed")
                break
            self.writes.setdefault(w.target, []).append(w)

    def _write(self, node: Any) -> Write | None:
        p = self.parsed
        if node.type == "assignment_expression":
            left, right = unwrap(node.child_by_field_name("left")), node.child_by_field_name("right")
            if left is None or right is None or left.type not in ("member_expression", "subscript_expression"):
                return None
            target = dotted(p, left.child_by_field_name("object"))
            if not target:
                return None
            if left.type == "member_expression":
                k: str | None = p.text(left.child_by_field_name("property"))
            else:
                index = left.child_by_field_name("index")
                k = string_value(p, index) if index is not None and index.type == "string" else \
                    self.values.constant(index) if index is not None else None
            return Write(target, k, right, node.start_byte)
        fn = unwrap(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        items = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        callee = dotted(p, fn)
        if callee == "Object.assign" and len(items) >= 2:
            target = dotted(p, items[0])
            return Write(target, "*", items[1], node.start_byte) if target else None
        if fn is not None and fn.type == "member_expression" and p.text(fn.child_by_field_name("property")) in PUSHERS \
                and len(items) == 1:  # `lines.push(x)`: an element, its key not known
            target = dotted(p, fn.child_by_field_name("object"))
            return Write(target, None, items[0], node.start_byte) if target else None
        if fn is not None and fn.type == "member_expression" and p.text(fn.child_by_field_name("property")) in SETTERS \
                and len(items) == 2:
            target = dotted(p, fn.child_by_field_name("object"))
            if not target:
                return None
            return Write(target, self.values.constant(items[0]), items[1], node.start_byte)
        return None

    def into(self, target: str, before: int) -> list[Write]:
        """The writes into `target` before byte `before` (each `Object.assign` after the others it follows) that
        reach the same binding of its name: a write into another function's `out` is not this `out`'s."""
        if not target:
            return []
        base = target.split(".", 1)[0]
        owner = self._owner(base, before)
        return [w for w in self.writes.get(target, ()) if w.at < before and self._owner(base, w.at) == owner]

    def _owner(self, name: str, at: int) -> tuple[int, int, str] | None:
        bound = self.values.bindings.lookup(name, at)
        return key(bound) if bound is not None else None
