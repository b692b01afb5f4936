"""Which semgrep rules can match a file, read from the rules' own patterns, so semgrep runs each rule only on
the files where it can match and is not run at all on the others (issue 23).

A rule becomes a condition on the file's text: identifiers its patterns name (`require`, `fetch`, the
alternatives of a `metavariable-regex` such as `^(exec|spawn)$`), and the string literals it matches
(`"push"`, the literal parts of a `"=~/regex/"`). `pattern-either` is an OR, `patterns` and
`pattern-inside` an AND, negative operators (`pattern-not…`, sanitizers, `focus-metavariable`) require
nothing, and a taint rule needs a source AND a sink. The condition is conservative: a file it rejects cannot
match the rule —

- an identifier in a pattern matches the same identifier in the code, whose text is then a whole identifier
  token of the file (an import alias keeps the imported name in the import statement);
- a string literal is matched after semgrep's constant folding (`"child_" + "process"`, a `const` or a
  template with a constant part all match `"child_process"`; escapes are not decoded). So a string W
  matches only if the text holds W, or W is split between pieces: a piece ends with a prefix W[:k] (then a
  quote or `${`) and a piece starts with W[k] (after a quote or the `}` of a template part). Digits may come
  from number literals, so each run of W without digits is required on its own. A regex matching the whole
  value (`^…$`) with a few possible values needs a piece that is one of them or a prefix of one.

An operator or a pattern form not listed here makes the rule run on every file (`ALWAYS`: nothing is
skipped, so no finding is due) and is listed in `RuleSet.unknown`, which tests/test_semgrep_prefilter.py
requires empty for the shipped rules (a rule left running everywhere costs time, never a match).
"""

from __future__ import annotations

import re
import re._constants as sre_c
import re._parser as sre_parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

# JavaScript/TypeScript reserved words a pattern may be written with; semgrep may match them across
# spellings (const/let/var, await), so none is required — except `import`, which only import syntax has
KEYWORDS = frozenset({
    "await", "async", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
    "do", "else", "export", "extends", "false", "finally", "for", "from", "function", "if", "in", "instanceof",
    "let", "new", "null", "of", "return", "static", "super", "switch", "this", "throw", "true", "try",
    "typeof", "var", "void", "while", "with", "yield", "as", "undefined",
})

# keys of a rule that say nothing about what code it matches
INERT_KEYS = frozenset({"id", "message", "languages", "severity", "metadata", "options", "fix", "paths",
                        "min-version", "max-version"})
POSITIVE = ("pattern", "pattern-inside")
NEGATIVE = ("pattern-not", "pattern-not-inside", "focus-metavariable", "pattern-sanitizers",
            "pattern-not-regex")

_IDENT = re.compile(r"[\w$]+")
_PATTERN_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|\.\.\.|\$?[A-Za-z_][\w$]*")
_WORDS = re.compile(r"\^\(?([A-Za-z_][\w]*(?:\|[A-Za-z_][\w]*)*)\)?\$")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Condition:
    """A condition on a file's text: `op` is "all" or "any" of `parts` (conditions or atoms). An atom is
    ("id", word) — a whole identifier token of the text —, ("call", word) — that identifier called —, ("sub", W, case-blind) — W is in the text as
    written —, ("str", W, case-blind) — W may be part of the value of a folded string —, or ("whole",
    values, case-blind) — a folded string may be one of the values."""

    op: str
    parts: tuple[Condition | tuple[Any, ...], ...] = ()

    @staticmethod
    def atom(*a: Any) -> Condition:
        return Condition("all", (a,))

    @property
    def always(self) -> bool:
        return self.op == "all" and not self.parts

    def holds(self, text: Text) -> bool:
        test = any if self.op == "any" else all
        return test(p.holds(text) if isinstance(p, Condition) else text.has(p) for p in self.parts)

    def atoms(self) -> frozenset[tuple[Any, ...]]:
        out: set[tuple[Any, ...]] = set()
        for p in self.parts:
            out |= p.atoms() if isinstance(p, Condition) else {p}
        return frozenset(out)


ALWAYS = Condition("all")
NEVER = Condition("any")


