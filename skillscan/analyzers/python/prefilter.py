"""The pre-filter: a Python file in which no check family's triggers (`triggers.Triggers`, declared by each
family of `checks.FAMILIES` and by the core) occur gets no libcst parse and no walk — the engine's result for
it is empty, as the full analysis would give. Read from the source text (its identifiers, lower-cased) and,
only for files that pass that, from its tokens (literal values, token shapes, the longest logical line).
Every test errs towards analysing: a file is skipped only when each family's necessary conditions all fail.
The caller still proves the file parses (`ast`) before skipping it, so `py-unparsed-file` is unchanged."""

from __future__ import annotations

import ast
import re
import tokenize
from collections.abc import Callable, Iterable
from functools import lru_cache

from skillscan.analyzers.python.capmap import CapMap
from skillscan.analyzers.python.names import GUESS_MIN_LEN, PATHLIB_ONLY
from skillscan.analyzers.python.triggers import COMPUTED_NAMES, VALUE_OPS, VALUE_SHAPES, Triggers

IDENT = re.compile(r"[A-Za-z_]\w*")  # an identifier equal to an ASCII word starts with one of these
# a logical line longer than this (in tokens) may nest deeper than the walk's recursion bound: analysed
MAX_LINE_TOKENS = 2_000
# the pieces of a template the evaluator fills (`%s`, `{}`): each piece is a value's part as written
_TEMPLATE = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdrifgeExXoca]|\{[^{}]*\}|\{\{|\}\}")
_SKIP = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)


def fold(text: str) -> str:
    """Lower case, with the letters that `re`'s IGNORECASE also equates with an ASCII letter made that letter
    (ſ, dotless ı, dotted İ), so that a word a check matches case-insensitively is found."""
    return text.lower().replace("i\u0307", "i").replace("\u017f", "s").replace("\u0131", "i")


def words_of(text: str) -> frozenset[str]:
    """Every identifier-like word of the text, folded (`fold`), in code, strings and comments alike."""
    return frozenset(IDENT.findall(fold(text)))


def undeclared(families: Iterable[type]) -> list[str]:
    """The families that do not declare their own `TRIGGERS` (an inherited one does not count)."""
    return [f.__name__ for f in families if not isinstance(f.__dict__.get("TRIGGERS"), Triggers)]


def families() -> tuple[type, ...]:
    """Every family whose reports the pre-filter must foresee: `checks.FAMILIES` and the core."""
    from skillscan.analyzers.python.checks import FAMILIES
    from skillscan.analyzers.python.visitor import ModuleVisitor

    return (*FAMILIES, ModuleVisitor)


@lru_cache(maxsize=1)
def declared_triggers() -> tuple[Triggers, ...] | None:
    """The triggers of every family, or None when one declares none (then nothing is skipped)."""
    fams = families()
    if undeclared(fams):
        return None
    return tuple(f.__dict__["TRIGGERS"] for f in fams)


_PARTS: dict[str, frozenset[str]] = {}
_TYPES: dict[int, tuple[CapMap, dict[str, tuple[str, ...]]]] = {}
_SPLITS: dict[tuple[int, str], tuple[tuple[str, frozenset[str]], ...]] = {}
_INDEX: dict[int, tuple[CapMap, dict[str, tuple[str, ...]], tuple[str, ...]]] = {}


