"""Values that travel between the files of one package: a Python script imports constants from a sibling
module (`from conf import ENDPOINT, KEYFILE`, `import conf` … `conf.ENDPOINT`, `from .conf import …`) or loads a
data file of the package by a path relative to itself (`json.load(open(os.path.join(os.path.dirname(__file__),
"settings.json")))`). The per-file engine sees the name, not the value; this table gives it the value, as
written where it is written. Nothing is imported or run.

- `shared_values(package) -> {path: SharedFile}`: found once, before the file workers start (analyze.py's
  `with_facts`), and only for the files some file of the package needs — the shell files a shell script
  sources (`. "$(dirname "$0")/env.sh"`: `sourced`), and for Python: the modules it imports that
  resolve to a `.py` file of the package (the importer's folder first, then its parents up to the package root;
  never outside the package: paths are the package's own file list, read from memory), and the JSON, YAML and
  TOML files whose file name it writes next to a loader (`json.load`, `yaml.safe_load`, `tomllib.load` …).
  A module's constants are its top-level assignments of literals and of what folds without running anything
  (concatenation, f-strings of known names, `os.path.join`, lists and dicts of those), read with the stdlib
  parser (`ast`, never compiled or executed); a data file's whole content is one value.
- Each value is kept as the source text of a Python literal (`SharedFile.names`), with the line it is written
  on and the line of each string inside it (`SharedFile.lines`), so a reason can say where a value came from.
- Bounded: MAX_FILES files a package, MAX_BYTES a file, MAX_NAMES constants a module, MAX_NODES values and
  MAX_DEPTH nesting a value, MAX_LITERAL characters a value. A file past a bound is listed with its `cut`; the
  Python engine reports it where a value of it reaches a call whose value stays unknown.

Only one step: a module's own imports are not followed into a third file."""

from __future__ import annotations

import ast
import bisect
import json
import posixpath
import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from skillscan.model import Package, PackageFile, SharedFile

MAX_FILES = 32  # modules and data files of one package read for values
MAX_BYTES = 256 * 1024  # characters of one module or data file read
MAX_NAMES = 256  # constants kept per module
MAX_NODES = 4_000  # values (strings, numbers, list and dict entries) in one constant or data file
MAX_DEPTH = 16  # nesting of lists and dicts in one value
MAX_LITERAL = 128 * 1024  # characters of one value's literal text
MAX_PLACED = 256  # strings of one file whose line is kept (paths and hosts, for the reasons)
DATA_LANGUAGES = frozenset({"json", "yaml", "toml"})
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b|import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*))",
                     re.MULTILINE)
_DATA_FILE = re.compile(r"[\w.-]+\.(?:json|ya?ml|toml)\b", re.IGNORECASE)  # a data file's name, as written
_LOADER = re.compile(r"\b(?:json|yaml|tomllib|toml|tomli)\s*\.\s*(?:safe_)?loads?\b")
_JOINS = frozenset({"os.path.join", "posixpath.join", "path.join"})
_SAME = frozenset({"os.path.expanduser", "posixpath.expanduser", "str", "os.path.normpath", "os.fspath"})


class Cut(Exception):
    """A bound stopped the read of a value."""


def resolve_module(importer: str, dotted: str, level: int, paths: set[str] | frozenset[str]) -> str | None:
    """The package `.py` file an import names (`conf` from `scripts/main.py` → `scripts/conf.py`), or None:
    relative imports from the importer's package folder, absolute ones from the importer's folder, then each
    folder above it up to the package root."""
    if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", dotted or "_"):
        return None
    here = posixpath.dirname(importer.split("#", 1)[0])
    if level > 0:
        bases = [here]
        for _ in range(level - 1):
            if not bases[0]:
                return None
            bases = [posixpath.dirname(bases[0])]
    else:
        bases = [here]
        while bases[-1]:
            bases.append(posixpath.dirname(bases[-1]))
    rel = dotted.replace(".", "/")
    for base in bases:
        stem = posixpath.join(base, rel) if rel else base
        for candidate in (stem + ".py", posixpath.join(stem, "__init__.py")):
            if candidate in paths and candidate != importer:
                return candidate
    return None


_SOURCE = re.compile(r"^[ \t]*(?:\.|source)[ \t]+([^\n;&|]{1,300}?)[ \t]*(?:;|&&|\|\||[ \t]#|$)", re.MULTILINE)
_HERE = re.compile(r"^.*?(?:\bdirname\b|BASH_SOURCE).*?[)}]/")  # `$(dirname "$0")/`, `${BASH_SOURCE%/*}/`
# a variable set to the script's own folder: `DIR=$(dirname "$0")`, `SCRIPT_DIR="$(cd "$(dirname
# "${BASH_SOURCE[0]}")" && pwd)"`, `readonly HERE=${BASH_SOURCE%/*}`
_HERE_VAR = re.compile(r"^[ \t]*(?:(?:export|readonly|local|declare(?:[ \t]+-\w+)?)[ \t]+)?([A-Za-z_]\w{0,63})="
                       r"([^\n]{0,300}?(?:\bdirname\b|BASH_SOURCE)[^\n]{0,300})$", re.MULTILINE)
