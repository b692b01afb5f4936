"""One libcst pass over a module: import/alias table, literal resolution, API → capability events,
decoded literals and intra-module data flow. No metadata providers: positions are computed only for
the nodes that are reported (see `Locator`)."""

from __future__ import annotations

import ast
import bisect
import posixpath
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from skillscan.analyzers.decode import CODE_MARKERS, Decoded, apply_codec, decode_chain, decode_literal, looks_like
from skillscan.analyzers.python.capmap import ApiEntry, CapMap
from skillscan.analyzers.python.values import UNKNOWN, Binding, FuncInfo, Source, Val, host_of
from skillscan.capabilities.grammar import (
    is_agent_config_path,
    is_credential_env,
    normalize_binary,
    normalize_path,
    persist_kind_of_path,
    secret_kind_of_path,
)
from skillscan.model import Capability, Confidence, Location, Severity

MAX_EXPR_DEPTH = 60  # recursion bound of value / taint evaluation
MAX_TAINTS = 4
MAX_EVENTS = 2000  # findings per file
MAX_DECODED = 16  # virtual files per file
GUESS_MIN_LEN = 40

DECODERS = {
    "base64.b64decode": "base64", "base64.standard_b64decode": "base64", "base64.decodebytes": "base64",
    "base64.decodestring": "base64", "base64.urlsafe_b64decode": "base64url", "base64.b32decode": "base32",
    "base64.b16decode": "hex", "base64.b85decode": "base85", "base64.a85decode": "ascii85",
    "binascii.unhexlify": "hex", "binascii.a2b_hex": "hex", "binascii.a2b_base64": "base64",
    "bytes.fromhex": "hex", "bytearray.fromhex": "hex", "zlib.decompress": "zlib", "gzip.decompress": "gzip",
    "bz2.decompress": "bz2", "lzma.decompress": "lzma",
}
CODEC_NAMES = {"rot13": "rot13", "rot_13": "rot13", "rot-13": "rot13", "hex": "hex", "hex_codec": "hex",
               "base64": "base64", "base64_codec": "base64", "zlib": "zlib", "zlib_codec": "zlib", "bz2": "bz2",
               "bz2_codec": "bz2", "unicode_escape": "unicode-escape"}
PASS_THROUGH = {"os.path.expanduser", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expandvars",
                "os.fspath", "str", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath",
                "posixpath.expanduser", "posixpath.abspath", "posixpath.normpath", "os.fsencode", "os.fsdecode",
                "bytes", "bytearray", "urllib.parse.quote", "textwrap.dedent", "shlex.quote", "shutil.which"}
JOINS = {"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"}
PATH_METHODS_PASS = {"resolve", "absolute", "expanduser", "strip", "rstrip", "lstrip", "lower", "encode", "decode",
                     "as_posix", "__str__", "__fspath__"}
NETWORK_TOOLS = {"curl", "wget", "nc", "ncat", "netcat", "socat", "scp", "sftp", "rsync", "ssh", "ftp", "telnet",
                 "sendmail", "mail", "mailx", "http", "httpie", "aws", "gsutil", "rclone"}
