"""Where a JavaScript/TypeScript value comes from, on the parse: the whole environment (`process.env` as a
whole), the variables `Object.entries(process.env).filter(…)` keeps by name (js/envselect.py; followed into
`for … of` loops and callbacks over them), a named credential variable (`process.env.GITHUB_TOKEN`, `process.env["X"]`, `const {X} = process.env`)
or the content of a credential file (`fs.readFileSync(path)` whose folded path is a credential store). A
value built from tainted parts (templates, `+`, objects, arrays, calls over them, bindings) carries their
sources. Bounded by depth and the parse's node budget."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from skillscan.analyzers.envselect import EnvSelection
from skillscan.analyzers.js.envselect import guarded, loop_iterable, selection
from skillscan.analyzers.js.mutations import Mutations
from skillscan.analyzers.js.names import Names
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.loops import loop_values
from skillscan.analyzers.js.values import MAX_DEPTH, Values, dotted, key, string_value, unwrap
from skillscan.capabilities.grammar import is_credential_env, normalize_path, secret_kind_of_path

FILE_READS = frozenset({"fs.readFileSync", "readFileSync", "fs.readFile", "readFile", "fs.promises.readFile",
                        "fsp.readFile", "fsPromises.readFile", "promises.readFile", "Bun.file", "Deno.readTextFile",
                        "Deno.readTextFileSync"})
ENV = "process.env"
# network calls: their result (a response) carries none of their arguments' sources
REQUESTS = frozenset({"fetch", "globalThis.fetch", "window.fetch", "undici.fetch", "nodeFetch", "crossFetch", "got", "ky",
                      "request", "superagent", "needle", "axios"})
# calls whose result carries their arguments (serialisers, encoders, containers); any other call's result (a local
# function, a signature, a hash) is not taken to be its arguments
PASS_ARGS = frozenset({"JSON.stringify", "String", "Buffer.from", "Buffer.concat", "btoa", "encodeURIComponent",
                       "encodeURI", "escape", "Object.assign", "Object.entries", "Object.values", "Object.keys",
                       "Object.fromEntries", "Array.from", "URLSearchParams", "Headers", "Blob", "structuredClone",
                       "Promise.resolve", "qs.stringify", "querystring.stringify", "zlib.gzipSync", "zlib.deflateSync",
                       "zlib.brotliCompressSync"})
PASS_METHOD_ARGS = frozenset({"concat"})
REQUEST_MODULES = frozenset({"axios", "got", "ky", "http", "https", "http2", "superagent", "needle", "undici"})


@dataclass(frozen=True)
class Source:
    """`environment` (every variable), `variables` (`name` is the variable), `selection` (the values of the
    variables whose names match a pattern: `selection`; `name` is its phrase) or `store` (`name` is the path of
    a credential file, `kind` its kind); `line` is where the value is read (in `path` when imported)."""

    kind: str
    name: str
    line: int
    column: int
    store: str = ""
    via: str = ""  # the name whose definition reads it (`const token = process.env.X` → token), "" when read at the sink
    path: str = ""  # the module of the package it is read in when imported (js/modules.py), "" for this file
    selection: EnvSelection | None = None


class Taint:
    def __init__(self, parsed: Parsed, values: Values, mutations: Mutations | None = None) -> None:
        self.parsed = parsed
        self.values = values
        self.mutations = mutations  # writes into objects and arrays after they are made (`out[k] = v`, `xs.push(v)`)
        self._cache: dict[tuple[int, int, str], tuple[Source, ...]] = {}
        self._active: set[tuple[int, int, str]] = set()
        self._destructured = self._env_patterns()
        if values.names is None:  # callees and members through computed keys, aliases and wrappers
            values.names = Names(values)
        self.names: Names = values.names

    def name(self, node: Any) -> str:
        """The dotted name of a callee or member: resolved (js/names.py), else as written."""
        return self.names.text(node) or dotted(self.parsed, node)

    def _env_patterns(self) -> dict[str, list[tuple[int, Source]]]:
        """`const {GITHUB_TOKEN, X: y} = process.env`: the names bound to one variable each."""
        out: dict[str, list[tuple[int, Source]]] = {}
        for node in self.parsed.of_kind("variable_declarator"):
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is None or value is None or name.type != "object_pattern" or dotted(self.parsed, value) != ENV:
                continue
            for part in name.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    var, local = self.parsed.text(part), part
                elif part.type == "pair_pattern" and part.child_by_field_name("value") is not None:
                    key = part.child_by_field_name("key")
                    var = string_value(self.parsed, key) if key is not None and key.type == "string" else \
                        self.parsed.text(key) if key is not None else ""
                    local = part.child_by_field_name("value")
                    if local.type == "assignment_pattern":
                        local = local.child_by_field_name("left")
                elif part.type == "object_assignment_pattern":
                    local = part.child_by_field_name("left")
                    var = self.parsed.text(local) if local is not None else ""
                else:
                    continue
                if local is None or not is_credential_env(var):
                    continue
                line, col = self.parsed.position(part)
                out.setdefault(self.parsed.text(local), []).append((node.start_byte, Source("variables", var, line, col)))
        return out

    def of(self, node: Any, depth: int = 0) -> tuple[Source, ...]:
        node = unwrap(node)
        if node is None or depth > MAX_DEPTH:
            return ()
        at = key(node)
        if at in self._cache:
            return self._cache[at]
        self.parsed.nodes += 1
        if self.parsed.spent():
            return ()
        found = tuple(dict.fromkeys(self._of(node, depth)))
        self._cache[at] = found
        return found

    def _of(self, node: Any, depth: int) -> list[Source]:
        t = node.type
        p = self.parsed
        if t in ("member_expression", "subscript_expression"):
            name = self.name(node)
            obj = node.child_by_field_name("object")
            if name == ENV:
                line, col = p.position(node)
                return [Source("environment", ENV, line, col)]
            imports = self.values.imports
            got = imports.of_member(obj, p.text(node.child_by_field_name("property"))) \
                if imports is not None and t == "member_expression" else None
            if got is not None:
                return _imported(dotted(p, node), got[0].path, got[1])
            if obj is not None and self.name(obj) == ENV:
                var = name[len(ENV) + 1:] if name.startswith(ENV + ".") else \
                    self.values.constant(node.child_by_field_name("index")) if t == "subscript_expression" else None
                if var and is_credential_env(var):
                    line, col = p.position(node)
                    return [Source("variables", var, line, col)]
                return []
            return list(self.of(obj, depth + 1))
        if t in ("identifier", "shorthand_property_identifier"):
            return self._name(node, depth)
        if t == "call_expression":
            chosen = selection(p, self.values, node)
            if chosen is not None:  # the names alone (`Object.keys(process.env).filter(…)`) are no source
                line, col = p.position(_args_of(node)[0])  # where the test stating the pattern is written
                return [Source("selection", chosen[0].phrase(), line, col, selection=chosen[0])] if chosen[1] else []
        if t in ("call_expression", "new_expression"):
            fn = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            callee = self.name(fn)
            args = node.child_by_field_name("arguments")
            arg_nodes = [c for c in args.named_children if c.type != "comment"] if args is not None else []
            if callee in FILE_READS and arg_nodes:
                # a loop's name stands for each path of its list (`for (const p of PATHS) readFileSync(p)`); the
                # loop's binding is the nearest one, whatever another function binds to the same name
                paths = loop_values(self.values, arg_nodes[0])
                path = self.values.value(arg_nodes[0]) if not paths else None
                paths = paths or ([path] if path else [])
                line, col = p.position(node)
                out = []
                for path in paths:
                    shown = path.replace("\x00", "*")
                    kind = secret_kind_of_path(normalize_path(shown))
                    if kind:
                        out.append(Source("store", shown, line, col, kind))
                return out
            if callee in REQUESTS or callee.split(".")[0] in REQUEST_MODULES:
                return []  # a response is what the host sent back, not what the request carried
            out: list[Source] = []
            method = callee.rpartition(".")[2] if callee else ""
            if fn is not None and fn.type == "member_expression" and callee not in PASS_ARGS:
                out += self.of(fn.child_by_field_name("object"), depth + 1)  # `token.trim()`, `env.toString()`
                method = self.parsed.text(fn.child_by_field_name("property"))
            if callee in PASS_ARGS or method in PASS_METHOD_ARGS:
                for a in arg_nodes:
                    out += self.of(a, depth + 1)
            return out
        if t in ("arrow_function", "function_expression", "function", "string", "number", "regex"):
            return []
        if t == "pair":
            return list(self.of(node.child_by_field_name("value"), depth + 1))
        out = []
        for c in node.named_children:
            out += self.of(c, depth + 1)
        return out

    def _name(self, node: Any, depth: int) -> list[Source]:
        name = self.parsed.text(node)
        at = node.start_byte
        pattern = self._destructured.get(name)
        bound = self.values.bindings.lookup(name, at)
        if pattern:
            before = [s for start, s in pattern if start < at] or [pattern[0][1]]
            return [replace(before[-1], via=name)]
        imports = self.values.imports
        if bound is None and imports is not None:
            got = imports.of_name(name)
            return _imported(name, got[0].path, got[1]) if got is not None else []
        if bound is None or loop_iterable(self.parsed, node, name) is not None:  # a loop's own name shadows
            return self._loop_value(node, name, depth)
        if key(bound) in self._active:
            return []
        self._active.add(key(bound))
        try:
            found = list(self.of(bound, depth + 1))
            for w in self.mutations.into(name, at) if self.mutations is not None else ():
                found += self.of(w.value, depth + 1)  # what was written into it before this use
            return [s if s.via else replace(s, via=name) for s in found]
        finally:
            self._active.discard(key(bound))


    def _loop_value(self, node: Any, name: str, depth: int) -> list[Source]:
        """A name a `for … of` loop or a callback binds to an element of an environment selection
        (`for (const [k, v] of leak)`): the value (`v`) carries the selection, the name (`k`) does not; the
        elements of any other iterable are not followed."""
        found = loop_iterable(self.parsed, node, name)
        if found is None or found[1] == 0:
            return []
        it = unwrap(found[0])
        fn = it.child_by_field_name("function") if it is not None and it.type == "call_expression" else None
        # `for (const [k, v] of Object.entries(process.env))`, `Object.values(process.env).forEach(v => …)`:
        # each value is one variable of the whole environment
        source = self.name(fn) if fn is not None else ""
        whole = source == "Object.entries" and found[1] == 1 or source == "Object.values"
        kinds = ("selection", "environment") if whole else ("selection",)
        out = [replace(s, via=name) for s in self.of(found[0], depth + 1) if s.kind in kinds]
        chosen = guarded(self.parsed, self.values, node, name) if any(s.kind == "environment" for s in out) else None
        if chosen is not None:  # `if (k.includes('TOKEN')) out[k] = v;`: only the variables the test keeps
            line, col = self.parsed.position(chosen[1])
            sel = Source("selection", chosen[0].phrase(), line, col, via=name, selection=chosen[0])
            out = [s for s in out if s.kind != "environment"] + [sel]
        return out


def _args_of(node: Any) -> list[Any]:
    args = node.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else [node]


def _imported(name: str, path: str, export: Any) -> list[Source]:
    """The sources an imported export reads, in its module."""
    out = [Source("variables", var, line, 1, via=name, path=path) for var, line in export.variables]
    if export.environment:
        out.append(Source("environment", ENV, export.environment, 1, via=name, path=path))
    return out
