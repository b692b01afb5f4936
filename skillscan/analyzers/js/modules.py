"""Values that cross the files of one package: a JavaScript/TypeScript module imported by a relative path
(`import { API_URL } from "./config"`, `require("./config").host`) exports constants and the results of simple
functions; the importing file's values, taint and carriers read them. Nothing is executed.

- `package_modules(package) -> {path: ModuleFacts}`: found once, before the file workers start (analyze.py's
  `with_facts`): the modules other JS/TS files import by a relative specifier, each parsed once here and its
  exports folded (`model.ModuleExport`: value, line, the line of its URL's host, the credential variables it
  reads). Bounded: MAX_MODULES modules, MAX_MODULE_BYTES each, MAX_EXPORTS exports each; a module past a bound
  is listed with its `cut`, which the importing file's engine reports as analysis-incomplete.
- `Imports(parsed, path, modules)`: the importing file's imported names, each resolved to the export it reads.

A JSON file required or imported by a relative path offers its string values the same way (`json_facts`).

Only one step: a module's own imports are not followed into a third file (said in MODULE_DEPTH)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.js.parse import Parsed, parse
from skillscan.analyzers.js.values import UNKNOWN, Values, dotted, string_value, unwrap
from skillscan.model import ModuleExport, ModuleFacts, Package

MAX_MODULES = 32  # imported modules of one package read for exports
MAX_MODULE_BYTES = 256 * 1024
MAX_JSON_BYTES = 4 << 20  # characters of a required JSON file parsed for its values
MAX_EXPORTS = 128  # exports kept per module
MAX_EXPORT_VALUE = 16 * 1024  # characters of an exported value handed to the importing files
MODULE_DEPTH = 1  # a module's values are folded within the module: its own imports are not followed
SUFFIXES = ("", ".ts", ".js", ".mjs", ".cjs", ".tsx", ".jsx", ".mts", ".cts", "/index.ts", "/index.js", "/index.mjs")
_SPEC = re.compile(r"""(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)(['"])(\.{1,2}/[^'"\n]{1,200})\1""")
LANGUAGES = ("javascript", "typescript")


def resolve(importer: str, spec: str, paths: Mapping[str, object] | frozenset[str]) -> str | None:
    """The package path a relative specifier names (`./config` → `src/config.ts`), or None."""
    if not spec.startswith(("./", "../")):
        return None
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    if base.startswith("../"):
        return None
    stem = re.sub(r"\.(?:m|c)?js$", "", base)  # TypeScript's ESM convention: `./config.js` names config.ts
    for candidate in [base + s for s in SUFFIXES] + [stem + s for s in SUFFIXES[1:]]:
        if candidate in paths:
            return candidate
    return None


def package_modules(package: Package) -> dict[str, ModuleFacts]:
    files = {f.path: f for f in package.files if f.text is not None and not f.virtual and
             (f.language in LANGUAGES or f.language == "json" and f.path.endswith(".json"))}
    wanted: dict[str, None] = {}  # every file searched: one regular expression pass, linear in the package's size
    for f in files.values():
        if f.language not in LANGUAGES:
            continue
        for m in _SPEC.finditer(f.text or ""):
            target = resolve(f.path, m.group(2), files.keys())
            if target is not None and target != f.path:
                wanted.setdefault(target, None)
    out: dict[str, ModuleFacts] = {}
    for n, path in enumerate(wanted):
        f = files[path]
        if n >= MAX_MODULES:
            out[path] = ModuleFacts((), f"{path} was not read for imported values: the package imports more than "
                                        f"{MAX_MODULES} of its own modules")
        elif f.language == "json":  # parsed, not folded: a data file may be larger than a module
            out[path] = ModuleFacts((), f"{path} was not read for imported values: larger than "
                                        f"{MAX_JSON_BYTES // (1 << 20)} MB") \
                if f.truncated or len(f.text or "") > MAX_JSON_BYTES else json_facts(f.text or "")
        elif f.truncated or len((f.text or "").encode("utf-8", "replace")) > MAX_MODULE_BYTES:
            out[path] = ModuleFacts((), f"{path} was not read for imported values: larger than "
                                        f"{MAX_MODULE_BYTES // 1024} KB")
        else:
            out[path] = module_facts(parse(f.text or "", path, f.language))
    return out


def json_facts(text: str) -> ModuleFacts:
    """A JSON file a module requires (`require("./settings.json")`, `import cfg from "./settings.json"`): its
    object's string values, by key (`endpoint`, `default.endpoint`) and one level down (`api.url`), each at the
    line it is written on; parsed with the bounded loader, never evaluated."""
    from skillscan.formats.common import ManifestError, load_data_text, value_line

    try:
        data = load_data_text(text, "json")
    except ManifestError as exc:
        return ModuleFacts((), f"the JSON module could not be read: {exc}")
    pairs = [(str(k), v) for k, v in data.items()] if isinstance(data, dict) else []
    pairs += [(f"{k}.{k2}", v2) for k, v in pairs if isinstance(v, dict) for k2, v2 in v.items()]
    strings = [(name, value) for name, value in pairs if isinstance(value, str) and len(value) <= MAX_EXPORT_VALUE]
    kept = strings[:MAX_EXPORTS // 2]  # each value is offered by its key and as the default export's member
    out: list[ModuleExport] = []
    for name, value in kept:
        line = value_line(text, value)
        out += [ModuleExport(shown, line, value, line if "://" in value else 0) for shown in (name, f"default.{name}")]
    cut = f"only the first {len(kept)} string values were read" if len(strings) > len(kept) else ""
    return ModuleFacts(tuple(out), cut)


def module_facts(parsed: Parsed) -> ModuleFacts:
    from skillscan.analyzers.js.taint import Taint

    if parsed.root is None:
        return ModuleFacts((), "the module could not be parsed")
    values = Values(parsed)
    taint = Taint(parsed, values)
    exported: list[tuple[str, Any]] = []
    for stmt in parsed.root.named_children:
        exported += _exports_of(parsed, values, stmt)
    out: list[ModuleExport] = []
    for name, node in exported:
        out += [_export(parsed, values, taint, name, node)]
        obj = values._container(node, 0)
        if obj is not None and obj.type == "object":  # `export const config = {host: …}`: config.host too
            for k, v in _pairs(parsed, obj):
                out.append(_export(parsed, values, taint, f"{name}.{k}", v))
                if name == "module.exports":
                    out.append(_export(parsed, values, taint, k, v))
        if len(out) >= MAX_EXPORTS:
            return ModuleFacts(tuple(out[:MAX_EXPORTS]), f"only the first {MAX_EXPORTS} exports were read")
    return ModuleFacts(tuple(out), "; ".join(dict.fromkeys(parsed.cut)))


def _exports_of(parsed: Parsed, values: Values, stmt: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if stmt.type == "export_statement":
        decl = stmt.child_by_field_name("declaration")
        value = stmt.child_by_field_name("value")
        if decl is not None and decl.type in ("lexical_declaration", "variable_declaration"):
            for d in decl.named_children:
                n, v = d.child_by_field_name("name"), d.child_by_field_name("value")
                if d.type == "variable_declarator" and n is not None and v is not None and n.type == "identifier":
                    out.append((parsed.text(n), v))
        elif decl is not None and decl.type in ("function_declaration", "generator_function_declaration"):
            n = decl.child_by_field_name("name")
            ret = _single_return(decl)
            if n is not None and ret is not None:
                out.append((parsed.text(n) + "()", ret))
        elif value is not None:
            out.append(("default", value))
        for clause in (c for c in stmt.named_children if c.type == "export_clause"):
            for spec in clause.named_children:
                n, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                if n is not None:
                    out.append((parsed.text(alias if alias is not None else n), n))
    elif stmt.type == "expression_statement" and stmt.named_children and \
            stmt.named_children[0].type == "assignment_expression":
        a = stmt.named_children[0]
        left, right = dotted(parsed, a.child_by_field_name("left")), a.child_by_field_name("right")
        if right is None:
            return out
        if left == "module.exports":
            out.append(("module.exports", right))
            out.append(("default", right))
        elif left.startswith(("module.exports.", "exports.")) and left.count(".") == left.startswith("module.") + 1:
            out.append((left.rsplit(".", 1)[1], right))
    return out


def _single_return(fn: Any) -> Any:
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    returns = [c for c in body.named_children if c.type == "return_statement"]
    return returns[0].named_children[0] if len(returns) == 1 and returns[0].named_children else None


def _pairs(parsed: Parsed, obj: Any) -> list[tuple[str, Any]]:
    out = []
    for c in obj.named_children:
        if c.type == "pair":
            k = c.child_by_field_name("key")
            key = string_value(parsed, k) if k is not None and k.type == "string" else parsed.text(k) if k else ""
            out.append((key, c.child_by_field_name("value")))
        elif c.type == "shorthand_property_identifier":
            out.append((parsed.text(c), c))
    return out


def _export(parsed: Parsed, values: Values, taint: Any, name: str, node: Any) -> ModuleExport:
    from skillscan.analyzers.js.carriers import host_of, origin

    line = parsed.position(node)[0]
    value = values.value(node)
    if value is not None and len(value) > MAX_EXPORT_VALUE:  # the rest is not known to the importing file
        value = value[:MAX_EXPORT_VALUE] + UNKNOWN
    host = host_of(value)
    found = origin(values, node, host) if host else None
    sources = taint.of(node)
    variables = tuple(dict.fromkeys((s.name, s.line) for s in sources if s.kind == "variables"))
    environment = next((s.line for s in sources if s.kind == "environment"), 0)
    return ModuleExport(name, line, value, found[2] if found else 0, variables, environment)


@dataclass(frozen=True)
class Imported:
    """A local name bound to a module of the package: the module's path and the export it reads ("*": the whole
    module, as `import * as ns` or `const cfg = require(…)`)."""

    path: str
    export: str


class Imports:
    """The importing file's names bound to the package's modules, and the exports they read."""

    def __init__(self, parsed: Parsed, path: str, modules: Mapping[str, ModuleFacts] | None) -> None:
        self.parsed = parsed
        self.path = path
        self.modules = modules or {}
        self.names: dict[str, Imported] = {}
        if not self.modules or parsed.root is None:
            return
        for stmt in parsed.root.named_children:
            if stmt.type == "import_statement":
                self._import(stmt)
        for d in parsed.of_kind("variable_declarator"):
            self._require(d)

    def module_of(self, spec_node: Any) -> str | None:
        if spec_node is None or spec_node.type != "string":
            return None
        target = resolve(self.path, string_value(self.parsed, spec_node), self.modules.keys())
        if target is not None and self.modules[target].cut:  # a bound that stopped the module's reading
            cut = self.modules[target].cut
            self.parsed._say(cut if cut.startswith(target) else f"{target} (imported): {cut}")
        return target

    def _import(self, stmt: Any) -> None:
        target = self.module_of(stmt.child_by_field_name("source"))
        if target is None:
            return
        for clause in (c for c in stmt.named_children if c.type == "import_clause"):
            for c in clause.named_children:
                if c.type == "identifier":
                    self.names[self.parsed.text(c)] = Imported(target, "default")
                elif c.type == "namespace_import" and c.named_children:
                    self.names[self.parsed.text(c.named_children[0])] = Imported(target, "*")
                elif c.type == "named_imports":
                    for spec in c.named_children:
                        n, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                        if n is not None:
                            self.names[self.parsed.text(alias if alias is not None else n)] = \
                                Imported(target, self.parsed.text(n))

    def required(self, node: Any) -> tuple[str, str] | None:
        """`require("./config")` → (path, "*"); `require("./config").host` → (path, "host")."""
        node = unwrap(node)
        prop = ""
        if node is not None and node.type == "member_expression":
            prop = self.parsed.text(node.child_by_field_name("property"))
            node = unwrap(node.child_by_field_name("object"))
        if node is None or node.type != "call_expression" or self.parsed.text(node.child_by_field_name("function")) \
                != "require":
            return None
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        target = self.module_of(first)
        return (target, prop or "*") if target is not None else None

    def _require(self, d: Any) -> None:
        name, value = d.child_by_field_name("name"), d.child_by_field_name("value")
        got = self.required(value) if name is not None else None
        if got is None:
            return
        target, prop = got
        if name.type == "identifier":
            self.names[self.parsed.text(name)] = Imported(target, prop)
        elif name.type == "object_pattern" and prop == "*":
            for part in name.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    self.names[self.parsed.text(part)] = Imported(target, self.parsed.text(part))
                elif part.type == "pair_pattern":
                    k, v = part.child_by_field_name("key"), part.child_by_field_name("value")
                    if k is not None and v is not None and v.type == "identifier":
                        self.names[self.parsed.text(v)] = Imported(target, self.parsed.text(k))

    def export(self, path: str, name: str) -> ModuleExport | None:
        """The export `name` of module `path` (a CommonJS module's `module.exports` object stands for `default`)."""
        facts = self.modules.get(path)
        if facts is None:
            return None
        wanted = (name, f"default.{name}") if not name.startswith("default") else (name,)
        return next((e for w in wanted for e in facts.exports if e.name == w), None)

    def of_name(self, local: str) -> tuple[Imported, ModuleExport] | None:
        imp = self.names.get(local)
        if imp is None or imp.export == "*":
            return None
        found = self.export(imp.path, imp.export)
        return (imp, found) if found is not None else None

    def of_member(self, obj: Any, prop: str) -> tuple[Imported, ModuleExport] | None:
        """`ns.API_URL` (namespace or required module), `cfg.host` (a default or named object export),
        `require("./config").host`."""
        obj = unwrap(obj)
        if obj is None:
            return None
        if obj.type == "identifier" and obj.text is not None:
            imp = self.names.get(self.parsed.text(obj))
            if imp is None:
                return None
            name = prop if imp.export == "*" else f"{imp.export}.{prop}"
            found = self.export(imp.path, name)
            return (Imported(imp.path, name), found) if found is not None else None
        got = self.required(obj)
        if got is None or got[1] != "*":
            return None
        found = self.export(got[0], prop)
        return (Imported(got[0], prop), found) if found is not None else None


def folded(export: ModuleExport) -> str | None:
    return export.value if export.value is None or export.value.strip(UNKNOWN) else None
