"""Prose detectors: the `detect:` section of an instructions rule's one definition file,
`rules/checks/<rule>.yaml` (patterns are data, not code).

A detector has either `patterns` (any one matches) or `combos` (every regex of `all` matches within
`window` characters of the located one). `<<name>>` inserts a term list from
`rules/instructions/vocab.yaml`. Matching is case-insensitive over normalised text.

Every regex is compiled once, into an RE2 `FilteredRE2` (see `FILTER_GROUPS`): one pass of its atom
set over a text rules out the patterns that cannot match there, so most patterns never run on most
texts; the matches are exactly those of running every pattern (tests/test_instructions_speed_paths.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import re2  # type: ignore[import-untyped]

from skillscan.catalog import rules_dir
from skillscan.model import Capability, Confidence, Severity
from skillscan.ruledata import load_yaml_bytes, load_yaml_file

MACRO = re.compile(r"<<(\w+)>>")
MAX_MATCHES = 100  # per pattern and text: enough for a verdict, bounded work on hostile input
SEGMENT_KINDS = frozenset({"prose", "heading", "comment", "hidden", "mcp", "frontmatter", "fence", "section"})


class DetectorError(ValueError):
    pass


@dataclass(frozen=True)
class Pattern:
    name: str
    regexes: tuple[re2._Regexp, ...]  # one for `patterns`, several for `combos`
    locate: int  # index of the regex whose match is reported
    window: int
    confidence: Confidence | None
    severity: Severity | None
    message: str
    lang: str
    # the capability a match evidences, `kind[scope]`; `{name}` takes the regex group `name` (its last
    # path component for a file)
    capability: str = ""
    owner: Any = field(default=None, compare=False, repr=False)  # keeps the RE2 objects' owner alive


@dataclass(frozen=True)
class Detector:
    rule: str
    segments: frozenset[str]
    negatable: bool
    patterns: tuple[Pattern, ...]
    paraphrases: tuple[tuple[str, str], ...]  # (lang, text)
    negatives: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Match:
    detector: Detector
    pattern: Pattern
    start: int
    end: int
    text: str
    groups: dict[str, str]
    parts: tuple[str, ...]  # the matched text of every combo regex
    span: tuple[int, int] = (0, 0)  # from the first to the last character matched by any part


def _expand(regex: str, vocab: dict[str, list[str]], source: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in vocab:
            raise DetectorError(f"{source}: unknown term list <<{name}>>")
        return "(?:" + "|".join(vocab[name]) + ")"

    for _ in range(4):  # term lists may name other term lists (`cred_store` = every `store_*`)
        if not MACRO.search(regex):
            return regex
        regex = MACRO.sub(sub, regex)
    raise DetectorError(f"{source}: term lists nested too deeply in {regex[:60]!r}")


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = 32 << 20
    options.log_errors = False
    return options


def _compile(regex: str, vocab: dict[str, list[str]], source: str) -> re2._Regexp:
    """RE2 (linear time, ~20x faster than `re` on these alternations): a hostile document cannot make
    matching slow. Case-insensitive, `^`/`$` at line boundaries."""
    try:
        return re2.compile(_source(regex, vocab, source), _options())
    except re2.error as exc:
        raise DetectorError(f"{source}: bad regex {regex[:60]!r}: {exc}") from exc


def _source(regex: str, vocab: dict[str, list[str]], source: str) -> str:
    return "(?m)" + _expand(regex, vocab, source)


# Regexes go to one of these atom filters by the segment kinds that use them (the first group naming any
# of them; the rest go to the last): a smaller atom set keeps its DFA small and fast, and a text only
# goes through the filters holding regexes of its kind. Every regex is compiled once, in one filter.
FILTER_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"section", "fence"}),
    frozenset({"prose", "heading", "comment", "hidden", "frontmatter"}),
    frozenset(),
)


@dataclass(frozen=True)
class _Prefilter:
    """One RE2 `FilteredRE2`: RE2 works out for each regex the literal strings ("atoms") any match must
    contain, and one pass of its atom set over a text tells which regexes can possibly match there."""

    filter: Any  # re2.Filter; it owns the compiled RE2 objects of its regexes
    sentinel: int  # local id of a literal appended to every text: present iff the atom pass completed
    offset: int  # local id + offset = the regex's id in the detector set


def _atoms_fold_safely(pattern: str) -> bool:
    """RE2's prefilter lower-cases the literals of a case-insensitive regex with the Unicode lower-case
    map, and the atom set matches them with case folding: for a letter whose lower-case form is outside
    its case-folding orbit (e.g. U+0130 `İ`, whose lower case is `i`) the atom would miss text the regex
    matches. Such a regex is never filtered out."""
    if pattern.isascii():
        return "\\x" not in pattern
    options = _options()
    for ch in {c for c in pattern if ord(c) >= 0x80}:
        low = ch.lower()
        if low != ch and not re2.compile(re2.escape(low), options).fullmatch(ch):
            return False
    return "\\x" not in pattern  # a letter written as an escape is not seen above


def _confidence(value: object) -> Confidence | None:
    return None if value in (None, "") else Confidence.parse(str(value))


def _severity(value: object) -> Severity | None:
    return None if value in (None, "") else Severity.parse(str(value))


def _capability_template(value: object, source: str) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    try:
        Capability.parse(re.sub(r"\{\w+\}", "x", text))
    except ValueError as exc:
        raise DetectorError(f"{source}: bad capability {text!r}: {exc}") from exc
    return text


@dataclass(frozen=True)
class _Entry:
    """One pattern of one detector as `run_detectors` walks them, in detector and pattern order."""

    detector: Detector
    pattern: Pattern
    needed: frozenset[int]  # ids of the pattern's regexes the atoms can rule out: each must be possible
    anchor: Any  # the located regex's native RE2 object


@dataclass(frozen=True)
class DetectorSet:
    detectors: tuple[Detector, ...]
    prefilters: tuple[_Prefilter, ...]
    filters_for: dict[str, tuple[_Prefilter, ...]]  # the prefilters holding any regex of a segment kind
    by_kind: dict[str, tuple[_Entry, ...]]


SENTINEL = "\x00skillscan-prefilter-sentinel\x00"

# (detector data, file name, segments, [(pattern item, is a combo, [expanded regexes])])
_Staged = tuple[dict[str, Any], str, frozenset[str], list[tuple[dict[str, Any], bool, list[str]]]]


def load_detectors(root: Path) -> tuple[Detector, ...]:
    return load_detector_set(root).detectors


def _detector_files(root: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """(the `detect:` section, file name) of every rule definition under `root/checks` that has one, in
    file-name order."""
    for path in sorted((root / "checks").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\ndetect:" not in text:  # most rules have no prose detector: not parsed here
            continue
        meta = load_yaml_bytes(text.encode("utf-8")) or {}
        if str(meta.get("id", "")) != path.stem:
            raise DetectorError(f"{path.name}: `id` must equal the file name")
        if meta.get("engine") != "instructions":
            raise DetectorError(f"{path.name}: a `detect:` section belongs to an `engine: instructions` rule")
        data = meta.get("detect")
        if not isinstance(data, dict):
            raise DetectorError(f"{path.name}: `detect` must be a mapping")
        yield dict(data, rule=path.stem), path.name


def _stage(root: Path) -> list[_Staged]:
    """Every detector read and checked, its regexes expanded (not compiled yet)."""
    vocab_raw = load_yaml_file(root / "instructions" / "vocab.yaml") or {}
    vocab = {str(k): [str(x) for x in v] for k, v in (vocab_raw.get("terms") or {}).items()}
    staged: list[_Staged] = []
    for data, source in _detector_files(root):
        segments = frozenset(str(s) for s in data.get("segments") or ())
        if not segments or not segments <= SEGMENT_KINDS:
            raise DetectorError(f"{source}: segments must be a non-empty subset of {sorted(SEGMENT_KINDS)}")
        items: list[tuple[dict[str, Any], bool, list[str]]] = []
        for item in data.get("patterns") or ():
            items.append((item, False, [_source(str(item["regex"]), vocab, source)]))
            _capability_template(item.get("capability"), source)
        for item in data.get("combos") or ():
            regexes = [_source(str(r), vocab, source) for r in item["all"]]
            if len(regexes) < 2:
                raise DetectorError(f"{source}: combo {item.get('name')} needs two or more regexes")
            _capability_template(item.get("capability"), source)
            items.append((item, True, regexes))
        if not items:
            raise DetectorError(f"{source}: no patterns")
        staged.append((data, source, segments, items))
    return staged


def _compile_filters(staged: list[_Staged]) -> tuple[dict[str, tuple[Any, int]], list[_Prefilter], set[int]]:
    """(expanded regex → (compiled regex, id), prefilters, ids the atoms must not rule out)."""
    uses: dict[str, set[str]] = {}
    first_source: dict[str, str] = {}
    for _data, source, segments, items in staged:
        for _item, _combo, regexes in items:
            for text in regexes:
                uses.setdefault(text, set()).update(segments)
                first_source.setdefault(text, source)
    groups: list[list[str]] = [[] for _ in FILTER_GROUPS]
    for text, kinds in uses.items():  # first-use order: deterministic
        g = next((i for i, group in enumerate(FILTER_GROUPS) if kinds & group), len(FILTER_GROUPS) - 1)
        groups[g].append(text)
    compiled: dict[str, tuple[Any, int]] = {}
    prefilters: list[_Prefilter] = []
    unfiltered: set[int] = set()
    offset = 0
    for texts in groups:
        if not texts:
            continue
        flt = re2.Filter()
        local: list[int] = []
        for text in texts:
            try:
                local.append(flt.Add(text, _options()))
            except re2.error:
                source = first_source[text]
                try:
                    re2.compile(text, _options())
                except re2.error as exc:
                    raise DetectorError(f"{source}: bad regex {text[4:64]!r}: {exc}") from exc
                raise DetectorError(f"{source}: bad regex {text[4:64]!r}") from None
        sentinel = flt.Add(re2.escape(SENTINEL), _options())
        flt.Compile()
        for text, i in zip(texts, local, strict=True):
            compiled[text] = (flt.re(i), offset + i)
            if not _atoms_fold_safely(text):
                unfiltered.add(offset + i)
        no_atoms = set(flt._filter.Match(b"", True))
        if sentinel in no_atoms:  # cannot tell a completed atom pass from a failed one: never filter
            no_atoms |= set(local)
        unfiltered |= {offset + i for i in no_atoms}
        prefilters.append(_Prefilter(flt, sentinel, offset))
        offset += sentinel + 1
    return compiled, prefilters, unfiltered


def load_detector_set(root: Path) -> DetectorSet:
    staged = _stage(root)
    compiled, prefilters, unfiltered = _compile_filters(staged)
    owners = tuple(p.filter for p in prefilters)
    out: list[Detector] = []
    ids_of: dict[int, tuple[int, ...]] = {}  # id(Pattern) → its regexes' ids
    for data, source, segments, items in staged:
        patterns: list[Pattern] = []
        for item, combo, texts in items:
            regexes = tuple(compiled[t][0] for t in texts)
            if combo:
                pattern = Pattern(
                    name=str(item["name"]), regexes=regexes, locate=int(item.get("locate", len(regexes) - 1)),
                    window=int(item.get("window", 400)), confidence=_confidence(item.get("confidence")),
                    severity=_severity(item.get("severity")),
                    message=str(item.get("message", "")), lang=str(item.get("lang", "any")),
                    capability=_capability_template(item.get("capability"), source), owner=owners,
                )
            else:
                pattern = Pattern(
                    name=str(item["name"]), regexes=regexes, locate=0,
                    window=0, confidence=_confidence(item.get("confidence")),
                    severity=_severity(item.get("severity")),
                    message=str(item.get("message", "")), lang=str(item.get("lang", "en")),
                    capability=_capability_template(item.get("capability"), source), owner=owners,
                )
            ids_of[id(pattern)] = tuple(compiled[t][1] for t in texts)
            patterns.append(pattern)
        para = data.get("paraphrases") or {}
        out.append(Detector(
            rule=str(data["rule"]), segments=segments, negatable=bool(data.get("negatable", False)),
            patterns=tuple(patterns),
            paraphrases=tuple((str(lang), str(t)) for lang, items in para.items() for t in items or ()),
            negatives=tuple(str(t) for t in data.get("negatives") or ()), source=source,
        ))
    by_kind: dict[str, tuple[_Entry, ...]] = {}
    filters_for: dict[str, tuple[_Prefilter, ...]] = {}
    for kind in sorted(SEGMENT_KINDS):
        entries = [(det, p) for det in out if kind in det.segments for p in det.patterns]
        ids = {i for _det, p in entries for i in ids_of[id(p)]}
        filters_for[kind] = tuple(f for f in prefilters if any(f.offset <= i < f.offset + f.sentinel for i in ids))
        by_kind[kind] = tuple(
            _Entry(det, p, frozenset(i for i in ids_of[id(p)] if i not in unfiltered), p.regexes[p.locate]._regexp)
            for det, p in entries
        )
    return DetectorSet(tuple(out), tuple(prefilters), filters_for, by_kind)


@lru_cache(maxsize=1)
def detector_set() -> DetectorSet:
    return load_detector_set(rules_dir())


def detectors() -> tuple[Detector, ...]:
    return detector_set().detectors


Bounds = Callable[[int], tuple[int, int]]


def match_pattern(pattern: Pattern, text: str, bounds: Bounds | None = None
                  ) -> Iterator[tuple[re2._Match, tuple[str, ...], tuple[int, int]]]:
    """Matches of one pattern: for a combo, each match of the located regex with every other regex
    matching within the window around it."""
    anchor = pattern.regexes[pattern.locate]
    for count, m in enumerate(anchor.finditer(text)):
        if count >= MAX_MATCHES:
            return
        parts: list[str] = []
        lo_span, hi_span = m.start(), m.end()
        ok = True
        for i, other in enumerate(pattern.regexes):
            if i == pattern.locate:
                parts.append(m.group(0))
                continue
            lo = max(0, m.start() - pattern.window)
            hi = min(len(text), m.end() + pattern.window)
            if bounds is not None:  # a combo never reaches into another block
                b_lo, b_hi = bounds(m.start())
                lo, hi = max(lo, b_lo), min(hi, b_hi)
            om = other.search(text, lo, hi)
            if om is None:
                ok = False
                break
            parts.append(om.group(0))
            lo_span, hi_span = min(lo_span, om.start()), max(hi_span, om.end())
        if ok:
            yield m, tuple(parts), (lo_span, hi_span)


_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)
_SENTINEL_BYTES = SENTINEL.encode("utf-8")


def run_detectors(text: str, kind: str, bounds: Bounds | None = None) -> list[Match]:
    """Every match of the detectors for `kind`, in detector, pattern and position order.

    The text is encoded once; one pass of the atom set of each prefilter holding regexes of the kind
    says which regexes can match at all, and a pattern is tried only when every one of its regexes can (a combo's other regexes are
    searched inside the text, so a regex that matches nowhere in it fails the combo) and its located
    regex really matches somewhere — exactly the patterns that yield anything when every one is run."""
    ds = detector_set()
    entries = ds.by_kind.get(kind, ())
    if not entries:
        return []
    data = text.encode("utf-8")
    probe = data + _SENTINEL_BYTES
    present: set[int] = set()
    completed = True
    for pf in ds.filters_for[kind]:
        possible = pf.filter._filter.Match(probe, True)
        if pf.sentinel not in possible:
            completed = False
            break
        offset = pf.offset
        present.update([i + offset for i in possible])
    if completed:
        entries = tuple(e for e in entries if e.needed <= present)
    # else the atom pass gave up (out of memory): every pattern is tried
    out: list[Match] = []
    size = len(data)
    for e in entries:
        if e.anchor.Match(_UNANCHORED, data, 0, size)[0] == _NO_MATCH:
            continue
        for m, parts, span in match_pattern(e.pattern, text, bounds):
            groups = {k: v for k, v in m.groupdict().items() if v}
            out.append(Match(e.detector, e.pattern, m.start(), m.end(), m.group(0), groups, parts, span))
    return out


@lru_cache(maxsize=16)
def term_regex(expression: str) -> re2._Regexp:
    """A regex over the shared term lists (`<<name>>` macros), for checks the analyzer assembles itself."""
    directory = rules_dir() / "instructions"
    vocab_raw = load_yaml_file(directory / "vocab.yaml") or {}
    vocab = {str(k): [str(x) for x in v] for k, v in (vocab_raw.get("terms") or {}).items()}
    return _compile(expression, vocab, "vocab.yaml")
