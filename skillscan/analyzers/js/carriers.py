"""Where each thing a JavaScript/TypeScript flow names is written (`model.Carrier`): the literal holding the
host of the URL (`const API = "https://api.github.com"` → host api.github.com, carried by `API`, at its line —
in another file of the package when `API` is imported), the read of each credential variable and the name that
carried it (`const token = process.env.GITHUB_TOKEN`), the read of a credential file.

`origin(values, node, want)` follows the value of `node` back to the string or template literal whose text
holds `want` — or the decoder call whose folded value holds it (`atob("aHR0cHM6…")`): through bindings,
object properties, `+`, templates, calls' arguments and imports; bounded by
depth (MAX_DEPTH) and the parse's node budget."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.js.values import MAX_DEPTH, UNKNOWN, Values, dotted, key, string_value, unwrap

MAX_VISITS = 2048  # nodes one origin search may visit


def host_of(value: str | None) -> str | None:
    from skillscan.capabilities.urls import script_host
    from skillscan.purpose.domains import normalize_host

    if not value or "://" not in value:
        return None
    h = script_host(value, UNKNOWN)
    return normalize_host(h) if h and h != "*" and UNKNOWN not in h else None


def origin(values: Values, node: Any, want: str) -> tuple[str, str, int] | None:
    """(carrying name, path or "" for this file, line) of the literal whose text holds `want`, or None."""
    return _Search(values, want.lower()).find(node, "", 0)


class _Search:
    def __init__(self, values: Values, want: str) -> None:
        self.values = values
        self.parsed = values.parsed
        self.want = want
        self.visits = 0
        self.seen: set[tuple[int, int, str]] = set()

    def find(self, node: Any, name: str, depth: int) -> tuple[str, str, int] | None:
        node = unwrap(node)
        self.visits += 1
        if node is None or depth > MAX_DEPTH or self.visits > MAX_VISITS or key(node) in self.seen:
            return None
        self.seen.add(key(node))
        p = self.parsed
        t = node.type
        if t == "string":
            return (name, "", p.position(node)[0]) if self.want in string_value(p, node).lower() else None
        if t == "template_string":
            text = "".join(p.text(c) for c in node.children if c.type == "string_fragment")
            if self.want in text.lower():
                return name, "", p.position(node)[0]
        imports = getattr(self.values, "imports", None)
        if t in ("identifier", "shorthand_property_identifier"):
            local = p.text(node)
            bound = self.values.bindings.lookup(local, node.start_byte)
            if bound is not None:
                return self.find(bound, local, depth + 1)
            got = imports.of_name(local) if imports is not None else None
            if got is not None and got[1].host_line and self.want in (got[1].value or "").lower():
                return local, got[0].path, got[1].host_line
            return None
        if t == "member_expression" and imports is not None:
            got = imports.of_member(node.child_by_field_name("object"), p.text(node.child_by_field_name("property")))
            if got is not None:
                ok = got[1].host_line and self.want in (got[1].value or "").lower()
                return (dotted(p, node) or got[0].export, got[0].path, got[1].host_line) if ok else None
        if t in ("member_expression", "subscript_expression"):
            return self._member(node, name, depth)
        if t == "call_expression" and imports is not None:
            fn = unwrap(node.child_by_field_name("function"))
            if fn is not None and fn.type == "identifier":
                got = imports.of_name(p.text(fn) + "()")
                if got is None and p.text(fn) in imports.names:
                    imp = imports.names[p.text(fn)]
                    e = imports.export(imp.path, imp.export + "()")
                    if e is not None and e.host_line and self.want in (e.value or "").lower():
                        return p.text(fn), imp.path, e.host_line
        if t in ("call_expression", "new_expression"):
            fn = unwrap(node.child_by_field_name("function"))
            if fn is not None and fn.type == "identifier":
                local = self.values.bindings.functions.get(p.text(fn))
                body = local.child_by_field_name("body") if local is not None else None
                if body is not None:
                    found = self.find(body, p.text(fn), depth + 1)
                    if found is not None:
                        return found
        for c in node.named_children:
            found = self.find(c, name, depth + 1)
            if found is not None:
                return found
        if t in ("call_expression", "new_expression") and self.want in (self.values.value(node) or "").lower():
            return name, "", p.position(node)[0]  # a decoder over literals (`atob("aHR0cHM6…")`): written here, encoded
        return None

    def _member(self, node: Any, name: str, depth: int) -> tuple[str, str, int] | None:
        """`cfg.url`: the property's value in the object literal the name is bound to."""
        obj = unwrap(node.child_by_field_name("object"))
        container = self.values._container(obj, 0) if obj is not None else None
        if container is None or container.type != "object":
            return self.find(obj, name, depth + 1) if obj is not None else None
        prop = node.child_by_field_name("property") if node.type == "member_expression" else \
            node.child_by_field_name("index")
        wanted = self.parsed.text(prop) if node.type == "member_expression" else \
            self.values.constant(prop) if prop is not None else None
        for pair in container.named_children:
            k = pair.child_by_field_name("key") if pair.type == "pair" else None
            kt = (string_value(self.parsed, k) if k.type == "string" else self.parsed.text(k)) if k is not None else ""
            if k is not None and (wanted is None or kt == wanted):
                found = self.find(pair.child_by_field_name("value"), dotted(self.parsed, node) or name, depth + 1)
                if found is not None:
                    return found
        return None
