"""What a Python check family must see in a file before it can report anything, as data (`Triggers`): each
family of `checks.FAMILIES` (and the analysis core, `ModuleVisitor`) declares its own, derived from the
names and values its checks test. The pre-filter (`prefilter.py`) skips libcst's parse and the walk of a file
in which no family's triggers occur. Every field is a necessary condition of one family's reports; the
family reports nothing in a file where none of its fields holds. No libcst here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# shapes of the token stream (prefilter.SHAPES says how each is read)
SHAPES = frozenset({
    "step_slice",  # `x[::n]` — a slice with neither bound and a step (the evaluator reverses with it)
    "joined_strings",  # a `+` between two string literals (parentheses around either allowed)
    "adjacent_strings",  # two string literals in a row (one libcst ConcatenatedString)
    "encoded_literal",  # a string literal of GUESS_MIN_LEN raw characters or more with few spaces
    "comprehension_filter",  # `if not` inside brackets (a comprehension's filter)
})


@dataclass(frozen=True)
class Triggers:
    """A family's necessary conditions; it may report in a file only when one of them holds there.

    - `capmap`: it reports only about a call the capability map lists (`rules/capabilities/python.yaml`:
      calls, prefixes, the constructors of instances) or about what such a call returns or is given.
    - `calls`: qualified names it compares a call's or a value's qualified name with (`os.environ`,
      `base64.b64encode`); one is present when the file could name it (prefilter.reachable).
    - `indicator_calls`: capability-map indicators (`tls_off_calls`) that list qualified names it compares with.
    - `words`: identifiers it compares an attribute, a keyword argument or a name with (case-insensitive).
    - `patterns`: compiled patterns one of which its own check requires to match the source's text (or a
      part of it: a pattern without anchors or look-around, so that a match in a part is one in the whole).
    - `keys`: words a value must equal (case-insensitive) before it reports: a value is built from the file's
      literals, so one literal (stripped) must be a piece of one of them, unless the file transforms values
      (`VALUE_OPS`).
    - `characters`: characters one of the file's literals must hold (unless the file transforms values).
    - `shapes`: token shapes (`SHAPES`).
    - `literal_test`: the name of an exact test of one literal's raw text (prefilter.LITERAL_TESTS).
    - `also`: a second necessary condition, which must hold as well (the family needs both).
    """

    capmap: bool = False
    calls: frozenset[str] = frozenset()
    indicator_calls: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()
    patterns: tuple[Any, ...] = ()
    keys: frozenset[str] = frozenset()
    characters: frozenset[str] = frozenset()
    shapes: frozenset[str] = frozenset()
    literal_test: str | None = None
    also: Triggers | None = None

    def __post_init__(self) -> None:
        unknown = self.shapes - SHAPES
        if unknown:
            raise ValueError(f"unknown token shapes {sorted(unknown)}")


# Names through which the core computes a qualified name from a value (`getattr(os, "sys" + "tem")`,
# `__import__("o" + "s")`): where one occurs, any qualified name may be present.
COMPUTED_NAMES = frozenset({"getattr", "__import__", "import_module"})

# Operations of the evaluator (evaluate.py) that make a value whose text is not a concatenation of the file's
# literals (each whole, or a piece of a `%` or `{}` template, stripped): replacing, decoding, reversing, character codes,
# directory names. Where one occurs, `keys` and `characters` no longer bound what a value can be.
VALUE_OPS = frozenset({"replace", "decode", "encode", "dirname", "parent", "chr", "map", "bytes", "bytearray",
                       "reversed", "fromhex", "unhexlify", "a2b_hex", "a2b_base64", "codecs", "b64decode",
                       "standard_b64decode", "decodebytes", "decodestring", "urlsafe_b64decode", "b32decode",
                       "b16decode", "b85decode", "a85decode", "decompress", "environ", "getenv", "expandvars"})
VALUE_SHAPES = frozenset({"step_slice"})


def finite_language(pattern: Any) -> frozenset[str]:
    """Every text a pattern of alternatives, optional parts and character classes matches in full, lower-cased
    (`(?i)^(?:proxy|proxy_?url)$` → proxy, proxyurl, proxy_url): the keys a check compares values with, read
    from its own pattern. Raises ValueError for a pattern whose language is not small and finite."""
    import re._constants as c
    import re._parser as p

    def expand(items: Any) -> set[str]:
        out = {""}
        for op, av in items:
            if op is c.LITERAL:
                alts = {chr(av)}
            elif op is c.IN and all(o is c.LITERAL for o, _ in av):
                alts = {chr(v) for _, v in av}
            elif op is c.BRANCH:
                alts = set().union(*(expand(b) for b in av[1]))
            elif op is c.SUBPATTERN:
                alts = expand(av[-1])
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] <= 1:
                alts = expand(av[2]) | ({""} if av[0] == 0 else set())
            elif op is c.AT:
                continue
            else:
                raise ValueError(f"not a finite pattern: {op}")
            out = {a + b for a in out for b in alts}
            if len(out) > 10_000:
                raise ValueError("too many texts")
        return out

    text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
    return frozenset(t.lower() for t in expand(p.parse(text)))
