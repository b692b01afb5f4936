"""Values of expressions: literals folded through names, formatting, joins, decoders and path helpers; the argv
of a command."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

import libcst as cst

from skillscan.analyzers.decode import apply_codec
from skillscan.analyzers.python.literals import (
    MAX_VALUE,
    call_arg,
    call_kwarg,
    concat,
    format_braces,
    format_percent,
    string_value,
)
from skillscan.analyzers.python.names import (
    CODEC_NAMES,
    DECODERS,
    JOINS,
    MAX_EXPR_DEPTH,
    PASS_THROUGH,
    PATH_METHODS_PASS,
    split_words,
)
from skillscan.analyzers.python.scope import Scope
from skillscan.analyzers.python.shared import bound_node
from skillscan.analyzers.python.values import UNKNOWN, Val


# APIs that create a file in the temporary directory (its `.name` is there)
TEMP_FILES = frozenset({"tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile"})
# APIs that make a new file or directory named prefix + random + suffix, in `dir=` or the temporary directory
# (positional order: suffix, prefix, dir — only for the functions; the file classes take them by keyword)
MAKERS = frozenset({"tempfile.mkstemp", "tempfile.mkdtemp", "tempfile.mktemp"}) | TEMP_FILES | {
    "tempfile.TemporaryDirectory"}
MAX_RETURNS = 8  # return values of a local function kept to resolve a call of it
MAX_ITEMS = 64  # entries of a dict followed to resolve `d[key]`


class Evaluator(Scope):
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
            v = string_value(node)
            if v is None:
                return None
            self._consumed_literals.add(id(node))
            return Val(v)
        if isinstance(node, cst.ConcatenatedString):
            return concat([self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)])
        if isinstance(node, cst.FormattedString):
            parts: list[Val | None] = []
            for p in node.parts:
                if isinstance(p, cst.FormattedStringText):
                    parts.append(Val(p.value))
                elif isinstance(p, cst.FormattedStringExpression):
                    parts.append(self.value_of(p.expression, depth + 1))
            return concat(parts) if parts else Val("")
        if isinstance(node, cst.Integer):
            return Val(node.value)
        if isinstance(node, cst.Name):
            if node.value == "__file__":
                return Val("$PKG/" + self.path.split("#", 1)[0])
            b = self.lookup(node.value)
            return b.value if b is not None else None
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return concat([self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)])
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
                return Val(format_percent(left.text, [v.text if v else UNKNOWN for v in vals]),
                           left.exact and all(v is not None and v.exact for v in vals))
            return None
        if isinstance(node, cst.Subscript):
            q = self.qualname(node.value, depth + 1)
            if q == "os.environ" and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                name = self.value_of(node.slice[0].slice.value, depth + 1)
                return self._env_value(name.text if name is not None else None)
            sl = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(sl, cst.Index):
                return self._item_value(node.value, sl.value, depth)
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
            if node.attr.value == "name" and self._made_by(node.value, depth) in TEMP_FILES:
                # `tempfile.NamedTemporaryFile(…) as tmp` … `tmp.name`
                return self.made_path(self._maker_call(node.value), depth) or Val("$TMP/*", False)
            shared = self.shared.attribute(q) if self.shared else None  # `conf.ENDPOINT` of a package module
            return self.value_of(shared, depth + 1) if shared is not None else None
        if isinstance(node, cst.Call):
            return self._call_value(node, depth)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            left = self.value_of(node.left, depth + 1)
            return left if left is not None else self.value_of(node.right, depth + 1)
        if isinstance(node, (cst.List, cst.Tuple)):
            return None
        return None

    def items_of(self, container: cst.BaseExpression, depth: int = 0) -> dict[str, Val | None] | None:
        """The string-keyed entries of a dict: a literal, or a name bound to one and the entries written into it
        since (`d = {}` … `d["k"] = v`); None when not known."""
        node: object = container
        if isinstance(container, cst.Name):
            b = self.lookup(container.value)
            if b is None:
                return None
            if b.items is not None:
                return b.items
            node = b.node
            if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):  # `m = CONFIG["manifest"]`
                node = self.bound_node(container, depth + 1)
        elif isinstance(container, (cst.Attribute, cst.Subscript)):
            node = self.bound_node(container, depth + 1)  # `conf.TABLE`, `cfg["server"]`
        if not isinstance(node, cst.Dict) or len(node.elements) > MAX_ITEMS:
            return None
        out: dict[str, Val | None] = {}
        for e in node.elements:
            if not isinstance(e, cst.DictElement):
                return None
            key = self.value_of(e.key, depth + 1)
            if key is None or not key.exact:
                return None
            out[key.text] = self.value_of(e.value, depth + 1)
        return out

    def bound_node(self, expr: cst.BaseExpression, depth: int = 0) -> cst.BaseExpression | None:
        return bound_node(self, expr, depth)  # python/shared.py

    def store_item(self, target: cst.Subscript, value: cst.BaseExpression) -> None:
        """`d["k"] = v` on a name bound to a dict: remember the entry (an unknown key forgets them all)."""
        if not isinstance(target.value, cst.Name) or len(target.slice) != 1:
            return
        b = self.lookup(target.value.value)
        items = self.items_of(target.value) if b is not None else None
        if b is None or items is None:
            return
        sl = target.slice[0].slice
        key = self.value_of(sl.value) if isinstance(sl, cst.Index) else None
        if key is None or not key.exact or len(items) >= MAX_ITEMS:
            b.items = None
            b.node = None
            return
        b.items = {**items, key.text: self.value_of(value)}

    def _item_value(self, container: cst.BaseExpression, key_node: cst.BaseExpression, depth: int) -> Val | None:
        """`d[key]`: the entry of a known key; for a key known only at run time, the one value every entry
        holds (the only text that can come out of the dict), marked inexact."""
        items = self.items_of(container, depth)
        if not items:
            return None
        key = self.value_of(key_node, depth + 1)
        if key is not None and key.exact:
            return items.get(key.text)
        values = set(items.values())
        if len(values) != 1:
            return None
        only = values.pop()
        return Val(only.data, False, only.chain) if only is not None else None

    def _maker_call(self, node: cst.BaseExpression) -> cst.Call | None:
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            node = b.node if b is not None and isinstance(b.node, cst.Call) else node
        return node if isinstance(node, cst.Call) else None

    def made_path(self, node: cst.Call | None, depth: int = 0) -> Val | None:
        """The path of the file or directory a `tempfile` call makes: in its `dir=` (the temporary directory
        when none is given), named prefix + a random part + suffix — `$TMP/dts_raw_*.json`, `*/*.tmp`."""
        q = self.qualname(node.func, depth + 1) if node is not None else None
        if node is None or q not in MAKERS:
            return None
        func = q not in TEMP_FILES and q != "tempfile.TemporaryDirectory"
        parts = []
        for i, kw in enumerate(("suffix", "prefix", "dir")):
            a = call_arg(node, i if func else None, kw)
            v = self.value_of(a, depth + 1) if a is not None else None
            parts.append(None if a is None else (v.text if v is not None and isinstance(v.data, str) else UNKNOWN))
        suffix, prefix, folder = parts
        name = f"{prefix or ''}*{suffix or ''}"
        return Val(posixpath.join(folder if folder is not None else "$TMP", name), False)

    def returned(self, node: cst.BaseExpression | None) -> Val | None:
        """The value a call of a local function returns (directly, or the call a name was last bound to),
        when every `return` of it gives the same known value: `temp_path = save(…)` … `os.remove(temp_path)`."""
        call = self._maker_call(node) if node is not None else None
        if call is None or not isinstance(call.func, cst.Name):
            return None
        b = self.lookup(call.func.value)
        values = b.func.values if b is not None and b.func is not None else []
        if not values or any(v is None for v in values):
            return None
        first = values[0]
        return first if all(v == first for v in values) else None

    def _made_by(self, node: cst.BaseExpression, depth: int) -> str | None:
        """The API whose call made a value: the call itself, or the call a name was last bound to."""
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            node = b.node if b is not None and isinstance(b.node, cst.Call) else node
        return self.qualname(node.func, depth + 1) if isinstance(node, cst.Call) else None

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
        if q in ("tempfile.mkdtemp", "tempfile.TemporaryDirectory") and call_arg(node, 2, "dir") is not None:
            return self.made_path(node, depth)  # a new directory inside `dir`
        if q in ("tempfile.gettempdir", "tempfile.mkdtemp", "tempfile.gettempdirb"):
            return Val("$TMP")
        if q == "tempfile.mktemp":
            return Val("$TMP/*", False)
        if q in ("os.getenv", "os.environ.get"):
            name = self.value_of(positional[0], depth + 1) if positional else None
            return self._env_value(name.text if name is not None else None)
        if q in ("os.path.dirname", "posixpath.dirname"):
            inner = self.value_of(positional[0], depth + 1) if positional else None
            return Val(posixpath.dirname(inner.text.rstrip("/")), inner.exact) if inner is not None else None
        if q in ("os.path.expanduser", "posixpath.expanduser") and positional:
            inner = self.value_of(positional[0], depth + 1)
            return inner
        if q in ("bytes", "bytearray") and positional and isinstance(positional[0], (cst.List, cst.Tuple)):
            return self._charcodes(positional[0], depth, "bytes")  # bytes([99, 117, ...]): the codes themselves
        if q in PASS_THROUGH and positional:
            return self.value_of(positional[0], depth + 1)
        if isinstance(node.func, cst.Name):
            mine = self.lookup(node.func.value)
            if mine is not None and mine.func is not None:
                return self.returned(node)  # a local function whose every `return` gives one known value
        if isinstance(node.func, cst.Attribute):
            attr = node.func.attr.value
            receiver = node.func.value
            if attr == "join":
                sep = self.value_of(receiver, depth + 1)
                if sep is not None and positional:
                    return self._str_join(sep, positional[0], depth)
            if attr == "joinpath":
                base = self.value_of(receiver, depth + 1)
                return self._join([base] + [self.value_of(p, depth + 1) for p in positional])
            if attr == "format":
                fmt = self.value_of(receiver, depth + 1)
                if fmt is not None and not isinstance(fmt.data, bytes):
                    args = [self.value_of(p, depth + 1) for p in positional]
                    kwargs = {a.keyword.value: self.value_of(a.value, depth + 1) for a in node.args if a.keyword}
                    text = format_braces(fmt.text, [v.text if v else UNKNOWN for v in args],
                                          {k: v.text if v else UNKNOWN for k, v in kwargs.items()})
                    exact = fmt.exact and all(v is not None and v.exact for v in args)
                    return Val(text, exact)
            entry = self.bound_node(node, depth + 1) if attr == "get" and positional else None
            if entry is not None:  # `cfg.get("endpoint")` of a known dict
                return self.value_of(entry, depth + 1)
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
        if isinstance(iterable, cst.Name):
            b = self.lookup(iterable.value)
            iterable = b.node if b is not None and isinstance(b.node, (cst.List, cst.Tuple)) else iterable
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
            enc = self.value_of(positional[1] if len(positional) > 1 else call_kwarg(node, "encoding"))
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
                v = self.value_of(call_arg(node, 0, "s"))
                if v is not None:
                    return split_words(v.text)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "split" and not node.args:
                v = self.value_of(node.func.value)
                if v is not None:
                    return v.text.split()
        v = self.value_of(node)
        if v is not None:
            return [v.text]
        return None

    # ------------------------------------------------------------------ taint

