"""Values a `for … of` loop binds its names to, in JavaScript/TypeScript: `for (const p of PATHS)`, `for (const p of
Object.values(SOURCES))`, `for (const [k, p] of Object.entries(SOURCES))`, `PATHS.forEach((p) => …)` over an array or object literal (or a
name bound to one) written in the file (js/envselect.loop_iterable finds the loop). Inside the loop's body a use of such a name stands for each element in
turn: `fs.readFileSync(p)` reads every path of the list, so a credential file among them is read.

`loop_values(values, node) -> list[str]`: the folded values (the known ones, at most MAX_LOOP_VALUES) a name
bound by an enclosing `for … of` can take at `node`; [] when the name is not a loop's or its list is not known.
`Object.keys(X)` binds the keys. Only the loop's own names are followed, one level: a name the body assigns from
them is not."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.js.envselect import loop_iterable
from skillscan.analyzers.js.values import UNKNOWN, Values, dotted, string_value, unwrap

MAX_LOOP_VALUES = 64  # elements of one loop's list read


def loop_values(values: Values, node: Any) -> list[str]:
    node = unwrap(node)
    parsed = values.parsed
    if node is None or node.type != "identifier":
        return []
    found = loop_iterable(parsed, node, parsed.text(node))
    if found is None:
        return []
    right, place = unwrap(found[0]), found[1]
    index = None if place == -1 else place
    part = "elements"
    if right is not None and right.type == "call_expression":
        callee = dotted(parsed, unwrap(right.child_by_field_name("function")))
        args = right.child_by_field_name("arguments")
        arg = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
        part = {"Object.values": "values", "Object.entries": "entries", "Object.keys": "keys"}.get(callee or "", "")
        right = arg if part else None
    container = values._container(right, 0) if right is not None else None
    if container is None:
        return []
    out: list[str] = []
    for c in container.named_children:
        if len(out) >= MAX_LOOP_VALUES:
            break
        if container.type == "array" and part == "elements" and index is None:
            item = c
        elif container.type == "object" and c.type == "pair" and part in ("values", "entries", "keys"):
            key, value = c.child_by_field_name("key"), c.child_by_field_name("value")
            want_key = part == "keys" or (part == "entries" and index == 0)
            if part == "entries" and index not in (0, 1) or part != "entries" and index is not None:
                return []
            if want_key:
                k = string_value(parsed, key) if key is not None and key.type == "string" else \
                    parsed.text(key) if key is not None else None
                if k:
                    out.append(k)
                continue
            item = value
        else:
            continue
        v = values.value(item)
        if v is not None and v.strip(UNKNOWN):
            out.append(v)
    return out
