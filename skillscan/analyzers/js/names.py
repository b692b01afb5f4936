"""The name a JavaScript/TypeScript call or member reaches, on the parse, through the forms that hide it:

- a computed member key folded from literals (`fs['read'+'FileSync']`, `cp[fn]` with `fn = '\\x65…'`) is the
  static member `fs.readFileSync`;
- a member of a global object (`globalThis`, `global`, `window`, `self`) is the global (`globalThis[r]` with
  `r = 'ev'+'al'` is `eval`), also through a name bound to one (`const g = global`);
- a name bound to a member (`const run = cp['exec'+'Sync']`), destructured from an object
  (`const { exec: doTask } = cp`) or bound to another name is that member;
- `require(x)` / `import(x)` whose argument folds to a module name (`['child','process'].join('_')`), and a
  one-expression wrapper around `require(param)` (`const load = (n) => require(n)`), load that module: a name
  bound to it reads as the module (`child_process.exec`) when the module's name was computed, or when the module
  is one the analyses know by name (MODULES).

`Name.hidden` says a step was computed (a folded key, a computed module name, a wrapper); `Name.pieces` says a
key or module name was built from pieces (concatenation, escapes, a joined array, character codes, a reversal)
rather than written. Bounded: MAX_STEPS steps per name and the parse's node budget."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.values import Values, key, string_value, unwrap

GLOBALS = frozenset({"globalThis", "global", "window", "self"})
# modules whose members the analyses name by the module (`https.request`, `fs.readFileSync`): a local name bound to
# one of them reads as the module, whatever it is called
MODULES = frozenset({"child_process", "fs", "fs/promises", "http", "https", "http2", "net", "tls", "dns", "os", "vm",
                     "axios", "got", "ky", "undici", "superagent", "needle"})
MAX_STEPS = 16  # aliases, members, wrappers followed for one name
_MEMBER = re.compile(r"[A-Za-z_$][\w$]{0,127}")
_MODULE = re.compile(r"(?:@[\w.-]{1,64}/)?[\w][\w.-]{0,127}(?:/[\w.-]{1,64}){0,4}")


@dataclass(frozen=True)
class Name:
    """`text` is the dotted name (`child_process.execSync`, `eval`), "" when the expression is not a name."""

    text: str
    hidden: bool = False
    pieces: bool = False
    how: str = ""  # the source text of the first computed step (`cp['exec'+'Sync']`), for messages


NONE = Name("")


class Names:
    """Resolves names of one parsed file; results are kept per node."""

    def __init__(self, values: Values) -> None:
        self.values = values
        self.parsed: Parsed = values.parsed
        self._cache: dict[tuple[int, int, str], Name] = {}
        self._active: set[tuple[int, int, str]] = set()
        self._patterns = self._destructured()

    def _destructured(self) -> dict[str, list[tuple[int, Any, str]]]:
        """`const { exec: doTask, spawn } = cp`: local name → [(where, the object, the member)]."""
        out: dict[str, list[tuple[int, Any, str]]] = {}
        p = self.parsed
        for node in p.of_kind("variable_declarator"):
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is None or value is None or name.type != "object_pattern":
                continue
            for part in name.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    member, local = p.text(part), p.text(part)
                elif part.type == "pair_pattern":
                    k, v = part.child_by_field_name("key"), part.child_by_field_name("value")
                    if k is None or v is None or v.type != "identifier":
                        continue
                    member = string_value(p, k) if k.type == "string" else p.text(k)
                    local = p.text(v)
                else:
                    continue
                out.setdefault(local, []).append((node.start_byte, value, member))
        return out

    def of(self, node: Any) -> Name:
        return self._of(node, 0)

    def text(self, node: Any) -> str:
        return self._of(node, 0).text

    def _of(self, node: Any, depth: int) -> Name:
        node = unwrap(node)
        if node is None or depth > MAX_STEPS:
            if depth > MAX_STEPS:
                self.parsed._say(f"names reached through more than {MAX_STEPS} aliases, members or wrappers were not "
                                 "followed")
            return NONE
        at = key(node)
        if at in self._cache:
            return self._cache[at]
        if at in self._active:
            return NONE
        self.parsed.nodes += 1
        if self.parsed.spent():
            return NONE
        self._active.add(at)
        try:
            found = self._resolve(node, depth)
        finally:
            self._active.discard(at)
        self._cache[at] = found
        return found

    def _resolve(self, node: Any, depth: int) -> Name:
        t = node.type
        p = self.parsed
        if t == "this":
            return Name("this")
        if t == "identifier":
            return self._identifier(node, depth)
        if t == "member_expression":
            prop = node.child_by_field_name("property")
            return self._member(node.child_by_field_name("object"), p.text(prop) if prop is not None else "", None,
                                depth)
        if t == "subscript_expression":
            index = unwrap(node.child_by_field_name("index"))
            if index is None:
                return NONE
            literal = index.type == "string" and not _escaped(index)
            member = string_value(p, index) if literal else self.values.constant(index)
            if member is None or not _MEMBER.fullmatch(member):
                return NONE
            computed = None if literal else node
            return self._member(node.child_by_field_name("object"), member, computed, depth,
                                pieces=not literal and self._pieces(index, 0))
        if t == "call_expression":
            return self._module(node, depth)
        return NONE

    def _identifier(self, node: Any, depth: int) -> Name:
        p = self.parsed
        text = p.text(node)
        at = node.start_byte
        bound_at, bound = self.values.bindings.lookup_at(text, at)
        pattern = self._pattern(text, at)
        if pattern is not None and (bound is None or pattern[0] >= bound_at):
            base = self._of(pattern[1], depth + 1)
            got = Name(f"{base.text}.{pattern[2]}", base.hidden, base.pieces, base.how) if base.text else NONE
        else:
            v = unwrap(bound)
            got = self._of(v, depth + 1) if v is not None and v.type in (
                "identifier", "member_expression", "subscript_expression", "call_expression") else NONE
        # an alias is followed when it was computed or names a member of a module the analyses know; else the local
        # name, as written (`const cfg = require("./config")`, `const get = client.get`, `const { env } = process`)
        if got.hidden or got.text.split(".")[0] in MODULES or got.text in GLOBALS:
            return got
        return Name(text)

    def _pattern(self, name: str, at: int) -> tuple[int, Any, str] | None:
        found = self._patterns.get(name)
        if not found:
            return None
        i = bisect_left(found, at, key=lambda f: f[0])
        return found[i - 1] if i else found[0]

    def _member(self, obj: Any, member: str, computed: Any, depth: int, pieces: bool = False) -> Name:
        if not member:
            return NONE
        base = self._of(obj, depth + 1)
        if not base.text:
            return NONE
        how = base.how or (self.parsed.text(computed)[:120] if computed is not None else "")
        hidden = base.hidden or computed is not None
        pieces = base.pieces or pieces
        if base.text in GLOBALS and self.values.bindings.lookup(base.text, obj.start_byte) is None:
            return Name(member, hidden, pieces, how)
        return Name(f"{base.text}.{member}", hidden, pieces, how)

    def _module(self, node: Any, depth: int) -> Name:
        """`require(x)`, `import(x)`, `module.require(x)`, or a local wrapper around `require(param)`."""
        p = self.parsed
        fn = unwrap(node.child_by_field_name("function"))
        args = self.values._args(node)
        if fn is None or not args:
            return NONE
        callee = p.text(fn)
        if callee in ("require", "import", "module.require"):
            arg, wrapper = args[0], False
        elif fn.type == "identifier":
            index = self._wrapper(callee)
            if index is None or index >= len(args):
                return NONE
            arg, wrapper = args[index], True
        else:
            return NONE
        arg = unwrap(arg)
        if arg is None:
            return NONE
        literal = arg.type == "string" and not _escaped(arg)
        name = self.values.constant(arg)
        if name is None or not _MODULE.fullmatch(name.removeprefix("node:")) or name.startswith("."):
            return NONE
        computed = wrapper or not literal
        return Name(name.removeprefix("node:"), computed, computed and self._pieces(arg, 0),
                    p.text(node)[:120] if computed else "")

    def _wrapper(self, name: str) -> int | None:
        """The parameter index a local one-expression function hands to `require`, or None."""
        fn = self.values.bindings.functions.get(name)
        if fn is None:
            return None
        body = fn.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            stmts = [c for c in body.named_children if c.type != "comment"]
            if len(stmts) != 1 or stmts[0].type != "return_statement" or not stmts[0].named_children:
                return None
            body = stmts[0].named_children[0]
        body = unwrap(body)
        if body is None or body.type != "call_expression" or \
                self.parsed.text(body.child_by_field_name("function")) not in ("require", "import"):
            return None
        args = self.values._args(body)
        inner = unwrap(args[0]) if args else None
        if inner is None or inner.type != "identifier":
            return None
        from skillscan.analyzers.js.values import _param_names

        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        names = _param_names(self.parsed, params)
        wanted = self.parsed.text(inner)
        return names.index(wanted) if wanted in names else None

    def _pieces(self, node: Any, depth: int) -> bool:
        """The string is built (concatenation, a template with parts, escapes, a call, an array) not written."""
        node = unwrap(node)
        if node is None or depth > MAX_STEPS:
            return False
        if node.type == "string":
            return _escaped(node)
        if node.type == "template_string":
            return any(c.type in ("template_substitution", "escape_sequence") for c in node.children)
        if node.type == "identifier":
            bound = self.values.bindings.lookup(self.parsed.text(node), node.start_byte)
            return bound is not None and key(bound) != key(node) and self._pieces(bound, depth + 1)
        return node.type in ("binary_expression", "call_expression", "array", "new_expression")


def _escaped(node: Any) -> bool:
    """A string literal written with escapes (`'\\x63\\x68…'`)."""
    return any(c.type == "escape_sequence" for c in node.children)