KEYCHAIN_TOOLS = {"security", "secret-tool", "cmdkey", "keyring"}
PATHLIB_ONLY = {"read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "rglob"}
COPIES = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
FLOW_KW_IGNORED = {"env", "cwd", "timeout", "check", "shell", "text", "encoding", "capture_output", "verify"}


@dataclass
class Event:
    rule_id: str
    message: str
    location: Location
    capabilities: tuple[Capability, ...] = ()
    confidence: Confidence | None = None
    severity: Severity | None = None
    related: tuple[Location, ...] = ()
    decoded: str | None = None


@dataclass
class VirtualPayload:
    text: str
    data: bytes
    chain: tuple[str, ...]
    location: Location
    language: str


@dataclass
class Result:
    events: list[Event] = field(default_factory=list)
    payloads: list[VirtualPayload] = field(default_factory=list)


class Locator:
    """Positions without PositionProvider: the source text of a node (libcst round-trips exactly) is
    searched for from a cursor that follows the pre-order visit; a cheap line index maps offsets to
    lines. Only reported nodes are located."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        self.cursor = 0
        self.newlines = [i for i, ch in enumerate(source) if ch == "\n"] if len(source) < 4_000_000 else []
        self.cache: dict[int, tuple[int, int]] = {}
        self.claimed: set[tuple[int, str]] = set()

    def _pattern(self, node: cst.CSTNode) -> re.Pattern[str] | None:
        target = node.func if isinstance(node, cst.Call) else node
        try:
            code = self.module.code_for_node(target)
        except Exception:  # noqa: BLE001 - codegen of a detached node
            return None
        if not code:
            return None
        head = re.escape(code[:400])
        lead = r"(?<![\w.])" if code[:1].isidentifier() else ""
        tail = r"\s*\(" if isinstance(node, cst.Call) else (r"(?!\w)" if code[-1:].isalnum() else "")
        return re.compile(lead + head + tail)

    def _ok(self, pos: int) -> bool:
        """Not inside a whole-line comment."""
        start = self.source.rfind("\n", 0, pos) + 1
        return not self.source[start:pos].lstrip().startswith("#")

    def offset(self, node: cst.CSTNode) -> int:
        key = id(node)
        if key in self.cache:
            return self.cache[key][0]
        pattern = self._pattern(node)
        pos = -1
        if pattern is not None:
            for m in pattern.finditer(self.source, self.cursor):
                if self._ok(m.start()) and (m.start(), pattern.pattern) not in self.claimed:
                    pos = m.start()
                    self.cursor = pos
                    break
            if pos < 0:
                for m in pattern.finditer(self.source, 0, self.cursor + 1):
                    if self._ok(m.start()):
                        pos = m.start()
            self.claimed.add((pos, pattern.pattern))
        if pos < 0:
            pos = self.cursor
        self.cache[key] = (pos, 0)
        return pos

    def location(self, path: str, node: cst.CSTNode) -> Location:
        pos = self.offset(node)
        line = bisect.bisect_left(self.newlines, pos) + 1
        start = self.newlines[line - 2] + 1 if line >= 2 else 0
        end = self.newlines[line - 1] if line - 1 < len(self.newlines) else len(self.source)
        return Location(path, line, pos - start + 1, None, None, self.source[start:end].strip()[:300])


def _string_value(node: cst.SimpleString) -> str | bytes | None:
    try:
        value = ast.literal_eval(node.value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (str, bytes)) else None


def _format_percent(fmt: str, args: list[str]) -> str:
    it = iter(a[:65536] for a in args[:256])

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        return next(it, UNKNOWN)

    return re.sub(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdrifgeExXoca]", repl, fmt)


def _format_braces(fmt: str, args: list[str], kwargs: dict[str, str]) -> str:
    counter = iter(range(10_000))
    budget = [MAX_VALUE]
    args = [a[:65536] for a in args[:256]]
    kwargs = {k: v[:65536] for k, v in list(kwargs.items())[:256]}

    def repl(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        name = m.group(1).split("!", 1)[0].split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
        if name == "":
            idx = next(counter)
            out = args[idx] if idx < len(args) else UNKNOWN
        elif name.isdigit():
            out = args[int(name)] if len(name) < 4 and int(name) < len(args) else UNKNOWN
        else:
            out = kwargs.get(name, UNKNOWN)
        budget[0] -= len(out)
        return out if budget[0] > 0 else UNKNOWN

    return re.sub(r"\{\{|\}\}|\{([^{}]*)\}", repl, fmt)


MAX_VALUE = 1 << 20  # characters of a folded value


def _concat(parts: Sequence[Val | None]) -> Val | None:
    if all(p is None for p in parts):
        return None
    if sum(len(p.data) for p in parts if p is not None) > MAX_VALUE:
        return None
    out_bytes = any(p is not None and isinstance(p.data, bytes) for p in parts)
    exact = all(p is not None and p.exact for p in parts)
    chain: tuple[str, ...] = ()
    for p in parts:
        if p is not None and p.chain:
            chain = p.chain
    if out_bytes:
        data: str | bytes = b"".join(p.raw if p is not None else b"*" for p in parts)
    else:
        data = "".join(p.text if p is not None else UNKNOWN for p in parts)
    return Val(data, exact, chain)


def _kw(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a.value
    return None


def _arg(call: cst.Call, index: int | None, kw: str | None) -> cst.BaseExpression | None:
    if kw:
        v = _kw(call, kw)
        if v is not None:
            return v
    if index is None:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index].value if index < len(positional) else None


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True" or (
        isinstance(node, cst.Integer) and node.value not in ("0",))


def _is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False" or (isinstance(node, cst.Integer) and node.value == "0")


class ModuleVisitor(cst.CSTVisitor):
    def __init__(self, module: cst.Module, source: str, path: str, capmap: CapMap, shell: Any | None,
                 confidence_cap: Confidence = Confidence.HIGH) -> None:
        super().__init__()
        self.module = module
        self.path = path
        self.capmap = capmap
        self.shell = shell  # the shell analyzer module (lazy import), or None
        self.confidence_cap = confidence_cap
        self.loc = Locator(module, source)
        self.scopes: list[dict[str, Binding]] = [{}]
        self.funcs: list[FuncInfo] = []
        self.result = Result()
        self._qual_cache: dict[int, str | None] = {}
        self._source_cache: dict[int, tuple[Source, ...]] = {}
        self._store_targets: set[int] = set()
        self._env_kw_nodes: set[int] = set()
        self._decode_candidates: dict[int, tuple[cst.CSTNode, Val]] = {}
        self._consumed_literals: set[int] = set()
        self._executed: set[int] = set()  # nodes passed to exec/eval/subprocess
        self._guess_literals: list[tuple[cst.SimpleString, str]] = []
        self._path_taint: dict[str, Source] = {}  # path value → source (downloaded file, copied store)
        self._deferred_calls: list[tuple[str, list[tuple[int | str, tuple[Source, ...]]], Location]] = []
        self._flow_seen: set[tuple[str, int, int, str]] = set()
        self._socket_connects: list[Location] = []
        self._dup2: list[Location] = []
        self._shell_spawns: list[Location] = []
        self._star_imports: list[str] = []
        self._mining = capmap.pattern("mining_url")
        self._miners = capmap.words("miner_binaries")
        self._interpreters = capmap.words("interpreters")
        self._shells = capmap.words("shells")
        self._tls_off_calls = frozenset(capmap.indicators.get("tls_off_calls", []) or [])
        self._home_env = frozenset(capmap.indicators.get("home_env", ["HOME"]) or [])
        self.shell_findings: list[Any] = []
        self._deferred_funcs: dict[str, FuncInfo] = {}
        self._deferred_caller: dict[int, FuncInfo] = {}

    # ------------------------------------------------------------------ scopes and names

    def lookup(self, name: str) -> Binding | None:
        for scope in reversed(self.scopes):
            b = scope.get(name)
            if b is not None:
                return b
        return None

    def bind(self, name: str, binding: Binding) -> None:
        self.scopes[-1][name] = binding

    def qualname(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """The fully qualified name an expression refers to, through imports and aliases."""
        key = id(node)
        if key in self._qual_cache:
            return self._qual_cache[key]
        result = self._qualname(node, depth)
        self._qual_cache[key] = result
        return result

    def _qualname(self, node: cst.BaseExpression, depth: int) -> str | None:
        if depth > MAX_EXPR_DEPTH:
            return None
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            if b is not None:
                if b.alias:
                    return b.alias
                if b.type:
                    return b.type
                return None
            for mod in self._star_imports:
                if self.capmap.lookup(f"{mod}.{node.value}") is not None:
                    return f"{mod}.{node.value}"
            return node.value
        if isinstance(node, cst.Attribute):
            base = self.qualname(node.value, depth + 1)
            if base is None:
                base = self.type_of(node.value, depth + 1)
            if base is None and node.attr.value in PATHLIB_ONLY:
                base = "pathlib.Path"
            return f"{base}.{node.attr.value}" if base else None
        if isinstance(node, cst.Call):
            func = self.qualname(node.func, depth + 1)
            if func in ("__import__", "importlib.import_module", "builtins.__import__"):
                v = self.value_of(_arg(node, 0, "name"), depth + 1)
                return v.text if v is not None and v.exact else None
            if func in ("getattr", "builtins.getattr"):
                positional = [a.value for a in node.args if a.keyword is None]
                if len(positional) >= 2:
                    base = self.qualname(positional[0], depth + 1) or self.type_of(positional[0], depth + 1)
                    attr = self.value_of(positional[1], depth + 1)
                    if base and attr is not None and attr.exact:
                        return f"{base}.{attr.text}"
            return None
        return None

    def type_of(self, node: cst.BaseExpression | None, depth: int = 0) -> str | None:
        if node is None or depth > MAX_EXPR_DEPTH:
            return None
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            return b.type if b is not None else None
        if isinstance(node, cst.Call):
            q = self.qualname(node.func, depth + 1)
            if q is None:
                return None
            if q in self.capmap.instances:
                return self.capmap.instances[q]
            if q.startswith("pathlib.Path.") and q.rsplit(".", 1)[1] in ("resolve", "absolute", "expanduser",
                                                                         "joinpath", "with_name", "with_suffix"):
                return "pathlib.Path"
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide) and \
                self.type_of(node.left, depth + 1) == "pathlib.Path":
            return "pathlib.Path"
        if isinstance(node, cst.Attribute) and node.attr.value == "parent" and \
                self.type_of(node.value, depth + 1) == "pathlib.Path":
            return "pathlib.Path"
        return None

    # ------------------------------------------------------------------ literal resolution

    def value_of(self, node: cst.BaseExpression | None, depth: int = 0) -> Val | None:
        if node is None or depth > MAX_EXPR_DEPTH:
            return None
        try:
            v = self._value_of(node, depth)
        except (RecursionError, MemoryError, OverflowError):
            return None
        return v if v is None or len(v.data) <= MAX_VALUE else None

    def _value_of(self, node: cst.BaseExpression, depth: int) -> Val | None:
        if isinstance(node, cst.SimpleString):
            v = _string_value(node)
            if v is None:
                return None
            self._consumed_literals.add(id(node))
            return Val(v)
        if isinstance(node, cst.ConcatenatedString):
            return _concat([self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)])
        if isinstance(node, cst.FormattedString):
            parts: list[Val | None] = []
            for p in node.parts:
                if isinstance(p, cst.FormattedStringText):
                    parts.append(Val(p.value))
                elif isinstance(p, cst.FormattedStringExpression):
                    parts.append(self.value_of(p.expression, depth + 1))
            return _concat(parts) if parts else Val("")
        if isinstance(node, cst.Integer):
            return Val(node.value)
        if isinstance(node, cst.Name):
            if node.value == "__file__":
                return Val("$PKG/" + self.path.split("#", 1)[0])
            b = self.lookup(node.value)
            return b.value if b is not None else None
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return _concat([self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)])
            if isinstance(node.operator, cst.Divide):
                left = self.value_of(node.left, depth + 1)
                right = self.value_of(node.right, depth + 1)
                if left is None and right is None:
                    return None
                return self._join([left, right])
            if isinstance(node.operator, cst.Modulo):
                left = self.value_of(node.left, depth + 1)
                if left is None or isinstance(left.data, bytes):
                    return None
                rhs = node.right
                items = rhs.elements if isinstance(rhs, cst.Tuple) else None
                vals = [self.value_of(e.value, depth + 1) for e in items] if items is not None else [
                    self.value_of(rhs, depth + 1)]
                return Val(_format_percent(left.text, [v.text if v else UNKNOWN for v in vals]),
                           left.exact and all(v is not None and v.exact for v in vals))
            return None
        if isinstance(node, cst.Subscript):
            q = self.qualname(node.value, depth + 1)
            if q == "os.environ" and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                name = self.value_of(node.slice[0].slice.value, depth + 1)
                return self._env_value(name.text if name is not None else None)
            sl = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(sl, cst.Slice) and sl.lower is None and sl.upper is None and sl.step is not None:
                step = sl.step
                if isinstance(step, cst.UnaryOperation) and isinstance(step.expression, cst.Integer) and \
                        step.expression.value == "1" and isinstance(step.operator, cst.Minus):
                    inner = self.value_of(node.value, depth + 1)
                    if inner is not None and inner.exact:
                        return Val(inner.data[::-1], True, inner.chain + ("reverse",))
            return None
        if isinstance(node, cst.Attribute):
            if node.attr.value == "parent":
                inner = self.value_of(node.value, depth + 1)
                if inner is not None:
                    return Val(posixpath.dirname(inner.text.rstrip("/")), inner.exact)
            q = self.qualname(node, depth + 1)
            if q in ("os.sep", "os.path.sep"):
                return Val("/")
            return None
        if isinstance(node, cst.Call):
            return self._call_value(node, depth)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            left = self.value_of(node.left, depth + 1)
            return left if left is not None else self.value_of(node.right, depth + 1)
        if isinstance(node, (cst.List, cst.Tuple)):
            return None
        return None

    def _env_value(self, name: str | None) -> Val:
        if name in self._home_env:
            return Val("~")
        if name in ("TMPDIR", "TEMP", "TMP"):
            return Val("$TMP")
        return Val(UNKNOWN, False)

    def _join(self, parts: Sequence[Val | None]) -> Val:
        out = ""
        exact = True
        for p in parts:
            text = p.text if p is not None else UNKNOWN
            exact = exact and p is not None and p.exact
            text = text.replace("\\", "/")
            out = posixpath.join(out, text) if out else text
        return Val(out, exact)

    def _call_value(self, node: cst.Call, depth: int) -> Val | None:
        q = self.qualname(node.func, depth + 1)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if q in DECODERS or self._codec_of(node, q) is not None:
            return self._decode_value(node, q, depth)
        if q in JOINS:
            if not positional:
                return Val("$WORK") if q.startswith("pathlib") else None
            return self._join([self.value_of(p, depth + 1) for p in positional])
        if q in ("pathlib.Path.home", "pathlib.PosixPath.home"):
            return Val("~")
        if q in ("os.getcwd", "pathlib.Path.cwd", "os.getcwdb"):
            return Val("$WORK")
        if q in ("tempfile.gettempdir", "tempfile.mkdtemp", "tempfile.gettempdirb"):
            return Val("$TMP")
        if q in ("os.getenv", "os.environ.get"):
            name = self.value_of(positional[0], depth + 1) if positional else None
            return self._env_value(name.text if name is not None else None)
        if q in ("os.path.dirname", "posixpath.dirname"):
            inner = self.value_of(positional[0], depth + 1) if positional else None
            return Val(posixpath.dirname(inner.text.rstrip("/")), inner.exact) if inner is not None else None
        if q in ("os.path.expanduser", "posixpath.expanduser") and positional:
            inner = self.value_of(positional[0], depth + 1)
            return inner
        if q in PASS_THROUGH and positional:
            inner = self.value_of(positional[0], depth + 1)
            if inner is not None and q in ("bytes", "bytearray") and isinstance(positional[0], (cst.List, cst.Tuple)):
                return None
            return inner
        if q in ("bytes", "bytearray") and positional and isinstance(positional[0], (cst.List, cst.Tuple)):
            return self._charcodes(positional[0], depth, "bytes")
        if isinstance(node.func, cst.Attribute):
            attr = node.func.attr.value
            receiver = node.func.value
            if attr == "join":
                sep = self.value_of(receiver, depth + 1)
                if sep is not None and positional:
                    return self._str_join(sep, positional[0], depth)
                if self.type_of(receiver, depth + 1) == "pathlib.Path" or sep is None:
                    pass
            if attr == "joinpath":
                base = self.value_of(receiver, depth + 1)
                return self._join([base] + [self.value_of(p, depth + 1) for p in positional])
            if attr == "format":
                fmt = self.value_of(receiver, depth + 1)
                if fmt is not None and not isinstance(fmt.data, bytes):
                    args = [self.value_of(p, depth + 1) for p in positional]
                    kwargs = {a.keyword.value: self.value_of(a.value, depth + 1) for a in node.args if a.keyword}
                    text = _format_braces(fmt.text, [v.text if v else UNKNOWN for v in args],
                                          {k: v.text if v else UNKNOWN for k, v in kwargs.items()})
                    exact = fmt.exact and all(v is not None and v.exact for v in args)
                    return Val(text, exact)
            if attr in ("replace",) and len(positional) == 2:
                base = self.value_of(receiver, depth + 1)
                old = self.value_of(positional[0], depth + 1)
                new = self.value_of(positional[1], depth + 1)
                if base is not None and old is not None and new is not None and type(base.data) is type(old.data) \
                        is type(new.data) and len(base.data) <= 100_000 and len(new.data) <= 1000:
                    return Val(base.data.replace(old.data, new.data)[: 1 << 20], base.exact, base.chain)  # type: ignore[arg-type]
            if attr in PATH_METHODS_PASS:
                inner = self.value_of(receiver, depth + 1)
                if inner is None:
                    return None
                if attr == "decode" and isinstance(inner.data, bytes):
                    codec = self.value_of(positional[0], depth + 1) if positional else None
                    if codec is not None and codec.text.lower() in CODEC_NAMES and codec.text.lower() != "unicode_escape":
                        return self._apply(inner, CODEC_NAMES[codec.text.lower()])
                    return Val(inner.data.decode("utf-8", "replace"), inner.exact, inner.chain)
                if attr == "encode" and isinstance(inner.data, str):
                    return Val(inner.data.encode("utf-8", "surrogateescape"), inner.exact, inner.chain)
                if attr in ("strip", "rstrip", "lstrip", "lower") and not positional:
                    return Val(getattr(inner.data, attr)(), inner.exact, inner.chain)
                return inner
        return None

    def _str_join(self, sep: Val, iterable: cst.BaseExpression, depth: int) -> Val | None:
        # "".join(chr(c) for c in [..]) / "".join(map(chr, [..])) / "".join(reversed(s)) / sep.join([...])
        if isinstance(iterable, (cst.GeneratorExp, cst.ListComp)) and isinstance(iterable.elt, cst.Call) and \
                self.qualname(iterable.elt.func, depth + 1) == "chr":
            return self._charcodes(iterable.for_in.iter, depth, "charcodes")
        if isinstance(iterable, cst.Call):
            q = self.qualname(iterable.func, depth + 1)
            positional = [a.value for a in iterable.args if a.keyword is None]
            if q == "map" and len(positional) == 2 and self.qualname(positional[0], depth + 1) == "chr":
                return self._charcodes(positional[1], depth, "charcodes")
            if q == "reversed" and positional:
                inner = self.value_of(positional[0], depth + 1)
                if inner is not None and inner.exact and isinstance(inner.data, str):
                    return Val(inner.data[::-1], True, inner.chain + ("reverse",))
        if isinstance(iterable, (cst.List, cst.Tuple)):
            vals = [self.value_of(e.value, depth + 1) for e in iterable.elements]
            if sep.exact and isinstance(sep.data, str) and all(v is None or isinstance(v.data, str) for v in vals):
                return Val(sep.data.join(v.text if v else UNKNOWN for v in vals),
                           all(v is not None and v.exact for v in vals))
        return None

    def _charcodes(self, node: cst.BaseExpression, depth: int, how: str) -> Val | None:
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            node = b.node if b is not None and isinstance(b.node, (cst.List, cst.Tuple)) else node
        if not isinstance(node, (cst.List, cst.Tuple)) or not node.elements or len(node.elements) > 200_000:
            return None
        nums = []
        for e in node.elements:
            if not isinstance(e.value, cst.Integer):
                return None
            try:
                n = int(e.value.evaluated_value)
            except (ValueError, TypeError):
                return None
            if n < 0 or n > 0x10FFFF or (how == "bytes" and n > 255):
                return None
            nums.append(n)
        if how == "bytes":
            return Val(bytes(nums), True, ("charcodes",) if len(nums) >= 8 else ())
        return Val("".join(chr(n) for n in nums), True, ("charcodes",) if len(nums) >= 8 else ())

    def _codec_of(self, node: cst.Call, q: str | None) -> str | None:
        if q in ("codecs.decode",):
            positional = [a.value for a in node.args if a.keyword is None]
            enc = self.value_of(positional[1] if len(positional) > 1 else _kw(node, "encoding"))
            if enc is not None:
                return CODEC_NAMES.get(enc.text.lower())
        return None

    def _apply(self, inner: Val, codec: str) -> Val | None:
        raw = apply_codec(codec, inner.data)
        if raw is None:
            return None
        return Val(raw, inner.exact, inner.chain + (codec,))

    def _decode_value(self, node: cst.Call, q: str | None, depth: int) -> Val | None:
        codec = DECODERS.get(q or "") or self._codec_of(node, q)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if not codec or not positional:
            return None
        inner = self.value_of(positional[0], depth + 1)
        if inner is None or not inner.exact:
            return None
        if codec == "zlib" and len(positional) > 1:
            wbits = self.value_of(positional[1], depth + 1)
            if wbits is not None and wbits.text.lstrip("-").isdigit() and int(wbits.text) < 0:
                codec = "deflate"
        return self._apply(inner, codec)

    def argv_of(self, node: cst.BaseExpression | None, depth: int = 0) -> list[str] | None:
        if node is None or depth > 4:
            return None
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            if b is not None and isinstance(b.node, (cst.List, cst.Tuple, cst.BinaryOperation)):
                return self.argv_of(b.node, depth + 1)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and (
                isinstance(node.left, (cst.List, cst.Tuple)) or isinstance(node.right, (cst.List, cst.Tuple))):
            # list concatenation: ["git", "log"] + args
            left = self.argv_of(node.left, depth + 1) or [UNKNOWN]
            right = self.argv_of(node.right, depth + 1) or [UNKNOWN]
            return left + right
        if isinstance(node, (cst.List, cst.Tuple)):
            out: list[str] = []
            for e in node.elements[:256]:
                if isinstance(e, cst.StarredElement):
                    out.append(UNKNOWN)
                    continue
                v = self.value_of(e.value)
                out.append(v.text if v is not None and v.exact else (v.text if v is not None else UNKNOWN))
            return out
        if isinstance(node, cst.Call):
            q = self.qualname(node.func)
            if q == "shlex.split":
                v = self.value_of(_arg(node, 0, "s"))
                if v is not None:
                    return _split(v.text)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "split" and not node.args:
                v = self.value_of(node.func.value)
                if v is not None:
                    return v.text.split()
        v = self.value_of(node)
        if v is not None:
            return [v.text]
        return None

    # ------------------------------------------------------------------ taint

    def taint_of(self, node: cst.BaseExpression | None, depth: int = 0) -> tuple[Source, ...]:
        if node is None or depth > MAX_EXPR_DEPTH:
            return ()
        try:
            return self._taint_of(node, depth)
        except RecursionError:
            return ()

    def _taint_of(self, node: cst.BaseExpression, depth: int) -> tuple[Source, ...]:
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            return b.taint if b is not None else ()
        if isinstance(node, cst.Attribute):
            if node.attr.value == "environ" and self.qualname(node) == "os.environ":
                return (self._source(node, "envdump", "os.environ", Capability("env.read", "*")),)
            return self.taint_of(node.value, depth + 1)
        if isinstance(node, cst.Subscript):
            if self.qualname(node.value) == "os.environ" and len(node.slice) == 1 and isinstance(
                    node.slice[0].slice, cst.Index):
                name = self.value_of(node.slice[0].slice.value)
                return self._env_source(node, name.text if name is not None and name.exact else None)
            return self.taint_of(node.value, depth + 1)
        if isinstance(node, cst.Call):
            own = self._call_sources(node)
            q = self.qualname(node.func)
            args = [a.value for a in node.args if not (a.keyword is not None and a.keyword.value in FLOW_KW_IGNORED)]
            out = list(own)
            if q in DECODERS or self._codec_of(node, q) is not None:
                out.extend(self._union(self.taint_of(a, depth + 1) for a in args))
                if not any(t.kind == "decoded" for t in out):
                    out.append(Source("decoded", q or "decode", self.loc.location(self.path, node)))
                return self._cap(out)
            if isinstance(node.func, cst.Name):
                b = self.lookup(node.func.value)
                if b is not None and b.func is not None:
                    out.extend(b.func.returns)
                    for _scope, kind in self._secret_reads_via(node, b.func):
                        out.append(Source("cred" if kind == "dotenv" else "store", kind,
                                          self.loc.location(self.path, node), Capability("secrets.read", kind)))
            if isinstance(node.func, cst.Attribute):
                out.extend(self.taint_of(node.func.value, depth + 1))
            for a in args:
                out.extend(self.taint_of(a, depth + 1))
            return self._cap(out)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._cap(t for e in node.elements for t in self.taint_of(e.value, depth + 1))
        if isinstance(node, cst.Dict):
            out = []
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    out.extend(self.taint_of(e.key, depth + 1))
                    out.extend(self.taint_of(e.value, depth + 1))
                else:
                    out.extend(self.taint_of(e.value, depth + 1))
            return self._cap(out)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._cap(list(self.taint_of(node.elt, depth + 1)) + list(self._comp_taint(node.for_in, depth)))
        if isinstance(node, cst.DictComp):
            return self._cap(list(self.taint_of(node.key, depth + 1)) + list(self.taint_of(node.value, depth + 1))
                             + list(self._comp_taint(node.for_in, depth)))
        if isinstance(node, cst.BinaryOperation):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, cst.BooleanOperation):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, cst.IfExp):
            return self._cap(list(self.taint_of(node.body, depth + 1)) + list(self.taint_of(node.orelse, depth + 1)))
        if isinstance(node, cst.FormattedString):
            return self._cap(t for p in node.parts if isinstance(p, cst.FormattedStringExpression)
                             for t in self.taint_of(p.expression, depth + 1))
        if isinstance(node, cst.ConcatenatedString):
            return self._cap(list(self.taint_of(node.left, depth + 1)) + list(self.taint_of(node.right, depth + 1)))
        if isinstance(node, (cst.Await, cst.StarredElement)):
            return self.taint_of(node.expression if isinstance(node, cst.Await) else node.value, depth + 1)
        return ()

    def _comp_taint(self, for_in: cst.CompFor, depth: int) -> list[Source]:
        out = list(self.taint_of(for_in.iter, depth + 1))
        if for_in.inner_for_in is not None:
            out.extend(self._comp_taint(for_in.inner_for_in, depth + 1))
        return out

    @staticmethod
    def _union(groups: Iterable[Iterable[Source]]) -> list[Source]:
        return [t for g in groups for t in g]

    @staticmethod
    def _cap(items: Iterable[Source]) -> tuple[Source, ...]:
        out: list[Source] = []
        seen: set[tuple[str, str, int]] = set()
        for t in items:
            key = (t.kind, t.label, t.location.line)
            if key in seen:
                continue
            seen.add(key)
            out.append(t)
            if len(out) >= MAX_TAINTS:
                break
        return tuple(out)

    def _source(self, node: cst.CSTNode, kind: str, label: str, cap: Capability | None) -> Source:
        return Source(kind, label, self.loc.location(self.path, node), cap)

    def _env_source(self, node: cst.CSTNode, name: str | None) -> tuple[Source, ...]:
        if name is None or not is_credential_env(name):
            return ()
        return (self._source(node, "cred", name, Capability("secrets.read", f"env:{name}")),)

    def _call_sources(self, node: cst.Call) -> tuple[Source, ...]:
        key = id(node)
        if key in self._source_cache:
            return self._source_cache[key]
        self._source_cache[key] = ()  # guards recursion
        out: list[Source] = []
        q = self.qualname(node.func)
        entry = self.capmap.lookup(q) if q else None
        if entry is not None:
            caps = self._caps_for(node, entry, q or "", quiet=True)
            loc = None
            for cap in caps:
                if cap.kind == "secrets.read":
                    src_kind = "cred" if (cap.scope or "").startswith(("env:", "dotenv", "user-config")) else "store"
                    if cap.scope == "user-config":
                        continue
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source(src_kind, cap.scope or "secret", loc, cap))
                elif cap == Capability("env.read", "*"):
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source("envdump", "environment", loc, cap))
            if entry.source == "remote":
                url = self.value_of(_arg(node, entry.arg, entry.kw))
                loc = loc or self.loc.location(self.path, node)
                out.append(Source("remote", url.text if url is not None else UNKNOWN, loc,
                                  Capability("net.egress", host_of(url.text) if url is not None else UNKNOWN)))
            if entry.handler in ("open", "path", "path_self"):
                pv = self._path_arg(node, entry)
                if pv is not None and pv.text in self._path_taint:
                    out.append(self._path_taint[pv.text])
            if entry.handler in ("subprocess", "shell"):
                # output of a command that reads a credential store (`security find-generic-password`, `cat ~/.ssh/id_rsa`)
                _, argv, command = self._process_caps(node, entry)
                words = argv or (_split(command) if command else [])
                kind = "keychain" if words and normalize_binary(words[0]) in KEYCHAIN_TOOLS else None
                for w in words[1:]:
                    if kind is None and w.startswith(("~", "/", "$")):
                        kind = secret_kind_of_path(normalize_path(w))
                if kind:
                    loc = loc or self.loc.location(self.path, node)
                    out.append(Source("store", kind, loc, Capability("secrets.read", kind)))
        result = self._cap(out)
        self._source_cache[key] = result
        return result

    # ------------------------------------------------------------------ capabilities of a call

    def _path_arg(self, node: cst.Call, entry: ApiEntry) -> Val | None:
        if entry.handler == "path_self" or (entry.handler == "open" and entry.name.startswith("pathlib.")):
            return self.value_of(node.func.value) if isinstance(node.func, cst.Attribute) else None
        return self.value_of(_arg(node, entry.arg, entry.kw))

    def _open_mode(self, node: cst.Call, entry: ApiEntry) -> str:
        if entry.name.startswith("pathlib."):
            m = self.value_of(_arg(node, 0, "mode"))
        else:
            m = self.value_of(_arg(node, 1, "mode"))
        return m.text if m is not None else "r"

    def _caps_for(self, node: cst.Call, entry: ApiEntry, q: str, quiet: bool = False) -> list[Capability]:
        kind = entry.kind
        fixed = entry.fixed_scope
        h = entry.handler
        if h == "import":
            v = self.value_of(_arg(node, entry.arg, entry.kw))
            return [] if v is not None and v.exact else [Capability("code.dynamic", "import")]
        if fixed is not None or h == "const":
            return [Capability.parse(entry.capability)]
        if h == "url":
            v = self.value_of(_arg(node, entry.arg, entry.kw))
            return [Capability(kind, host_of(v.text) if v is not None else UNKNOWN)]
        if h in ("socket", "listen"):
            a = _arg(node, entry.arg, entry.kw)
            host = UNKNOWN
            port = UNKNOWN
            if isinstance(a, cst.Tuple) and a.elements:
                hv = self.value_of(a.elements[0].value)
                host = host_of(hv.text) if hv is not None and hv.text else UNKNOWN
                if len(a.elements) > 1:
                    pv = self.value_of(a.elements[1].value)
                    port = pv.text if pv is not None and pv.exact else UNKNOWN
            if h == "listen":
                return [Capability(kind, port if port != UNKNOWN else None)]
            return [Capability(kind, host)]
        if h in ("open", "path", "path_self"):
            pv = self._path_arg(node, entry)
            scope = normalize_path(pv.text) if pv is not None else UNKNOWN
            if h == "open":
                mode = self._open_mode(node, entry)
                kind = "fs.write" if any(c in mode for c in "wax+") else "fs.read"
            caps = [Capability(kind, scope)]
            if kind == "fs.read" and scope != UNKNOWN:
                secret = secret_kind_of_path(scope)
                if secret:
                    caps.append(Capability("secrets.read", secret))
            if kind == "fs.write" and scope != UNKNOWN:
                pk = persist_kind_of_path(scope)
                if pk:
                    caps.append(Capability("persist", pk))
                elif is_agent_config_path(scope):
                    caps.append(Capability("persist", "agent-config"))
            return caps
        if h in ("env", "env_write"):
            v = self.value_of(_arg(node, entry.arg, entry.kw))
            name = v.text if v is not None and v.exact else UNKNOWN
            caps = [Capability(kind, name)]
            if h == "env" and name != UNKNOWN and is_credential_env(name):
                caps.append(Capability("secrets.read", f"env:{name}"))
            return caps
        if h == "import":
            v = self.value_of(_arg(node, entry.arg, entry.kw))
            return [] if v is not None and v.exact else [Capability("code.dynamic", "import")]
        if h in ("subprocess", "shell", "execv"):
            return [c for c in self._process_caps(node, entry)[0]]
        return [Capability.parse(entry.capability)]

    def _process_caps(self, node: cst.Call, entry: ApiEntry) -> tuple[list[Capability], list[str] | None, str | None]:
        """(capabilities, argv if known, shell command if known)."""
        a = _arg(node, entry.arg, entry.kw)
        shell_kw = _is_true(_kw(node, "shell"))
        if entry.handler == "shell" or (shell_kw and entry.handler == "subprocess"):
            if isinstance(a, (cst.List, cst.Tuple)) and a.elements:
                a = a.elements[0].value
            v = self.value_of(a)
            if v is None:
                return [Capability("proc.shell")], None, None
            words = _split(v.text)
            if not v.exact or not words:
                return [Capability("proc.shell")], None, v.text
            return [Capability("proc.exec", normalize_binary(words[0]))], words, v.text
        if entry.handler == "execv":
            v = self.value_of(a)
            argv = [v.text] if v is not None else None
            rest = _arg(node, entry.arg + 1 if entry.arg is not None else None, None)
            more = self.argv_of(rest) if isinstance(rest, (cst.List, cst.Tuple, cst.Name)) else None
            if argv and more:
                argv = argv + more[1:]
            prog = argv[0] if argv else UNKNOWN
            return [Capability("proc.exec", normalize_binary(prog) if prog != UNKNOWN else UNKNOWN)], argv, None
        argv = self.argv_of(a)
        if argv and len(argv) == 1 and isinstance(a, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString,
                                                      cst.BinaryOperation, cst.Name)):
            argv = _split(argv[0]) or argv
        if not argv:
            return [Capability("proc.exec", UNKNOWN)], None, None
        prog = argv[0]
        caps = [Capability("proc.exec", normalize_binary(prog) if UNKNOWN not in prog else UNKNOWN)]
        base = normalize_binary(prog)
        if base in self._shells and len(argv) >= 3 and argv[1] in ("-c", "/c", "-Command", "-command"):
            if UNKNOWN in argv[2]:
                caps.append(Capability("proc.shell"))
            return caps, argv, argv[2]
        return caps, argv, None

    # ------------------------------------------------------------------ events

    def emit(self, rule_id: str, message: str, location: Location, caps: Iterable[Capability] = (), *,
             confidence: Confidence | None = None, severity: Severity | None = None,
             related: Iterable[Location] = (), decoded: str | None = None) -> None:
        if len(self.result.events) >= MAX_EVENTS:
            return
        conf = confidence
        if conf is not None and conf > self.confidence_cap:
            conf = self.confidence_cap
        if conf is None and self.confidence_cap < Confidence.HIGH:
            conf = self.confidence_cap
        self.result.events.append(Event(rule_id, message, location, tuple(caps), conf, severity, tuple(related),
                                        decoded))

    # ------------------------------------------------------------------ visitor: imports and scopes

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = self.module.code_for_node(alias.name).replace(" ", "")
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, Binding(alias=full))
            else:
                top = full.split(".", 1)[0]
                self.bind(top, Binding(alias=top))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        mod = self.module.code_for_node(node.module).replace(" ", "")
        if isinstance(node.names, cst.ImportStar):
            self._star_imports.append(mod)
            return
        for alias in node.names:
            name = self.module.code_for_node(alias.name).replace(" ", "")
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) \
                else name
            self.bind(local, Binding(alias=f"{mod}.{name}"))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        info = FuncInfo(node.name.value)
        self.bind(node.name.value, Binding(func=info))
        scope: dict[str, Binding] = {}
        params = list(node.params.posonly_params) + list(node.params.params) + list(node.params.kwonly_params)
        loc = None
        for i, p in enumerate(params):
            info.params.append(p.name.value)
            if loc is None:
                loc = self.loc.location(self.path, node.name)
            scope[p.name.value] = Binding(taint=(Source("param", p.name.value, loc, None, i, info.name),))
            default = p.default
            if default is not None:
                v = self.value_of(default)
                if v is not None:
                    scope[p.name.value].value = Val(v.data, False, v.chain)
        self.scopes.append(scope)
        self.funcs.append(info)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.funcs.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True

    def leave_Return(self, original_node: cst.Return) -> None:
        if self.funcs and original_node.value is not None:
            for t in self.taint_of(original_node.value):
                if t.kind != "param" and len(self.funcs[-1].returns) < MAX_TAINTS:
                    self.funcs[-1].returns.append(t)

    # ------------------------------------------------------------------ visitor: assignments

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            if isinstance(t.target, cst.Subscript):
                self._store_targets.add(id(t.target))

    def leave_Assign(self, original_node: cst.Assign) -> None:
        for t in original_node.targets:
            self._assign(t.target, original_node.value)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._assign(original_node.target, original_node.value)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        if isinstance(original_node.target, cst.Name):
            b = self.lookup(original_node.target.value)
            taint = self.taint_of(original_node.value)
            if taint:
                nb = Binding(taint=self._cap(list(b.taint if b else ()) + list(taint)))
                if b is not None:
                    nb.type, nb.node = b.type, b.node
                self.bind(original_node.target.value, nb)
            if isinstance(original_node.operator, cst.AddAssign) and b is not None and b.value is not None:
                add = self.value_of(original_node.value)
                nv = _concat([b.value, add])
                cur = self.lookup(original_node.target.value)
                if cur is not None and nv is not None:
                    cur.value = nv

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            b = Binding(node=value)
            q = None
            if isinstance(value, (cst.Name, cst.Attribute)):
                q = self.qualname(value)
                if q and (isinstance(value, cst.Attribute) or (self.lookup(value.value) or Binding()).alias):
                    b.alias = q
            elif isinstance(value, cst.Call):
                fq = self.qualname(value.func)
                if fq in ("__import__", "importlib.import_module"):
                    b.alias = self.qualname(value)
                if fq in ("getattr", "builtins.getattr"):
                    b.alias = self.qualname(value)
                if fq in ("open", "io.open", "codecs.open", "pathlib.Path.open"):
                    b.path = self.value_of(_arg(value, 0, "file")) if fq != "pathlib.Path.open" else (
                        self.value_of(value.func.value) if isinstance(value.func, cst.Attribute) else None)
            if isinstance(value, cst.Name):
                src = self.lookup(value.value)
                if src is not None:
                    b.type = src.type
                    b.path = src.path
                    if isinstance(src.node, (cst.List, cst.Tuple)):
                        b.node = src.node
            b.type = b.type or self.type_of(value)
            b.value = self.value_of(value)
            b.taint = self.taint_of(value)
            self.bind(target.value, b)
        elif isinstance(target, (cst.Tuple, cst.List)):
            taint = self.taint_of(value)
            for e in target.elements:
                if isinstance(e.value, cst.Name):
                    self.bind(e.value.value, Binding(taint=taint))
        elif isinstance(target, cst.Subscript):
            if self.qualname(target.value) == "os.environ":
                sl = target.slice[0].slice if len(target.slice) == 1 else None
                name = self.value_of(sl.value) if isinstance(sl, cst.Index) else None
                self.emit(self.capmap.rule_for(None, "env.write"), "sets an environment variable",
                          self.loc.location(self.path, target),
                          [Capability("env.write", name.text if name is not None and name.exact else UNKNOWN)])
                return
            self._taint_container(target.value, self.taint_of(value))
        elif isinstance(target, cst.Attribute):
            attr = target.attr.value
            if attr in ("verify_mode", "check_hostname", "verify") and (
                    _is_false(value) or self.qualname(value) == "ssl.CERT_NONE"):
                self._tls_off(target, f"sets {attr} to disable TLS certificate checks")
            if self.qualname(target) == "ssl._create_default_https_context" and \
                    self.qualname(value) in self._tls_off_calls:
                self._tls_off(target, "replaces the default HTTPS context with an unverified one")

    def _taint_container(self, container: cst.BaseExpression, taint: tuple[Source, ...]) -> None:
        while isinstance(container, (cst.Subscript, cst.Attribute)):
            container = container.value
        if taint and isinstance(container, cst.Name):
            b = self.lookup(container.value)
            if b is None:
                b = Binding()
                self.bind(container.value, b)
            b.taint = self._cap(list(b.taint) + list(taint))

    def visit_For(self, node: cst.For) -> None:
        taint = self.taint_of(node.iter)
        if isinstance(node.iter, cst.Attribute) and self.qualname(node.iter) == "os.environ":
            self._env_dump(node.iter)
        targets = [node.target] if isinstance(node.target, cst.Name) else [
            e.value for e in node.target.elements] if isinstance(node.target, (cst.Tuple, cst.List)) else []
        for t in targets:
            if isinstance(t, cst.Name):
                self.bind(t.value, Binding(taint=taint))

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                self._assign(item.asname.name, item.item)

    # ------------------------------------------------------------------ visitor: environment

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "environ" and self.qualname(node) == "os.environ":
            self.loc.offset(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._store_targets:
            return
        if self.qualname(node.value) != "os.environ" or len(node.slice) != 1:
            return
        sl = node.slice[0].slice
        if not isinstance(sl, cst.Index):
            return
        name = self.value_of(sl.value)
        env = name.text if name is not None and name.exact else UNKNOWN
        caps = [Capability("env.read", env)]
        if env != UNKNOWN and is_credential_env(env):
            caps.append(Capability("secrets.read", f"env:{env}"))
        rule = self.capmap.rule_for(None, "env.read")
        self.emit(rule, f"reads environment variable {env}", self.loc.location(self.path, node), caps)

    def _env_dump(self, node: cst.CSTNode) -> None:
        self.emit(self.capmap.rule_for(None, "env.read"), "reads the whole environment",
                  self.loc.location(self.path, node), [Capability("env.read", "*")])

    # ------------------------------------------------------------------ visitor: strings

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if len(node.value) >= GUESS_MIN_LEN and len(self._guess_literals) < 256:
            v = _string_value(node)
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            if v and v.count(" ") < max(2, len(v) // 20):
                self._guess_literals.append((node, v))

    # ------------------------------------------------------------------ visitor: calls

    def visit_Call(self, node: cst.Call) -> None:
        q = self.qualname(node.func)
        if q is None:
            return
        entry = self.capmap.lookup(q)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        # whole-environment reads passed as an argument (dict(os.environ), json.dumps(os.environ))
        for a in node.args:
            if a.keyword is not None and a.keyword.value == "env":
                continue
            if isinstance(a.value, cst.Attribute) and a.value.attr.value == "environ" and \
                    self.qualname(a.value) == "os.environ":
                self._env_dump(a.value)
        if q in self._tls_off_calls:
            self._tls_off(node, f"{q}() creates a TLS context that does not verify certificates")
        verify = _kw(node, "verify")
        if verify is not None and _is_false(verify) and (entry is not None and entry.kind == "net.egress"
                                                         or q.split(".", 1)[0] in ("requests", "httpx", "aiohttp")):
            self._tls_off(node, f"{q}(verify=False) disables TLS certificate verification")
        if q in ("os.dup2",) and positional and self._socket_fileno(positional[0]):
            self._dup2.append(self.loc.location(self.path, node))
        if entry is None:
            return
        loc = self.loc.location(self.path, node)
        if q in COPIES and positional:
            src = self.value_of(positional[0])
            scope = normalize_path(src.text) if src is not None else UNKNOWN
            kind = secret_kind_of_path(scope) if scope != UNKNOWN else None
            self._report_caps(None, q, [Capability("fs.read", scope)] + (
                [Capability("secrets.read", kind)] if kind else []), loc)
        if entry.handler in ("subprocess", "shell", "execv"):
            self._process(node, entry, q, loc)
            return
        caps = self._caps_for(node, entry, q)
        if not caps:
            return
        if self.funcs and entry.handler in ("open", "path") and caps[0].kind == "fs.read" and caps[0].scope == UNKNOWN:
            arg = _arg(node, entry.arg, entry.kw)
            if isinstance(arg, cst.Name):
                for t in (self.lookup(arg.value) or Binding()).taint:
                    if t.kind == "param" and t.func == self.funcs[-1].name and t.param is not None:
                        self.funcs[-1].param_reads.append((t.param, q))
        if entry.kind == "net.egress" and entry.handler in ("socket",) and q.endswith(("connect", "connect_ex")) or \
                q == "socket.create_connection":
            self._socket_connects.append(loc)
        if entry.kind == "net.egress":
            self._mining_check(node, entry, loc)
        self._report_caps(entry, q, caps, loc)

    def _report_caps(self, entry: ApiEntry | None, q: str, caps: list[Capability], loc: Location) -> None:
        kinds = {c.kind for c in caps}
        if "persist" in kinds:
            rule = self.capmap.rule_for(None, "persist")
        elif "secrets.read" in kinds:
            rule = self.capmap.rule_for(None, "secrets.read")
        else:
            rule = self.capmap.rule_for(entry, caps[0].kind)
        self.emit(rule, f"{q}: {', '.join(str(c) for c in caps)}", loc, caps)
        for c in caps:
            if c.kind == "fs.write" and c.scope and "persist" not in kinds and (
                    c.scope.startswith("~") or (c.scope.startswith("/") and not c.scope.startswith(
                        ("/dev/null", "/dev/stdout", "/dev/stderr", "/proc/self")))):
                self.emit("py-write-outside-package", f"{q} writes outside the package, workspace and temp "
                          f"directories: {c.scope}", loc, [c])

    def _socket_fileno(self, expr: cst.BaseExpression) -> bool:
        """`s.fileno()` where `s` is a socket (or `s` itself)."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "fileno":
            expr = expr.func.value
        return self.type_of(expr) == "socket.socket"

    def _mining_check(self, node: cst.Call, entry: ApiEntry, loc: Location) -> None:
        v = self.value_of(_arg(node, entry.arg, entry.kw))
        if v is not None and self._mining is not None and self._mining.search(v.text):
            self.emit("py-mining-pool", f"connects to a mining pool ({v.text[:80]})", loc,
                      [Capability("compute.mine")])

    def _tls_off(self, node: cst.CSTNode, message: str) -> None:
        self.emit("py-tls-verify-disabled", message, self.loc.location(self.path, node))

    def _process(self, node: cst.Call, entry: ApiEntry, q: str, loc: Location) -> None:
        caps, argv, command = self._process_caps(node, entry)
        base = normalize_binary(argv[0]) if argv else UNKNOWN
        self.emit(self.capmap.rule_for(entry, caps[0].kind),
                  f"{q} runs {' '.join(argv)[:120] if argv else (command or 'a command')[:120]}", loc, caps)
        # miners and shells
        words = [w.lower() for w in (argv or [])] + ([command.lower()] if command else [])
        if base in self._miners or (self._mining is not None and any(self._mining.search(w) for w in words)):
            self.emit("py-mining-pool", f"{q} launches a cryptocurrency miner", loc, [Capability("compute.mine")])
        if base == "env" and argv and len(argv) > 1:
            base = normalize_binary(argv[1])
        if base in self._shells:
            self._shell_spawns.append(loc)
            stdin = _kw(node, "stdin")
            if stdin is not None and self._socket_fileno(stdin):
                self._dup2.append(loc)
        # detached / background processes
        detached = []
        if _is_true(_kw(node, "start_new_session")):
            detached.append("start_new_session=True")
        pre = _kw(node, "preexec_fn")
        if pre is not None and self.qualname(pre) in ("os.setsid", "os.setpgrp"):
            detached.append(f"preexec_fn={self.qualname(pre)}")
        flags = _kw(node, "creationflags")
        if flags is not None and re.search(r"DETACHED_PROCESS|CREATE_NEW_PROCESS_GROUP|CREATE_BREAKAWAY",
                                           self.module.code_for_node(flags)):
            detached.append("creationflags detach")
        if q.startswith("os.spawn") and node.args and re.search(r"P_NOWAIT|P_DETACH",
                                                                self.module.code_for_node(node.args[0].value)):
            detached.append("P_NOWAIT")
        if detached:
            self.emit("py-detached-process", f"{q} starts a detached background process ({', '.join(detached)})",
                      loc, [Capability("proc.daemon")])
        # the shell analyzer reads the command itself
        if self.shell is not None:
            shell_string = entry.handler == "shell" or _is_true(_kw(node, "shell"))
            self._shell_findings(None if shell_string and command is not None else argv, command, loc)
        # downloaded file executed
        for w in argv or []:
            if w in self._path_taint and self._path_taint[w].kind == "remote":
                src = self._path_taint[w]
                self._flow_finding("py-download-execute", src, loc, f"runs {w}, downloaded from {src.label}",
                                   [Capability("code.remote", src.label)])

    def _shell_findings(self, argv: list[str] | None, command: str | None, loc: Location) -> None:
        if self.shell is None:
            return
        try:
            ctx = self.shell.CommandContext(self.path, line=loc.line, column=loc.column,
                                            max_confidence=self.confidence_cap, source="code")
            if argv is not None:
                found = self.shell.analyze_argv([w if w != UNKNOWN else "${UNRESOLVED}" for w in argv], ctx)
            elif command is not None:
                found = self.shell.analyze_command(command, ctx)
            else:
                return
        except Exception:  # noqa: BLE001 - the shell analyzer failing must not lose our own findings
            return
        self.shell_findings.extend(found)

    def leave_Call(self, original_node: cst.Call) -> None:
        node = original_node
        q = self.qualname(node.func)
        # decoded literals
        if (q is not None and (q in DECODERS or self._codec_of(node, q) is not None or q in ("bytes", "bytearray"))) \
                or (isinstance(node.func, cst.Attribute) and node.func.attr.value in ("join", "decode")):
            v = self.value_of(node)
            if v is not None and v.exact and v.chain:
                for a in node.args:
                    self._pop_candidates(a.value)
                if isinstance(node.func, cst.Attribute):
                    self._pop_candidates(node.func.value)
                self._decode_candidates[id(node)] = (node, v)
        entry = self.capmap.lookup(q) if q else None
        # f.write(data) on a file object / shutil.copyfileobj(src, f): remember downloaded files
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("write", "writelines") and \
                isinstance(node.func.value, cst.Name):
            b = self.lookup(node.func.value.value)
            if b is not None and b.path is not None and node.args:
                self._mark_written(b.path, self.taint_of(node.args[0].value))
        if q == "shutil.copyfileobj" and len(node.args) >= 2 and isinstance(node.args[1].value, cst.Name):
            b = self.lookup(node.args[1].value.value)
            if b is not None and b.path is not None:
                self._mark_written(b.path, self.taint_of(node.args[0].value))
        if entry is None:
            self._local_call(node)
            return
        if q in ("urllib.request.urlretrieve", "urllib.urlretrieve") and len(node.args) >= 2:
            dest = self.value_of(node.args[1].value)
            url = self.value_of(node.args[0].value)
            if dest is not None:
                self._path_taint[dest.text] = Source("remote", url.text if url else UNKNOWN,
                                                     self.loc.location(self.path, node))
        if entry.handler in ("path", "open") and q in ("shutil.copy", "shutil.copy2", "shutil.copyfile"):
            pass
        if q in COPIES and len(node.args) >= 2:
            src = self.value_of(node.args[0].value)
            dst = self.value_of(node.args[1].value)
            if src is not None and dst is not None:
                kind = secret_kind_of_path(normalize_path(src.text))
                if kind:
                    self._path_taint[dst.text] = Source("store", kind, self.loc.location(self.path, node),
                                                        Capability("secrets.read", kind))
        if entry.handler == "path_self" and entry.sink == "write" and isinstance(node.func, cst.Attribute) and node.args:
            pv = self.value_of(node.func.value)
            if pv is not None:
                self._mark_written(pv, self.taint_of(node.args[0].value))
        if entry.sink in ("network", "subprocess", "exec"):
            self._sink(node, entry, q or "")

    def leave_Subscript(self, original_node: cst.Subscript) -> None:
        sl = original_node.slice[0].slice if len(original_node.slice) == 1 else None
        if isinstance(sl, cst.Slice) and sl.step is not None and sl.lower is None and sl.upper is None:
            v = self.value_of(original_node)
            if v is not None and v.exact and v.chain:
                self._pop_candidates(original_node.value)
                self._decode_candidates[id(original_node)] = (original_node, v)

    def _mark_written(self, path: Val, taint: tuple[Source, ...]) -> None:
        for t in taint:
            if t.kind in ("remote", "store"):
                self._path_taint[path.text] = t
                return

    def _pop_candidates(self, expr: cst.BaseExpression) -> None:
        while True:
            self._decode_candidates.pop(id(expr), None)
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                expr = expr.func.value
                continue
            if isinstance(expr, cst.Name):
                b = self.lookup(expr.value)
                if b is not None and isinstance(b.node, cst.BaseExpression) and b.node is not expr:
                    expr = b.node
                    continue
            return

    def _sink_args(self, node: cst.Call) -> list[cst.BaseExpression]:
        return [a.value for a in node.args if not (a.keyword is not None and a.keyword.value in FLOW_KW_IGNORED)]

    def _sink(self, node: cst.Call, entry: ApiEntry, q: str) -> None:
        args = self._sink_args(node)
        taints = self._cap(t for a in args for t in self.taint_of(a))
        if entry.sink == "exec" and args:
            self._executed.add(id(args[0]))
            v = self.value_of(args[0])
            if v is not None and v.chain:
                loc = self.loc.location(self.path, node)
                self._flow_finding("py-exec-decoded-payload", Source("decoded", " → ".join(v.chain), loc), loc,
                                   f"executes a literal decoded with {' → '.join(v.chain)} via {q}",
                                   [Capability("code.dynamic", "eval")])
        if not taints:
            return
        loc = self.loc.location(self.path, node)
        sink_kind = entry.sink or ""
        _, argv, _ = (self._process_caps(node, entry) if sink_kind == "subprocess" else ([], None, None))
        argv0 = normalize_binary(argv[0]) if argv else ""
        interpreter = argv0 in self._interpreters or _is_true(_kw(node, "shell")) or entry.handler == "shell"
        if sink_kind == "subprocess" and argv0 in NETWORK_TOOLS:
            sink_kind = "network"
        desc = f"{q}" + (f" ({' '.join(argv)[:60]})" if argv else "")
        sink_cap = self._caps_for(node, entry, q, quiet=True)
        for t in taints:
            if t.kind == "param":
                if self.funcs:
                    kind = "interp" if sink_kind == "subprocess" and interpreter else sink_kind
                    self.funcs[-1].param_sinks.append((t.param or 0, kind, loc, desc, sink_cap[0] if sink_cap else None))
                continue
            self._flow(t, sink_kind if not (sink_kind == "subprocess" and interpreter) else "interp", loc, desc,
                       sink_cap[0] if sink_cap else None)

    def _flow(self, t: Source, sink_kind: str, loc: Location, desc: str, sink_cap: Capability | None) -> None:
        caps = [c for c in (t.capability, sink_cap) if c is not None]
        if t.kind == "remote" and sink_kind in ("exec", "interp"):
            self._flow_finding("py-download-execute", t, loc, f"executes content downloaded from {t.label} via {desc}",
                               [Capability("code.remote", t.label if t.label != UNKNOWN else UNKNOWN)])
        elif t.kind == "decoded" and sink_kind in ("exec", "interp"):
            self._flow_finding("py-exec-decoded-payload", t, loc, f"executes decoded data ({t.label}) via {desc}",
                               [Capability("code.dynamic", "eval")])
        elif t.kind in ("store", "envdump") and sink_kind == "network":
            self._flow_finding("py-secret-exfiltration-flow", t, loc,
                               f"sends {t.label} ({'whole environment' if t.kind == 'envdump' else 'credential store'}) "
                               f"to the network via {desc}", caps)
        elif t.kind in ("store", "envdump", "cred") and sink_kind in ("network", "subprocess", "interp", "exec"):
            self._flow_finding("py-credential-flow", t, loc, f"passes {t.label} to {desc}", caps)

    def _flow_finding(self, rule: str, t: Source, loc: Location, message: str, caps: list[Capability],
                      extra: Iterable[Location] = ()) -> None:
        key = (rule, loc.line, 0, "") if rule == "py-exec-decoded-payload" else (rule, loc.line, t.location.line, t.label)
        if key in self._flow_seen:
            return
        self._flow_seen.add(key)
        self.emit(rule, message, loc, caps, related=(t.location, *extra))

    def _secret_reads_via(self, node: cst.Call, func: FuncInfo) -> list[tuple[str, str]]:
        """(path, secret kind) for literal secret paths passed to a local function that reads its
        parameter as a file."""
        out = []
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        for idx, _q in func.param_reads:
            expr = positional[idx] if idx < len(positional) else None
            if expr is None and idx < len(func.params):
                expr = _kw(node, func.params[idx])
            v = self.value_of(expr)
            if v is not None:
                scope = normalize_path(v.text)
                kind = secret_kind_of_path(scope)
                if kind:
                    out.append((scope, kind))
        return out

    def _local_call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Name):
            return
        b = self.lookup(node.func.value)
        if b is None or b.func is None:
            return
        if b.func.param_reads:
            for scope, kind in self._secret_reads_via(node, b.func):
                self._report_caps(None, f"{b.func.name}()", [Capability("fs.read", scope),
                                                             Capability("secrets.read", kind)],
                                  self.loc.location(self.path, node))
        args: list[tuple[int | str, tuple[Source, ...]]] = []
        index = 0
        for a in node.args:
            key: int | str
            if a.keyword is not None:
                key = a.keyword.value
            else:
                key = index
                index += 1
            taint = self.taint_of(a.value)
            if taint:
                args.append((key, taint))
        if args:
            self._deferred_calls.append((b.func.name, args, self.loc.location(self.path, node)))
            self._deferred_funcs[b.func.name] = b.func
            if self.funcs:
                self._deferred_caller[len(self._deferred_calls) - 1] = self.funcs[-1]

    # ------------------------------------------------------------------ end of module

    def leave_Module(self, original_node: cst.Module) -> None:
        funcs = self._deferred_funcs
        callers = self._deferred_caller
        # propagate param → sink summaries through local calls (a(x) → b(x) → post(x)), bounded
        for _ in range(3):
            changed = False
            for i, (name, args, loc) in enumerate(self._deferred_calls):
                callee = funcs.get(name)
                caller = callers.get(i)
                if callee is None or caller is None:
                    continue
                for key, taints in args:
                    idx = key if isinstance(key, int) else (callee.params.index(key) if key in callee.params else -1)
                    for p_idx, kind, sloc, desc, cap in list(callee.param_sinks):
                        if p_idx != idx:
                            continue
                        for t in taints:
                            if t.kind == "param" and t.func == caller.name:
                                entry = (t.param or 0, kind, sloc, desc, cap)
                                if entry not in caller.param_sinks:
                                    caller.param_sinks.append(entry)
                                    changed = True
            if not changed:
                break
        for name, args, loc in self._deferred_calls:
            callee = funcs.get(name)
            if callee is None:
                continue
            for key, taints in args:
                idx = key if isinstance(key, int) else (callee.params.index(key) if key in callee.params else -1)
                for p_idx, kind, sloc, desc, cap in callee.param_sinks:
                    if p_idx != idx:
                        continue
                    for t in taints:
                        if t.kind != "param":
                            self._flow_call(t, kind, sloc, desc, cap, loc)
        # reverse shell: a connected socket wired to a shell's stdio
        if self._socket_connects and self._dup2 and self._shell_spawns:
            self.emit("py-reverse-shell", "connects a socket, duplicates it onto stdin/stdout and starts a shell",
                      self._shell_spawns[0], [Capability("net.egress", UNKNOWN), Capability("proc.shell")],
                      related=(self._socket_connects[0], self._dup2[0]))
        self._finish_decoded()

    def _flow_call(self, t: Source, kind: str, sloc: Location, desc: str, cap: Capability | None,
                   call_loc: Location) -> None:
        before = len(self.result.events)
        self._flow(t, kind, sloc, desc, cap)
        if len(self.result.events) > before:
            ev = self.result.events[-1]
            ev.related = ev.related + (call_loc,)

    def _finish_decoded(self) -> None:
        n = 0
        for node, v in self._decode_candidates.values():
            if n >= MAX_DECODED:
                break
            dec = decode_chain(v.raw, [])
            if dec is None:
                continue
            if not (CODE_MARKERS.search(dec.text) or looks_like(dec.text) != "text" or len(dec.data) >= 200
                    or id(node) in self._executed):
                continue
            n += 1
            self._payload(node, dec, v.chain + dec.chain)
        for node, text in self._guess_literals:
            if n >= MAX_DECODED:
                break
            if id(node) in self._consumed_literals:
                continue
            for dec in decode_literal(text)[:2]:
                if not CODE_MARKERS.search(dec.text):
                    continue
                n += 1
                self._payload(node, dec, dec.chain)
                break

    def _payload(self, node: cst.CSTNode, dec: Decoded, chain: tuple[str, ...]) -> None:
        loc = self.loc.location(self.path, node)
        lang = looks_like(dec.text)
        self.result.payloads.append(VirtualPayload(dec.text, dec.data, chain, loc, lang))
        self.emit("decoded-payload", f"literal decodes ({' → '.join(chain) or 'plain'}) to {lang} "
                  f"({len(dec.data)} bytes); scanned as a virtual file", loc, decoded=dec.text[:2000])


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