_VAR_PREFIX = re.compile(r"^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/")


def _is_own_dir(value: str) -> bool:
    """The value is the script's folder itself, nothing appended or climbed (`$(dirname "$0")/lib`,
    `$(cd "$(dirname "$0")/.." && pwd)` are other folders)."""
    v = value.strip().strip("\"'").rstrip()
    return v.endswith((")", "}")) and "/.." not in v and not re.search(r"[)}][\"']?/", v)


def sourced(importer: str, text: str, paths: set[str] | frozenset[str]) -> list[tuple[str, int]]:
    """(the shell file of the package, the line) of each `. FILE` / `source FILE` of a shell script: a path
    relative to the script's folder (`$(dirname "$0")/env.sh`, `${BASH_SOURCE%/*}/env.sh`, or `$DIR/env.sh`
    after `DIR=$(dirname "$0")`) or a plain relative path (the script's folder, else the package root). A path
    through any other variable is not resolved."""
    out: list[tuple[str, int]] = []
    here = posixpath.dirname(importer)
    own_dir = {m.group(1) for m in _HERE_VAR.finditer(text) if _is_own_dir(m.group(2))}
    line, counted = 1, 0
    for m in _SOURCE.finditer(text):
        word = m.group(1).replace('"', "").replace("'", "")
        rel = _HERE.sub("", word, count=1)
        var = _VAR_PREFIX.match(rel)
        if var is not None and (var.group(1) or var.group(2)) in own_dir:
            rel = rel[var.end():]
        if "$" in rel or "`" in rel or rel.startswith("/"):
            continue
        bases = [here] if rel != word else [here, ""]
        line += text.count("\n", counted, m.start())
        counted = m.start()
        for base in bases:
            candidate = posixpath.normpath(posixpath.join(base, rel))
            if candidate in paths and candidate != importer and not candidate.startswith("../"):
                out.append((candidate, line))
                break
    return out


def wanted_files(package: Package) -> list[str]:
    """The modules and data files the package's Python files import or load, and the shell files its scripts
    source, in the order first met. Every file is searched (one pass of a regular expression over its text, so
    the work is linear in the package's size, which the loader bounds); MAX_FILES bounds what is read."""
    py = {f.path for f in package.files if f.language == "python" and not f.virtual}
    data: dict[str, list[str]] = {}
    for f in package.files:
        if f.language in DATA_LANGUAGES and not f.virtual:
            data.setdefault(posixpath.basename(f.path), []).append(f.path)
    out: dict[str, None] = {}
    shell = {f.path for f in package.files if f.language == "shell" and not f.virtual}
    for f in package.files:
        if f.path in shell and f.text:
            out.update((p, None) for p, _ in sourced(f.path, f.text, shell))
    for f in package.files:
        if f.language != "python" or f.virtual or not f.text:
            continue
        text = f.text
        for m in _IMPORT.finditer(text):
            names = [(len(m.group(1)), m.group(2))] if m.group(3) is None else \
                [(0, n.strip()) for n in m.group(3).split(",")]
            for level, dotted in names:
                target = resolve_module(f.path, dotted, level, py)
                if target is not None:
                    out.setdefault(target, None)
        if data and _LOADER.search(text):
            for name in sorted(set(_DATA_FILE.findall(text)) & data.keys(), key=text.index):
                out.update((p, None) for p in data[name])
    return list(out)


def relevant(table: Mapping[str, SharedFile] | None, text: str | None) -> dict[str, SharedFile]:
    """The entries of the table a file can reach: those whose module or file name (`conf` of `scripts/conf.py`,
    `utils` of `utils/__init__.py`, `settings` of `settings.json`) its text writes. A file's analysis is a
    function of the file and of these alone (the Python engine's memo key)."""
    if not table or not text:
        return {}
    out = {}
    for path, entry in table.items():
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if stem == "__init__":
            stem = posixpath.basename(posixpath.dirname(path))
        if stem and stem in text:
            out[path] = entry
    return out


def digest(table: Mapping[str, SharedFile]) -> str:
    """The entries as text (the memo key's part for them: a file reaches a few small entries)."""
    return repr(sorted(table.items()))


def shared_values(package: Package) -> dict[str, SharedFile]:
    wanted = wanted_files(package)
    if not wanted:
        return {}
    files = {f.path: f for f in package.files}
    out: dict[str, SharedFile] = {}
    for n, path in enumerate(wanted):
        f = files[path]
        if n >= MAX_FILES:
            out[path] = SharedFile(cut=f"{path} was not read for values: the package's code imports or loads more "
                                      f"than {MAX_FILES} of its own files")
        elif f.text is None or f.truncated or len(f.text) > MAX_BYTES:
            out[path] = SharedFile(cut=f"{path} was not read for values: larger than {MAX_BYTES // 1024} KB")
        else:
            out[path] = _module(f) if f.language == "python" else _script(f) if f.language == "shell" else _data(f)
    return out