def _index(capmap: CapMap) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The map's calls by their last part (a call is reachable only where that part is a word of the file), and
    the calls that are a type themselves (`open`: reachable through a constructor's name)."""
    held = _INDEX.get(id(capmap))
    if held is None or held[0] is not capmap:
        by_last: dict[str, list[str]] = {}
        for k in capmap.calls:
            by_last.setdefault(fold(k.rsplit(".", 1)[-1]), []).append(k)
        types = _types(capmap)
        held = _INDEX[id(capmap)] = (capmap, {k: tuple(v) for k, v in by_last.items()},
                                     tuple(k for k in capmap.calls if k in types))
    return held[1], held[2]


def _parts(dotted: str) -> frozenset[str]:
    """The folded parts of a dotted name (memoised: the names are the families' and the map's, a bounded set)."""
    parts = _PARTS.get(dotted)
    if parts is None:
        parts = _PARTS[dotted] = frozenset(fold(p) for p in dotted.split(".") if p)
    return parts


def _types(capmap: CapMap) -> dict[str, tuple[str, ...]]:
    """type → the constructors that give it (`requests.Session` ← requests.Session, requests.session)."""
    held = _TYPES.get(id(capmap))
    if held is None or held[0] is not capmap:
        types: dict[str, list[str]] = {"pathlib.Path": []}
        for constructor, kind in capmap.instances.items():
            types.setdefault(kind, []).append(constructor)
        held = _TYPES[id(capmap)] = (capmap, {k: tuple(v) for k, v in types.items()})
    return held[1]


class Reach:
    """Which qualified names a file could make the core see, from its words: every part of the name is a word
    of the file, or the name starts with a type the core gives a value (`requests.Session`, from a constructor
    the file could call; `pathlib.Path`, from a pathlib-only method) — or the file computes names."""

    def __init__(self, capmap: CapMap, words: frozenset[str]) -> None:
        self.words = words
        self.computed = bool(words & COMPUTED_NAMES)
        self.types = _types(capmap)
        self._typed: dict[str, bool] = {}
        self._capmap: bool | None = None

    def type_reachable(self, kind: str) -> bool:
        if kind in self._typed:
            return self._typed[kind]
        self._typed[kind] = False  # a constructor typed by itself does not make itself reachable
        found = any(self.name(c) for c in self.types.get(kind, ())) or (
            kind == "pathlib.Path" and any(fold(w) in self.words for w in PATHLIB_ONLY))
        self._typed[kind] = found
        return found

    def name(self, dotted: str) -> bool:
        if self.computed or _parts(dotted) <= self.words:
            return True
        key = (id(self.types), dotted)
        splits = _SPLITS.get(key)
        if splits is None:  # the types the name could start with, and the parts after each
            splits = _SPLITS[key] = tuple((kind, _parts(dotted[len(kind) + 1:])) for kind in self.types
                                          if dotted == kind or dotted.startswith(kind + "."))
        return any(rest <= self.words and self.type_reachable(kind) for kind, rest in splits)

    def prefix(self, start: str) -> bool:
        """A qualified name that starts with `start` (a capability-map prefix: `torch.cuda.`)."""
        if self.computed:
            return True
        whole, _, last = start.rpartition(".")
        head_ok = self.name(whole) if whole else True
        return head_ok and (not last or any(w.startswith(fold(last)) for w in self.words))

    def capmap(self, capmap: CapMap) -> bool:
        """A call the capability map lists (the constructors of instances only give types: see `name`)."""
        if self._capmap is None:
            by_last, typed = _index(capmap)
            self._capmap = any(self.name(k) for w in self.words & by_last.keys() for k in by_last[w]) or \
                any(self.name(k) for k in typed) or any(self.prefix(p) for p, _ in capmap.prefixes)
        return self._capmap


@lru_cache(maxsize=64)
def _key_pieces(keys: frozenset[str]) -> re.Pattern[str]:
    pieces = {k[i:j] for k in keys for i in range(len(k)) for j in range(i + 1, len(k) + 1)}
    # longest first; equal lengths in text order, not the set's hash order, so the pattern is the same text in
    # every process (the on-disk regex cache keeps it once, not once per hash seed)
    return re.compile("(?i)(?:" + "|".join(re.escape(p) for p in sorted(pieces, key=lambda p: (-len(p), p))) + ")")


class Literals:
    """The file's literal values (strings evaluated, f-strings as their raw text pieces, numbers as written),
    its token shapes and its longest logical line, from one tokenization."""

    def __init__(self, tokens: list[tokenize.TokenInfo]) -> None:
        self.raw: list[str] = []  # string tokens as written
        self.values: list[str | None] = []  # their values (None: an f-string or not evaluable)
        self.atoms: list[str] = []  # every piece a value the evaluator builds can be made of
        self.shapes: set[str] = set()
        self.longest = 0
        self.groups: list[list[int]] = []  # runs of adjacent string tokens (indexes into raw)
        toks = [t for t in tokens if t.type not in _SKIP]
        line = depth = 0
        run: list[int] = []
        for i, t in enumerate(toks):
            line += 1
            if t.type == tokenize.NEWLINE:
                self.longest = max(self.longest, line)
                line = 0
            if t.type == tokenize.STRING:
                run.append(self._string(t.string))
                if len(run) == 2:
                    self.shapes.add("adjacent_strings")
            else:
                if len(run) >= 2:
                    self.groups.append(run)
                run = []
            if t.type == tokenize.NUMBER:
                self.atoms.append(t.string)
            elif t.type == tokenize.OP:
                s = t.string
                if s in "([{":
                    depth += 1
                elif s in ")]}":
                    depth = max(0, depth - 1)
                if s == "[" and i + 2 < len(toks) and toks[i + 1].string == ":" and toks[i + 2].string == ":":
                    self.shapes.add("step_slice")
                elif s == "+" and _string_at(toks, i, -1, ")") and _string_at(toks, i, 1, "("):
                    self.shapes.add("joined_strings")
            elif t.type == tokenize.NAME and t.string == "if" and depth and i + 1 < len(toks) and \
                    toks[i + 1].string == "not":
                self.shapes.add("comprehension_filter")
        if len(run) >= 2:
            self.groups.append(run)
        self.longest = max(self.longest, line)

    def _string(self, raw: str) -> int:
        self.raw.append(raw)
        prefix = raw[: len(raw) - len(raw.lstrip("rbuRBUfF"))]
        value: str | None = None
        if "f" in prefix.lower():
            body = raw[len(prefix):].strip("'\"")
            self.atoms.extend(p for p in re.split(r"[{}]", body) if p)
        else:
            try:
                v = ast.literal_eval(raw)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                v = None
            if isinstance(v, bytes):
                texts = [v.decode("latin-1"), v.decode("utf-8", "replace")]
                value = texts[0]
            elif isinstance(v, str):
                texts = [v]
                value = v
            else:
                texts = [raw]  # not evaluable here: its text as written stands for it
                self.shapes.add("unreadable_literal")
            for text in texts:
                self.atoms.append(text)
                self.atoms.extend(p for p in _TEMPLATE.split(text) if p)
        self.values.append(value)
        return len(self.raw) - 1

    def any_key_piece(self, keys: frozenset[str]) -> bool:
        pieces = _key_pieces(keys)
        return any((a := atom.strip()) and pieces.fullmatch(a) for atom in self.atoms)

    def any_character(self, characters: frozenset[str]) -> bool:
        return any(ch in atom for atom in self.atoms for ch in characters)


def _string_at(toks: list[tokenize.TokenInfo], i: int, step: int, bracket: str) -> bool:
    """A string literal next to token i (before: step -1, after: +1), past any brackets around it."""
    j = i + step
    while 0 <= j < len(toks) and toks[j].string == bracket:
        j += step
    return 0 <= j < len(toks) and toks[j].type == tokenize.STRING


def _encoded_literal(lits: Literals) -> bool:
    """decoded.py's guess: a literal of GUESS_MIN_LEN raw characters with few spaces that decodes to code."""
    from skillscan.analyzers.decode import CODE_MARKERS, decode_literal

    for raw, value in zip(lits.raw, lits.values, strict=True):
        if len(raw) < GUESS_MIN_LEN:
            continue
        if value is None:
            if not raw.lstrip("rbuRBU").lower().startswith("f"):
                return True  # not evaluable here: assume it could be
            continue
        if value and value.count(" ") < max(2, len(value) // 20) and \
                any(CODE_MARKERS.search(d.text) for d in decode_literal(value)[:2]):
            return True
    return False


def _output_strings(lits: Literals) -> bool:
    """output.py's string checks: a literal that holds `<a` or a setting word, or adjacent literals whose
    joined text holds a hidden link or a safety setting turned down (with an f-string among them: any)."""
    from skillscan.analyzers.python.checks.output import HIDDEN_LINK, SAFETY_DOWNGRADE, SETTING_WORDS

    for raw in lits.raw:
        low = raw.lower()
        if "<a" in low or SETTING_WORDS.search(low):
            return True
    for group in lits.groups:
        values = [lits.values[i] for i in group]
        if any(v is None for v in values):
            return True
        data = "".join(v for v in values if v is not None)
        if ("<a" in data.lower() and HIDDEN_LINK.search(data)) or SAFETY_DOWNGRADE.search(data):
            return True
    return False


LITERAL_TESTS: dict[str, Callable[[Literals], bool]] = {"output_strings": _output_strings}


def _shape(lits: Literals, shape: str) -> bool:
    if shape == "encoded_literal":
        return _encoded_literal(lits)
    return shape in lits.shapes or "unreadable_literal" in lits.shapes


class _File:
    """What `quiet` reads of one file, each part computed when first asked."""

    def __init__(self, text: str, tokens: Callable[[], list[tokenize.TokenInfo]], capmap: CapMap) -> None:
        self.text = text
        self.capmap = capmap
        self.words = words_of(text)
        self.reach = Reach(capmap, self.words)
        self._tokens = tokens
        self._lits: Literals | None = None
        self._transforms: bool | None = None

    @property
    def lits(self) -> Literals:
        if self._lits is None:
            self._lits = Literals(self._tokens())
        return self._lits

    @property
    def transforms(self) -> bool:
        if self._transforms is None:
            self._transforms = bool(self.words & VALUE_OPS) or any(_shape(self.lits, s) for s in VALUE_SHAPES)
        return self._transforms

    def by_name(self, t: Triggers) -> bool:
        """One of the family's conditions read from the words and the text holds."""
        reach = self.reach
        if t.words & self.words or any(reach.name(c) for c in t.calls):
            return True
        if t.capmap and reach.capmap(self.capmap):
            return True
        if any(reach.name(str(c)) for key in t.indicator_calls for c in self.capmap.indicators.get(key) or ()):
            return True
        return any(p.search(self.text) for p in t.patterns)

    def by_value(self, t: Triggers) -> bool:
        """One of the family's conditions read from the literals and the token shapes holds."""
        lits = self.lits
        if (t.keys or t.characters) and self.transforms:
            return True
        if t.keys and lits.any_key_piece(t.keys):
            return True
        if t.characters and lits.any_character(t.characters):
            return True
        if any(_shape(lits, s) for s in t.shapes):
            return True
        return bool(t.literal_test and LITERAL_TESTS[t.literal_test](lits))

    def may_fire(self, t: Triggers, values: bool) -> bool:
        """The family's conditions hold (and its `also`); with `values` False, only those read from the words
        and the text are asked (a lower bound: True means the family may fire)."""
        if not (self.by_name(t) or (values and _valued(t) and self.by_value(t))):
            return False
        return t.also is None or self.may_fire(t.also, values)


def _valued(t: Triggers) -> bool:
    return bool(t.keys or t.characters or t.shapes or t.literal_test)


def candidate(text: str, capmap: CapMap) -> _File | None:
    """The first half of the pre-filter, from the words and the text alone: None when some family may report
    (or one declares no triggers), else what the second half (`quiet`) reads further."""
    declared = declared_triggers()
    if declared is None:
        return None
    f = _File(text, _no_tokens, capmap)
    if f.reach.computed:  # a name computed from values may be any name a check compares with
        return None
    if any(f.may_fire(t, values=False) for t in declared):
        return None
    return f


def _no_tokens() -> list[tokenize.TokenInfo]:
    raise RuntimeError("the tokens are handed to quiet()")


def quiet(f: _File, tokens: list[tokenize.TokenInfo]) -> bool:
    """The second half: no family's conditions on literal values and token shapes hold either, and no logical
    line is long enough to nest deeper than the walk may go. True: nothing can be reported."""
    declared = declared_triggers()
    if declared is None:
        return False
    f._tokens = lambda: tokens
    if f.lits.longest > MAX_LINE_TOKENS:
        return False
    return not any(f.may_fire(t, values=True) for t in declared)
