"""The truth check of issue 14: every host, path, environment variable and program a finding's
message names occurs on the cited line, or in the value the analysis followed to that line; a
whole-environment claim holds only where the whole environment is read (or, in prose, asked for: "all
environment variables").

A data-flow finding carries its facts (`flow`) and, for each host, variable and file it names, where that
thing is written and which name carried it to the cited line (`flow.carriers`: kind, value, name, path, line).
Each named thing that is a fact of the flow (its host, one of its names) is checked against its carrier, not
against a haystack: the value occurs in the carrier's statement (decoded forms included; a file's path piece by
piece in the carrier statement and the definitions it composes; a host also in the values followed to the
carrier's statement, decoded — a base64 literal, string pieces of an array joined); the carrying name occurs there too (or on the
object literal holding the line); and the carrier reaches the cited line — the carrying name is used in the
cited statement or the values followed to it, or (no name) the carrier's line is among them. The carrier may be
in another file of the package (an imported constant). A flow fact named without a carrier is an `uncarried`
violation; a carrier that fails is a violation of the thing's kind.

For the other named things, what counts as "the cited line and the value followed to it":

* the cited line, extended to the end of its statement (open brackets, `\\` and PowerShell backtick
  continuations);
* the definitions of the names used there, within the same file, five steps deep
  (`NAME = …`, `self.NAME = …`, `$NAME = …`, `export NAME=…`, `const NAME = …`, `for NAME in …`, `as NAME`;
  a one-letter name only by a definition near a line using it), and as the statement composes them
  (`${NAME}` replaced by each value assigned to it; `${1:-default}` by its default);
* for a virtual file `X#fence-N.ext` the host file X at line N + line (± 1), and the fence's
  definitions; for `…#decoded-N` / `…#blob-N` the host text and every base64, hex and char-code
  literal in it, decoded (and a "p,a,c,k,e,d" packed program unpacked) (every haystack is also read decoded: those literals, hex escapes, adjacent literals
  and the string items of an array literal joined as one);
* for a `combination-*` finding, whose location is one leg, the evidence lines of each of its
  capabilities (`capabilities.inferred[].evidence`);
* the finding's own `related` locations (the link a precondition points to, the evidence merged
  into a folded finding), each read like the cited line;
* the commands the package's manifest makes the host run at the cited line (the report's `surfaces`:
  a Dify runner's `pip install .`, an MCP registry entry's `npx @scope/server`), which the format
  derives from that line;
* for a compiled Python file (`.pyc`), whose "lines" are not text, every printable string of four or
  more characters in its bytes: the constants the bytecode reader found are among them.

    check_report(report_dict, root) -> list[Violation]

`root` is the directory the scan ran in (package roots in the report are relative to it, or
absolute). Packages inside archives and remote inputs cannot be read back and are counted in
`unchecked`.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from skillscan.analyzers.js.packer import unpack
from truthnames import Named, carriers_of, claims_whole_environment, named_things, occurs


MAX_FILE = 2_000_000
# gate rules with one finding per capability: several at one location are distinct claims unless identical
PER_CAPABILITY = frozenset({"undeclared-capability", "undeclared-sensitive-capability", "undeclared-dangerous-capability",
                            "forbidden-capability", "unused-declared-capability"})
DEPTH = 5
MAX_LINES = 80
NEAR = 25


@dataclass(frozen=True)
class Violation:
    package: str  # the package root as the report gives it
    rule_id: str
    path: str
    line: int
    kind: str  # host | path | variable | program | whole-environment | same-location | uncarried
    value: str
    message: str


@dataclass
class Stats:
    findings: int = 0
    checked: int = 0  # findings naming something (or claiming the whole environment)
    carried: int = 0  # named flow facts checked against their carriers
    unchecked: Counter[str] = field(default_factory=Counter)  # why a finding could not be checked


WHOLE_ENV_READS = re.compile("|".join((
    r"\bos\.environb?\b(?!\s*(?:\[|\.\s*(?:get|pop|setdefault|__getitem__|__contains__)\b))",
    r"\bprocess\.env\b(?!\s*(?:\.|\[|\?\.))",
    r"\bDeno\.env\.toObject\b", r"\bBun\.env\b(?!\s*[.\[])", r"\bos\.Environ\(\)", r"\bSystem\.getenv\(\s*\)",
    r"\bENV\.(?:to_h|to_hash|each|keys|values|map|select)\b",
    r"(?:^|[;&|`(]|\$\(|\b(?:if|then|do|while|until|else|!)\s)\s*(?:env|printenv)\s*(?:$|[|;&>)`])", r"\bexport\s+-p\b", r"\bdeclare\s+-x\b",
    r"/proc/(?:self|\d+|\$\w+)/environ",
    r"(?i:\b(?:Get-ChildItem|gci|ls|dir)\s+env:(?!\w))", r"(?i:GetEnvironmentVariables\s*\()",
    # prose that asks for it: "print all environment variables and their values", 所有环境变量
    r"(?i:\b(?:all|every)\s+(?:of\s+)?(?:the\s+)?environment\s+variables?\b)", r"所有环境变量|全部环境变量",
)), re.MULTILINE)
_NAMED_MEMBERSHIP = re.compile(r"[\"'][\w-]+[\"']\s+(?:not\s+)?in\s+os\.environ\b")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset(["if", "else", "elif", "for", "while", "in", "is", "not", "and", "or", "def", "return", "import", "from", "as", "with", "try", "except", "class", "self", "this", "const", "let", "var", "function", "true", "false", "none", "null", "True", "False", "None", "async", "await", "new", "echo", "then", "fi", "do", "done", "export", "local", "print", "str", "int", "len", "dict", "list", "os", "sys"])
_FILE_TOKEN = re.compile(r"(?<![\w/.~$-])[~$\w.-]*/[\w.-]+(?:/[\w.-]+)*")  # a file a command writes and another runs
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{6,}={1,2}")  # long runs, or short ones padded
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){8,}")
_PRINTABLE = re.compile(rb"[\x20-\x7e]{4,}")
# a list or tuple of string literals (`['cur', 'l ', …]`, `("~/", ".ssh/", "id_rsa")`), read as its pieces joined
_ARRAY = re.compile(r"""[\[(]\s*(?:(?:'[^'\n]{0,200}'|"[^"\n]{0,200}")\s*,\s*){1,255}(?:'[^'\n]{0,200}'|"[^"\n]{0,200}")\s*,?\s*[\])]""")
_ITEM = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")
_CHARCODES = re.compile(r"\d{2,3}(?:\s*,\s*\d{2,3}){3,}")


_ASSIGN = re.compile(r"(?:^|[\s;(,{])(?:export\s+|local\s+|readonly\s+|const\s+|let\s+|var\s+|self\.|this\.|\$)?"
                     r"([A-Za-z_]\w*)(?:\[[^\]\n]*\]|\.\w+)*\s*(?::\s*[^=\n]+)?[+|]?=(?!=)"
                     r"|\bfor\s+(?:\w+\s*,\s*)?([A-Za-z_]\w*)\b[^\n]*\bin\b|\bas\s+([A-Za-z_]\w*)"
                     r"|\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)|\b(?:def|function)\s+([A-Za-z_]\w*)\s*\(")


class FileIndex:
    """A file's lines with, for each name, the lines that give it a value (built once per file)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.assigned: dict[str, list[int]] = {}
        self._idents: dict[int, frozenset[str]] = {}
        self._statements: dict[int, list[int]] = {}
        self._returns: dict[int, list[int]] = {}
        self._users: dict[tuple[int, int], dict[str, list[int]]] = {}
        for j, text in enumerate(lines):
            for m in _ASSIGN.finditer(text[:2000]):
                name = next(g for g in m.groups() if g)
                self.assigned.setdefault(name, []).append(j)

    def idents(self, j: int) -> frozenset[str]:
        if j not in self._idents:
            self._idents[j] = frozenset(_IDENT.findall(self.lines[j][:2000]))
        return self._idents[j]

    def statement(self, j: int) -> list[int]:
        """`_statement(lines, j)`, remembered."""
        got = self._statements.get(j)
        if got is None:
            got = self._statements[j] = _statement(self.lines, j)
        return got

    def returns(self, j: int) -> list[int]:
        """`_returns(lines, j)`, remembered."""
        got = self._returns.get(j)
        if got is None:
            got = self._returns[j] = _returns(self.lines, j)
        return got

    def users(self, lines: range) -> dict[str, list[int]]:
        """For each name, the lines of `lines` that use it, in order (remembered per range)."""
        key = (lines.start, lines.stop)
        got = self._users.get(key)
        if got is None:
            got = {}
            for j in lines:
                for n in self.idents(j):
                    got.setdefault(n, []).append(j)
            self._users[key] = got
        return got


def _returns(lines: list[str], j: int) -> list[int]:
    """The `return` lines of the function defined at line j (by indentation, up to 200 lines)."""
    if not re.match(r"\s*(?:async\s+)?(?:def|function)\b", lines[j]):
        return []
    indent = len(lines[j]) - len(lines[j].lstrip())
    out = []
    for k in range(j + 1, min(len(lines), j + 200)):
        text = lines[k]
        if text.strip() and len(text) - len(text.lstrip()) <= indent and not text.strip().startswith(("}", ")")):
            break
        if re.match(r"\s*return\b", text):
            out.append(k)
    return out


def _object(lines: list[str], i: int, yaml: bool) -> list[int]:
    """The manifest object (JSON) or block (YAML) holding line i — a server entry, a hook — up to 40 lines."""
    start = i
    if yaml:
        indent = len(lines[i]) - len(lines[i].lstrip())
        start = next((j for j in range(i - 1, max(-1, i - 40), -1)
                      if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) < indent), i)
        top = len(lines[start]) - len(lines[start].lstrip())
        end = next((j for j in range(start + 1, min(len(lines), start + 40))
                    if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= top), min(len(lines), start + 40))
        return list(range(start, end))
    depth = 0
    for j in range(i - 1, max(-1, i - 40), -1):
        depth += sum(lines[j].count(c) for c in "}]") - sum(lines[j].count(c) for c in "{[")
        if depth < 0:
            start = j
            break
    return _statement(lines, start, 40) or [i]


def _statement(lines: list[str], i: int, limit: int = 15) -> list[int]:
    """The 0-based indexes of the statement starting at line i (up to `limit` lines)."""
    out, depth = [], 0
    if not 0 <= i < len(lines):
        return []
    quote = next((q for q in "\"'" if lines[i].count(q) % 2), "")  # `node -e "` … `"`: inline code
    for j in range(i, min(len(lines), i + limit)):
        out.append(j)
        text = lines[j]
        depth += sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")
        if quote and j > i and text.count(quote) % 2:
            quote = ""
        if depth <= 0 and not quote and not text.rstrip().endswith(("\\", "`")):  # `\`, PowerShell's backtick
            break
    return out


def _closure(index: FileIndex, seed: list[int], scope: range) -> list[int]:
    """seed plus the values followed to it: definitions of the names it uses anywhere in scope (and the
    return lines of functions it calls), and other lines near it (± NEAR) that use the same names or
    files, DEPTH steps deep."""
    lines = index.lines
    chosen = list(dict.fromkeys(seed))
    taken = set(chosen)
    frontier, seen_names = list(chosen), set()
    centre = seed[0] if seed else 0
    near = range(max(scope.start, centre - NEAR), min(scope.stop, centre + NEAR + 1))
    near_users = index.users(near)
    for _ in range(DEPTH):
        names = {n for j in frontier for n in index.idents(j) if n not in _KEYWORDS and (len(n) > 1 or n in index.assigned)
                 } - seen_names
        files = {p for j in frontier for p in _FILE_TOKEN.findall(lines[j][:2000])} - seen_names
        seen_names |= names | files
        users, frontier = frontier, []
        for name in sorted(names, key=lambda n: (len(n) == 1, n)) + sorted(files):  # one-letter names last
            if name in names:  # a one-letter name (`local h=…`, `as f`) only by its definitions near a line using it
                found = [j for j in index.assigned.get(name, ()) if j in scope and (
                    len(name) > 1 or j in near or any(abs(j - u) <= NEAR and name in index.idents(u) for u in users))]
                found += near_users.get(name, []) if len(name) > 1 else []
            else:
                found = [j for j in near if name in lines[j]]
            found += [k for j in found for k in index.returns(j)]
            for j in found:
                for k in index.statement(j):
                    if k not in taken:
                        taken.add(k)
                        chosen.append(k)
                        frontier.append(k)
            if len(chosen) > MAX_LINES:
                return chosen
    return chosen


_ADJACENT = re.compile(r"""(['"])\s*(?:\\?\n\s*|\+\s*)\1""")  # 'abc' 'def' / "abc" + "def": one literal


_TAG_CHARS = re.compile("[\U000E0020-\U000E007E]")


def _decoded(text: str) -> str:
    out = []
    joined = _ADJACENT.sub("", text)
    for m in list(_B64.finditer(joined))[:200]:
        try:
            raw = base64.b64decode(m.group(0) + "=" * (-len(m.group(0)) % 4))
        except (binascii.Error, ValueError):
            continue
        try:
            raw = zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(raw, 1_000_000) if raw[:1] in (b"\x78", b"\x1f") \
                else raw
        except zlib.error:
            pass
        out.append(raw.decode("utf-8", "replace"))
    for m in list(_HEX.finditer(text))[:200]:
        try:
            out.append(bytes.fromhex(m.group(0)).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass
    for m in list(_CHARCODES.finditer(text))[:200]:
        out.append("".join(chr(int(x)) for x in re.findall(r"\d+", m.group(0)) if 8 < int(x) < 0x110000))
    out.append(re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text))
    for m in list(_ARRAY.finditer(text))[:200]:  # ['cur', 'l ', 'htt', 'ps://', …].join(''): the pieces as one
        # (a tuple row of a loop's list too: `for parts in [(…), (…)]: "".join(parts)`)
        out.append("".join(a or b for a, b in _ITEM.findall(m.group(0))))
    if "eval" in text:  # a packed program, its words put back (js/packer.py finds the packer's signature)
        out.extend(u.text for u in unpack(text))
    out.append(text[::-1])  # reversed literals
    if joined != text:
        out.append(joined)  # literals joined with `+` or written side by side, as one
    out.append("".join(chr(ord(c) - 0xE0000) for c in _TAG_CHARS.findall(text)))  # Unicode tag text
    return text + "\n" + "\n".join(out)


class Package:
    """One package's files, read back from disk on demand."""

    def __init__(self, pkg: dict[str, object], root: Path) -> None:
        self.pkg = pkg
        raw = str(pkg.get("root") or "")
        self.readable = bool(raw) and "!/" not in raw and "://" not in raw
        self.base = (root / raw) if self.readable else root
        self._cache: dict[str, list[str] | None] = {}
        self._index: dict[str, FileIndex] = {}
        self._hay: dict[tuple[str, int], str | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if rel not in self._cache:
            p = self.base / rel
            try:
                ok = self.readable and p.is_file() and p.stat().st_size <= MAX_FILE
                self._cache[rel] = p.read_text(encoding="utf-8", errors="replace").splitlines() if ok else None
            except OSError:
                self._cache[rel] = None
        return self._cache[rel]

    def evidence_lines(self, capability: str) -> list[tuple[str, int]]:
        caps = self.pkg.get("capabilities") or {}
        for ic in caps.get("inferred") or []:  # type: ignore[union-attr]
            if ic.get("capability") == capability:
                return [(str(e["path"]), int(e["line"])) for e in ic.get("evidence") or []]
        return []

    def carries(self, c: dict[str, object], path: str, line: int) -> bool:
        """The carrier holds its value (and its name) on its statement, and reaches the cited line."""
        rel, at, name, value = str(c["path"]), int(c["line"]), str(c.get("name") or ""), str(c["value"])
        if "#decoded-" in rel or "#blob-" in rel:  # in a decoded payload: the value is in the decoded host text
            hay = self.haystack(rel, at) or ""
            return occurs(Named(str(c["kind"]), value), hay) and (not name or name.split(".")[-1] in hay)
        lines = self.lines(rel)
        if lines is None or not 1 <= at <= len(lines):
            return False
        own = _statement(lines, at - 1)
        text = _decoded("\n".join(lines[j] for j in own))
        if c["kind"] == "path":
            holds = occurs(Named("path", value), text + "\n" + (self.haystack(rel, at) or ""),
                           frozenset(rel.split("/")[:-1]))
        elif c["kind"] == "host":
            # a host the analysis folded on the carrier's line (a decoded literal, pieces joined) is in the values
            # followed to that line, as the other named things are checked
            holds = occurs(Named("host", value), text + "\n" + (self.haystack(rel, at) or ""))
        else:
            holds = occurs(Named(str(c["kind"]), value), text)
        if not holds:
            return False
        hay = self.haystack(path.split("#")[0], line) or ""
        if name:  # the name is used on the way to the cited line: elsewhere than in the carrier's own statement
            mine = {lines[j] for j in own}
            hay = "\n".join(x for x in hay.split("\n") if x not in mine)
            head, last = name.split(".")[0].removesuffix("()"), name.split(".")[-1].removesuffix("()")
            around = text + "\n" + "\n".join(lines[j] for j in _object(lines, at - 1, False))
            named_here = re.search(rf"(?<![\w$]){re.escape(last)}(?![\w$])", around) is not None
            return named_here and re.search(rf"(?<!\w){re.escape(head)}(?![\w$])", hay) is not None
        return rel == path.split("#")[0] and lines[at - 1].strip() in hay

    def bytecode_strings(self, rel: str) -> str | None:
        """The printable runs (≥ 4 characters) of a compiled file's bytes, one a line."""
        p = self.base / rel
        try:
            if not (self.readable and p.is_file() and p.stat().st_size <= MAX_FILE):
                return None
            raw = p.read_bytes()
        except OSError:
            return None
        return "\n".join(m.group(0).decode("latin-1") for m in _PRINTABLE.finditer(raw))

    def composed(self, path: str, line: int) -> str:
        """The cited statement as each value followed to it composes it (`substituted`), one a line."""
        host, *virtual = path.split("#")
        lines = self.lines(host)
        if lines is None or not 1 <= line <= len(lines) or virtual:
            return ""
        seed = _statement(lines, line - 1)
        if host not in self._index:
            self._index[host] = FileIndex(lines)
        return "\n".join(substituted(lines, self._index[host], seed, range(len(lines))))

    def haystack(self, path: str, line: int) -> str | None:
        """The cited line's statement and the values followed to it (None: the file cannot be read)."""
        if (path, line) not in self._hay:
            self._hay[(path, line)] = self._haystack(path, line)
        return self._hay[(path, line)]

    def _haystack(self, path: str, line: int) -> str | None:
        host, *virtual = path.split("#")
        if host.endswith(".pyc") and not virtual:
            return self.bytecode_strings(host)
        lines = self.lines(host)
        if lines is None:
            return None
        fence = next((v for v in virtual if v.startswith("fence-")), None)
        decoded = any(v.startswith(("decoded-", "blob-")) for v in virtual)
        scope = range(len(lines))
        if fence:
            start = int(re.match(r"fence-(\d+)", fence).group(1)) if re.match(r"fence-(\d+)", fence) else 1  # type: ignore[union-attr]
            end = next((j for j in range(start, len(lines)) if lines[j].lstrip().startswith(("```", "~~~"))), len(lines))
            scope = range(max(0, start - 1), min(len(lines), end + 1))
            if decoded:
                return _decoded("\n".join(lines[j] for j in scope))
            at = start - 1 + line
            seed = [j for j in range(at - 1, at + 2) if 0 <= j < len(lines)]
        elif decoded:
            return _decoded("\n".join(lines))
        else:
            if not 1 <= line <= len(lines):
                return ""
            seed = _statement(lines, line - 1)
            in_front = bool(lines) and lines[0].strip() == "---" and line > 1 and not any(
                t.strip() == "---" for t in lines[1:line - 1])  # YAML frontmatter of a Markdown file
            if host.endswith((".json", ".yaml", ".yml", ".toml")) or host.endswith(".md") and in_front:
                seed = list(dict.fromkeys(seed + _object(lines, line - 1, not host.endswith(".json"))))
        seed = [k for j in seed for k in _statement(lines, j)]
        if host not in self._index:
            self._index[host] = FileIndex(lines)
        return _decoded("\n".join(lines[j] for j in _closure(self._index[host], seed, scope)))


_REF = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\}|\$\{\s*([A-Za-z_]\w*)\s*\}")
_VALUE = re.compile(r"\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|([\w.~/-]+)")
_DEFAULTED = re.compile(r"\$\{\w+:?[-=]([^{}$]*)\}")
_DEFINES = re.compile(r"[+|]?=(?!=)|\bin\b")


def substituted(lines: list[str], index: FileIndex, seed: list[int], scope: range) -> list[str]:
    """The cited statement, and the definitions of the names it uses (three steps deep: `open(out)` ←
    `out = f"{base}.{ext}"`), each with every variable it interpolates (`$x`, `${x}`, `{x}`) replaced by
    each value a definition of that variable in scope gives (`for x in a b c`, `x = "v"`): the values the
    analysis followed to the line, composed as the code composes them."""
    out: list[str] = []
    statements, seen = [seed], {tuple(seed)}
    for _ in range(3):
        following: list[list[int]] = []
        for st in statements:
            text = "\n".join(lines[j] for j in st)[:4000]
            out += _interpolated(lines, index, text, scope)
            for name in sorted(set(_IDENT.findall(text)) - _KEYWORDS)[:32]:
                for j in index.assigned.get(name, ())[:8]:
                    nxt = _statement(lines, j, 5)
                    if j in scope and tuple(nxt) not in seen:
                        seen.add(tuple(nxt))
                        following.append(nxt)
        statements = following[:32]
    return out


def _interpolated(lines: list[str], index: FileIndex, text: str, scope: range) -> list[str]:
    out: list[str] = []
    for name in list(dict.fromkeys(next(g for g in m.groups() if g) for m in _REF.finditer(text)))[:8]:
        values: list[str] = []
        for j in index.assigned.get(name, ())[:8]:
            if j not in scope:
                continue
            d = _DEFINES.search(lines[j], lines[j].find(name) + len(name)) if name in lines[j] else None
            rhs = _DEFAULTED.sub(r"\1", lines[j][d.end():]) if d else ""  # `${2:-thermal.log}`: its default
            values += [next(g for g in m.groups() if g) for m in _VALUE.finditer(rhs[:500])][:32]
        refs = re.compile(rf"\$\{{\s*{name}\s*\}}|\${name}(?!\w)|\{{{name}\}}")
        out += [refs.sub(lambda _m, v=v: v, text) for v in dict.fromkeys(values) if v not in _KEYWORDS]
    return out


def check_package(pkg: dict[str, object], root: Path, stats: Stats | None = None) -> list[Violation]:
    stats = stats if stats is not None else Stats()
    files = Package(pkg, root)
    out: list[Violation] = []
    where = str(pkg.get("root") or pkg.get("input") or "")
    at_location: Counter[tuple[str, str, int, str]] = Counter()
    for f in pkg.get("findings") or []:  # type: ignore[union-attr]
        stats.findings += 1
        rule, path, line, message = str(f["rule_id"]), str(f["path"]), int(f.get("line") or 0), str(f["message"])
        if f.get("severity") != "info":
            key = message if rule in PER_CAPABILITY else ""
            at_location[(rule, path, line, key)] += 1
        things = named_things(message)
        whole = claims_whole_environment(message)
        if not things and not whole:
            continue
        hay = files.haystack(path, line)
        if hay is None:
            stats.unchecked["archive or remote package" if not files.readable else "file not readable"] += 1
            continue
        for sf in pkg.get("surfaces") or []:  # type: ignore[union-attr]
            if sf.get("path") == path and int(sf.get("line") or 0) == line:
                hay += "\n" + str(sf.get("command") or "")
        for r in f.get("related") or []:  # type: ignore[union-attr]
            hay += "\n" + (files.haystack(str(r["path"]), int(r.get("line") or 0)) or "")
        if rule.startswith("combination-"):
            for cap in f.get("capabilities") or []:
                for p, ln in files.evidence_lines(str(cap)):
                    hay += "\n" + (files.haystack(p, ln) or "")
        stats.checked += 1
        flow = f.get("flow") or {}
        for n in things:
            carriers = carriers_of(n, flow)
            if carriers is not None:
                stats.carried += 1
                if not carriers:
                    out.append(Violation(where, rule, path, line, "uncarried", n.value, message))
                elif not any(files.carries(c, path, line) for c in carriers):
                    out.append(Violation(where, rule, path, line, n.kind, n.value, message))
                continue
            own = frozenset(path.split("#")[0].split("/")[:-1])
            # each piece whole in the followed values or in the statement as they compose it (a path's
            # directories from one definition, its file name composed on the cited statement)
            if not occurs(n, hay + "\n" + files.composed(path, line), own):
                out.append(Violation(where, rule, path, line, n.kind, n.value, message))
        if whole and not WHOLE_ENV_READS.search(_NAMED_MEMBERSHIP.sub(" ", hay)):
            out.append(Violation(where, rule, path, line, "whole-environment", "", message))
    for (rule, path, line, _key), n in at_location.items():
        if n > 1:
            out.append(Violation(where, rule, path, line, "same-location", str(n),
                                 f"{n} findings of {rule} at {path}:{line}"))
    return out


def check_report(report: dict[str, object], root: Path | str, stats: Stats | None = None) -> list[Violation]:
    """Every violation in a skillscan JSON report whose packages live under `root`."""
    out: list[Violation] = []
    for pkg in report.get("packages") or []:  # type: ignore[union-attr]
        out += check_package(pkg, Path(root), stats)
    return out