# Fields that never contain code worth visiting (whitespace, punctuation, operators as tokens).
_SKIP_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "colon", "dot", "equal", "whitespace_before", "whitespace_after",
    "whitespace_after_func", "whitespace_before_args", "whitespace_after_star", "whitespace_after_arg",
    "whitespace_before_colon", "whitespace_after_colon", "whitespace_before_indicator", "whitespace_after_indicator",
    "whitespace_after_def", "whitespace_after_name", "whitespace_before_params", "whitespace_after_class",
    "whitespace_after_for", "whitespace_before_in", "whitespace_after_in", "whitespace_after_if",
    "whitespace_after_while", "whitespace_after_with", "whitespace_after_import", "whitespace_after_from",
    "whitespace_before_import", "whitespace_after_return", "whitespace_after_await", "whitespace_after_lambda",
    "whitespace_after_async", "whitespace_after_except", "whitespace_after_yield", "whitespace_after_assert",
    "whitespace_after_del", "whitespace_after_global", "whitespace_after_nonlocal", "whitespace_after_raise",
    "whitespace_before_from", "whitespace_after_as", "whitespace_before_as", "whitespace_after_at",
    "whitespace_after_elif", "whitespace_after_match", "whitespace_after_case", "whitespace_before_else",
    "whitespace_after_else", "whitespace_before_if", "leading_lines", "lines_after_decorators", "header", "footer",
    "trailing_whitespace", "newline", "indent", "operator", "asynchronous", "walrus", "star_tok",
    "whitespace_before_walrus", "whitespace_after_walrus", "lbrace", "rbrace", "lbracket", "rbracket",
    "first_line", "empty_lines", "last_line",
})
_FIELD_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELD_CACHE.get(cls)
    if names is None:
        import dataclasses

        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _SKIP_FIELDS)
        orders: dict[type, tuple[str, ...]] = {cst.FunctionDef: ("decorators", "name", "params", "returns"),
                                               cst.ClassDef: ("decorators", "name", "bases", "keywords")}
        first = orders.get(cls)
        if first:  # source order, not field order
            names = first + tuple(n for n in names if n not in first)
        _FIELD_CACHE[cls] = names
    return names


def walk(visitor: ModuleVisitor, module: cst.Module) -> None:
    """Pre-order walk calling `visit_<Node>` / `leave_<Node>` like libcst's visitor, without libcst's
    node reconstruction (its `visit` rebuilds every node, several times the cost of the walk)."""
    visits: dict[type, Any] = {}
    leaves: dict[type, Any] = {}
    CSTNode = cst.CSTNode

    def go(node: cst.CSTNode) -> None:
        cls = type(node)
        try:
            v = visits[cls]
            lv = leaves[cls]
        except KeyError:
            v = visits[cls] = getattr(visitor, "visit_" + cls.__name__, None)
            lv = leaves[cls] = getattr(visitor, "leave_" + cls.__name__, None)
        if v is None or v(node) is not False:
            for name in _child_fields(cls):
                value = getattr(node, name)
                if isinstance(value, CSTNode):
                    go(value)
                elif isinstance(value, (tuple, list)):
                    for item in value:
                        if isinstance(item, CSTNode):
                            go(item)
        if lv is not None:
            lv(node)

    go(module)