def _all(items: Iterable[Condition]) -> Condition:
    # the cheap parts (identifiers, read once per text) are tested first, strings (regex searches) last
    parts = tuple(sorted((c for c in items if not c.always), key=_cost))
    if any(c.op == "any" and not c.parts for c in parts):
        return NEVER
    return parts[0] if len(parts) == 1 else Condition("all", parts)


def _cost(c: Condition) -> int:
    return sum(a[0] not in ("id", "call") for a in c.atoms())


def _any(items: Iterable[Condition]) -> Condition:
    parts = tuple(items)
    if any(c.always for c in parts):
        return ALWAYS
    parts = tuple(c for c in parts if c.parts)
    return parts[0] if len(parts) == 1 else Condition("any", parts)


class Text:
    """One file's text, with its identifier tokens read once and string answers remembered."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._idents: set[str] | None = None
        self._lower: str | None = None
        self._answers: dict[tuple[Any, ...], bool] = {}

    def has(self, atom: tuple[Any, ...]) -> bool:
        if atom[0] == "call":
            return self.has(("id", atom[1])) and _call(atom[1]).search(self.text) is not None
        if atom[0] == "id":
            if self._idents is None:
                self._idents = set(_IDENT.findall(self.text))
            return atom[1] in self._idents
        hit = self._answers.get(atom)
        if hit is None:
            hit = self._answers[atom] = self._contains(atom[0], atom[1], atom[2])
        return hit

    def _contains(self, kind: str, word: Any, blind: bool) -> bool:
        text = self.text
        if kind == "whole":
            return _whole(word, blind).search(text) is not None
        if blind:
            if self._lower is None:
                self._lower = text.lower()
            text, word = self._lower, word.lower()
        if word in text:
            return True
        if kind == "sub":
            return False
        # the first piece of a concatenation ends with a proper prefix of the word and a closing delimiter
        # W split between string pieces: one piece ends with a prefix W[:k], the next non-empty one starts with W[k]
        return any(_piece_end(word[:k]).search(text) is not None and _piece_start(word[k]).search(text) is not None
                   for k in range(1, len(word)))


# between a called name and its arguments: spaces, the `)` of a parenthesised callee, `?.`, `!`; a comment or
# `<` (TypeScript type arguments) after it counts as a call — never scanned, so hostile text stays linear
_GAP = r"(?:\s|[)!]|\?\.)*"


@lru_cache(maxsize=256)
def _call(name: str) -> re.Pattern[str]:
    """`name` called: followed by its arguments or a template (a tagged template is a call too)."""
    return re.compile(f"(?<![\\w$]){re.escape(name)}{_GAP}(?:[(`<]|/[*/])")


@lru_cache(maxsize=256)
def _whole(values: tuple[str, ...], blind: bool) -> re.Pattern[str]:
    """A folded string equal to one of `values` starts with a piece that is a whole string literal (or a
    template part) holding one of them or a prefix of one."""
    heads = sorted({v[:k] for v in values for k in range(1, len(v) + 1)}, key=lambda h: -len(h))
    body = "|".join(re.escape(h) for h in heads)
    return re.compile(f"(?:[\"'`}}])(?:{body})(?:[\"'`]|\\$\\{{)", re.IGNORECASE if blind else 0)


@lru_cache(maxsize=1024)
def _piece_end(head: str) -> re.Pattern[str]:
    """A string piece (literal or template part) ending with `head`."""
    return re.compile(f"{re.escape(head)}(?:[\"'`]|\\$\\{{)")


@lru_cache(maxsize=256)
def _piece_start(char: str) -> re.Pattern[str]:
    """A string piece (literal or template part) starting with `char`."""
    return re.compile(f"[\"'`}}]{re.escape(char)}")


def _string(value: str, blind: bool = False, kind: str = "str") -> Condition:
    """A literal that the text (`sub`) or a match's folded string value (`str`) must contain; digits of a
    folded value may come from a number literal, so each run without digits is required on its own (each
    comes from string pieces alone, whole or split between them: `key4.db` needs `key` and `.db`)."""
    if kind == "sub":
        return Condition.atom("sub", value, blind) if value else ALWAYS
    parts = [p for p in _DIGITS.split(value) if p]
    if not parts:
        return ALWAYS
    return _all(Condition.atom("str", p, blind) for p in dict.fromkeys(parts))


def _regex_literals(regex: str, kind: str = "str") -> Condition:
    """What any match of `regex` must contain (literal runs, alternatives as OR); ALWAYS when nothing can be
    said. A folded string matched whole (`^…$`) by a regex with a few possible values is one of them."""
    try:
        parsed = sre_parse.parse(regex)
    except re.error:
        return ALWAYS
    blind = bool(parsed.state.flags & re.IGNORECASE)
    items = list(parsed)
    if kind == "str" and len(items) >= 2 and items[0] == (sre_c.AT, sre_c.AT_BEGINNING) \
            and items[-1] == (sre_c.AT, sre_c.AT_END) and not parsed.state.flags & re.MULTILINE:
        values = _values(items[1:-1])
        if values and all(v and not v[0].isdigit() for v in values):
            return Condition.atom("whole", tuple(sorted(values)), blind)
    return _sequence(items, blind, kind)


def _values(items: list[tuple[Any, Any]], limit: int = 256) -> set[str] | None:
    """Every string a regex without anchors or open repeats matches in full (None: too many, or unbounded)."""
    out = {""}
    for op, arg in items:
        if op is sre_c.LITERAL:
            step = {chr(arg)}
        elif op is sre_c.SUBPATTERN:
            got = _values(list(arg[-1]), limit)
            if got is None:
                return None
            step = got
        elif op is sre_c.BRANCH:
            step = set()
            for branch in arg[1]:
                got = _values(list(branch), limit)
                if got is None:
                    return None
                step |= got
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and (arg[0], arg[1]) == (0, 1):
            got = _values(list(arg[2]), limit)
            if got is None:
                return None
            step = got | {""}
        else:
            return None
        out = {a + b for a in out for b in step}
        if len(out) > limit:
            return None
    return out


def _sequence(items: list[tuple[Any, Any]], blind: bool, kind: str) -> Condition:
    candidates: list[Condition] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= 2:
            candidates.append(_string("".join(run), blind, kind))
        run.clear()

    for op, arg in items:
        if op is sre_c.LITERAL:
            run.append(chr(arg))
            continue
        close()
        if op is sre_c.SUBPATTERN:
            candidates.append(_sequence(list(arg[-1]), blind, kind))
        elif op is sre_c.BRANCH:
            candidates.append(_any(_sequence(list(b), blind, kind) for b in arg[1]))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and arg[0] >= 1:
            candidates.append(_sequence(list(arg[2]), blind, kind))
    close()
    # every item of a sequence is in every match (optional ones were left out above)
    return _all(candidates)


def _pattern(text: str) -> Condition:
    """A semgrep pattern: its identifiers and string literals are all in any match."""
    need = ALWAYS
    for m in _PATTERN_TOKEN.finditer(text):
        tok = m.group()
        if tok[0] in "\"'":
            body = tok[1:-1]
            if body.startswith("=~/") and body.endswith("/"):
                need = _all((need, _regex_literals(body[3:-1])))
            elif body != "..." and "$" not in body and "\\" not in body:
                need = _all((need, _string(body)))
        elif tok[0] == "`" or tok == "..." or tok[0] == "$":
            continue
        elif tok not in KEYWORDS or tok == "import":
            need = _all((need, Condition.atom(*_name(text, m.start(), m.end()))))
    return need


def _name(pattern: str, start: int, end: int) -> tuple[str, str]:
    """The atom of an identifier of a pattern: a bare function called (`eval(…)`, not `x.eval(…)` or
    `new F(…)`) is ("call", name), any other ("id", name)."""
    name = pattern[start:end]
    before = pattern[:start].rstrip()
    if pattern[end:].lstrip().startswith("(") and not before.endswith(".") and not re.search(r"\bnew$", before):
        return "call", name
    return "id", name


@dataclass
class _Reader:
    unknown: list[str] = field(default_factory=list)
    names: dict[str, Condition] = field(default_factory=dict)  # metavariable → what its regex requires

    def node(self, node: Any, where: str) -> Condition:
        """One pattern operator (a mapping with one key, or a string pattern)."""
        if isinstance(node, str):
            return _pattern(node)
        if not isinstance(node, Mapping):
            self.unknown.append(f"{where}: {type(node).__name__}")
            return ALWAYS
        need = ALWAYS
        for key, value in node.items():
            need = _all((need, self.key(key, value, where)))
        return need

    def key(self, key: str, value: Any, where: str) -> Condition:
        if key in POSITIVE:
            return _pattern(str(value))
        if key in NEGATIVE:
            return ALWAYS
        if key == "patterns":
            return _all(self.node(v, f"{where}.patterns") for v in value or [])
        if key == "pattern-either":
            return _any(self.node(v, f"{where}.pattern-either") for v in value or [])
        if key == "metavariable-regex" and isinstance(value, Mapping):
            return self.metavariable(str(value.get("regex", "")))
        self.unknown.append(f"{where}: {key}")
        return ALWAYS

    def metavariable(self, regex: str) -> Condition:
        """A metavariable bound to code whose text matches `regex`: a whole-identifier alternation
        (`^(exec|spawn)$`) needs one of the identifiers; any other regex its literal parts."""
        words = _WORDS.fullmatch(regex)
        if words:
            return _any(Condition.atom("id", w) for w in words.group(1).split("|"))
        return _regex_literals(regex, "sub")


def rule_condition(rule: Mapping[str, Any]) -> tuple[Condition, list[str]]:
    """(the condition a file must meet for `rule` to match, operators or keys not understood)."""
    reader = _Reader()
    rid = str(rule.get("id", "?"))
    if rule.get("mode") == "taint":
        sources = _any(reader.node(s, f"{rid}.pattern-sources") for s in rule.get("pattern-sources") or [])
        sinks = _any(reader.node(s, f"{rid}.pattern-sinks") for s in rule.get("pattern-sinks") or [])
        for key in rule:
            if key not in INERT_KEYS and key not in ("mode", "pattern-sources", "pattern-sinks",
                                                     "pattern-sanitizers", "pattern-propagators"):
                reader.unknown.append(f"{rid}: {key}")
        if "pattern-propagators" in rule:  # a propagator can carry taint past what the text shows
            reader.unknown.append(f"{rid}: pattern-propagators")
        need = _all((sources, sinks))
    else:
        need = ALWAYS
        for key, value in rule.items():
            if key in INERT_KEYS:
                continue
            need = _all((need, reader.key(key, value, rid)))
    if reader.unknown:
        return ALWAYS, reader.unknown
    return need, []


@dataclass(frozen=True)
class RuleSet:
    """The rules of a semgrep rules directory, each with its file condition."""

    rules: tuple[tuple[str, Mapping[str, Any], Condition], ...]  # (id, the rule as loaded, condition)
    unknown: tuple[str, ...]

    def needed(self, text: str, json: bool) -> tuple[str, ...]:
        """The ids of the rules that may match a file with this text (a JSON file, or JavaScript/TypeScript
        code: semgrep picks the language by the file's suffix)."""
        view = Text(text)
        return tuple(rid for rid, rule, need in self.rules if _for(rule, json) and need.holds(view))


def _for(rule: Mapping[str, Any], json: bool) -> bool:
    langs = {str(x).lower() for x in rule.get("languages") or []}
    if json:
        return "json" in langs or "generic" in langs
    return bool(langs - {"json"})


def load(directory: Path) -> RuleSet:
    """Every rule of the `*.yaml` files of `directory` (read through the rule-data cache)."""
    key = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in directory.glob("*.y*ml")))
    return _load(str(directory), key)


@lru_cache(maxsize=4)
def _load(directory: str, _key: tuple[tuple[str, int, int], ...]) -> RuleSet:
    from skillscan import ruledata

    rules = []
    unknown: list[str] = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        doc = ruledata.load_yaml_file(path)
        for rule in (doc or {}).get("rules") or []:
            need, bad = rule_condition(rule)
            unknown.extend(bad)
            rules.append((str(rule.get("id")), rule, need))
    return RuleSet(tuple(rules), tuple(unknown))