def _module(f: PackageFile) -> SharedFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(f.text or "")
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
        return SharedFile()  # a module that does not parse offers no values (its own engine reports it)
    known: dict[str, Any] = {}
    lines: dict[str, int] = {}
    cut = ""
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if not names:
            continue
        try:
            folded = _fold(value, known, 0, [MAX_NODES])
        except Cut:
            cut = cut or f"{f.path}:{stmt.lineno}: a value larger than the bounds ({MAX_NODES:,} values, " \
                         f"{MAX_DEPTH} levels) was not read"
            folded = None
        for name in names:
            known.pop(name, None)  # a later assignment the fold cannot read hides the earlier value
            if folded is not None and len(known) >= MAX_NAMES:
                cut = cut or f"{f.path}:{stmt.lineno}: constants past the first {MAX_NAMES} were not read"
            elif folded is not None:
                known[name] = folded
                lines[name] = stmt.lineno
    placed = _Lines(f.text or "")
    entries = []
    for name, value in known.items():
        literal = repr(value)
        if len(literal) > MAX_LITERAL:
            cut = cut or f"{f.path}:{lines[name]}: `{name}` is longer than {MAX_LITERAL // 1024} KB and was not read"
            continue
        entries.append((name, literal, lines[name]))
        for s in _strings(value):
            placed.add(s, lines[name])
    return SharedFile(tuple(entries), cut, tuple(placed.placed.items()))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _fold(node: ast.expr, known: dict[str, Any], depth: int, budget: list[int]) -> Any:
    """The value of a constant expression, None when it is not known; Cut past a bound."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise Cut
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, (str, int, float, bool)) or node.value is None else None
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for p in node.values:
            v = _fold(p.value, known, depth + 1, budget) if isinstance(p, ast.FormattedValue) else \
                _fold(p, known, depth + 1, budget)
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                return None
            parts.append(str(v))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fold(node.left, known, depth + 1, budget), _fold(node.right, known, depth + 1, budget)
        if isinstance(left, str) and isinstance(right, str) and len(left) + len(right) <= MAX_LITERAL:
            return left + right
        return None
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_fold(e, known, depth + 1, budget) for e in node.elts]
        return None if any(i is None for i in items) else items
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for k, v in zip(node.keys, node.values):
            key = _fold(k, known, depth + 1, budget) if k is not None else None
            if not isinstance(key, str):
                return None
            out[key] = _fold(v, known, depth + 1, budget)
        return out
    if isinstance(node, ast.Call) and not node.keywords:
        func = _dotted(node.func)
        args = [_fold(a, known, depth + 1, budget) for a in node.args]
        if not args or not all(isinstance(a, str) for a in args):
            return None
        if func in _JOINS:
            return posixpath.join(*args)
        if func in _SAME and len(args) == 1:
            return args[0]
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v)


class _Lines:
    """Where the strings of one file are written: the line of a string's first occurrence (as written or
    JSON-escaped) from a line on; only strings that can name a path or a host (a `/` or a `.`) are placed, at most
    MAX_PLACED a file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.placed: dict[str, int] = {}

    def add(self, s: str, default: int) -> None:
        if s in self.placed or len(self.placed) >= MAX_PLACED or not ("/" in s or "." in s) or len(s) > 2048:
            return
        start = self.starts[min(len(self.starts), max(1, default)) - 1]
        at = -1
        for form in (s, json.dumps(s)[1:-1]):
            at = self.text.find(form, start)
            if at >= 0:
                break
        self.placed[s] = bisect.bisect_right(self.starts, at) if at >= 0 else default


def _plain(value: Any, depth: int, budget: list[int]) -> Any:
    """A parsed data file as plain lists, dicts with string keys and scalars; Cut past a bound."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise Cut
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, budget) for k, v in value.items()}
    return str(value)  # dates and other YAML and TOML scalars: their text


def _data(f: PackageFile) -> SharedFile:
    from skillscan.formats.common import ManifestError, load_data_text

    try:
        parsed = load_data_text(f.text or "", f.language or "")
    except (ManifestError, MemoryError):
        return SharedFile()  # not valid data: nothing to offer (its own engines report what they read)
    except Exception:  # noqa: BLE001 - parser internals on hostile input
        return SharedFile()
    try:
        value = _plain(parsed, 0, [MAX_NODES])
    except (Cut, RecursionError):
        return SharedFile(cut=f"{f.path} was not read for values: more than {MAX_NODES:,} values or nested deeper "
                              f"than {MAX_DEPTH} levels")
    literal = repr(value)
    if len(literal) > MAX_LITERAL:
        return SharedFile(cut=f"{f.path} was not read for values: its values are longer than {MAX_LITERAL // 1024} KB")
    placed = _Lines(f.text or "")
    for s in _strings(value):
        placed.add(s, 1)
    return SharedFile((("", literal, 1),), "", tuple(placed.placed.items()))


def _script(f: PackageFile) -> SharedFile:
    """A sourced shell file: its text, which the script that sources it reads for its assignments (the shell
    engine's own parse, in the worker: `analyzers/shell/__init__.py`)."""
    return SharedFile((("", repr(f.text or ""), 1),))
