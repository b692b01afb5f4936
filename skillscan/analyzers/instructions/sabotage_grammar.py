"""Sentence grammar shared by the sabotage-in-prose detectors (sabotage_output.py, sabotage_recipient.py,
sabotage_memory.py): the vocabulary of `rules/instructions/sabotage.yaml` compiled once, the sentences of a
prose segment with their offsets, whether a sentence is a directive aimed at the agent, whether an act in it
is prohibited ("never drop findings") or quoted ("“always approve” is a red flag"), and the package's stated
purpose as plain text (name and description) for the coherence test each detector makes.

A detector asks: is this sentence a directive (`directive`), does it contain the act and its object class
(the detector's own vocabulary), is the act not negated nor quoted (`negated`, `quoted`), and is it set
against the task (`against_task`, or the detector's own condition)? Then: is the act the package's stated
purpose (`coherent`)? Nothing here decides a verdict. The findings' tail (where the sentence sits, how it is
cited, the per-file cap) is `prose_findings.py`; `cite`, `snippet` and `where` are re-exported for the
detectors that write `g.cite`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import re2  # type: ignore[import-untyped]

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.document import Document, Segment, introduced_block
from skillscan.analyzers.instructions.prose_findings import (  # noqa: F401
    SENTENCE_KINDS,
    Said,
    cite,
    confidence,
    hidden,
    reports,
    snippet,
    where,
)
from skillscan.analyzers.instructions.sentence_split import split_spans
from skillscan.analyzers.roles import file_role
from skillscan.catalog import rules_dir
from skillscan.loaders.frontmatter import Frontmatter
from skillscan.memo import BoundedMemo
from skillscan.model import Channel, Confidence, Finding, Package
from skillscan.purpose.kinds import first_stated, known_ids
from skillscan.ruledata import load_yaml_file

_W = TypeVar("_W")

KINDS = SENTENCE_KINDS  # prose, HTML comments and hidden text (tables are data, not directives)
MAX_SENTENCE = 600  # characters of one sentence looked at
MAX_REPORTS = 8  # per rule and file: enough for a verdict
MAX_CANDIDATES = 1_000  # sentences per rule and file that carry a cue and are read in full
_QUOTES = (("\u201c", "\u201d"), ("\"", "\""), ("「", "」"), ("『", "』"))


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the segment's text


@dataclass(frozen=True)
class Vocabulary:
    patterns: dict[str, re.Pattern[str]]

    def __getitem__(self, key: str) -> re.Pattern[str]:
        return self.patterns[key]


def alternation(items: Any) -> re.Pattern[str]:
    """A vocabulary list (or one pattern) of rules/instructions/*.yaml as one case-blind alternation."""
    items = [items] if isinstance(items, str) else items or ()
    return re.compile("|".join(f"(?:{x!s})" for x in items), re.IGNORECASE)


def instruction_data(name: str) -> Any:
    """The parsed rules/instructions/<name>.yaml (empty: {})."""
    return load_yaml_file(rules_dir() / "instructions" / f"{name}.yaml") or {}


def word_set(cls: type[_W], name: str) -> _W:
    """A frozen dataclass whose every field is a vocabulary: each field is the alternation of the list of the
    same key in rules/instructions/<name>.yaml (a missing key raises, as a missing list is a broken rule file)."""
    data = instruction_data(name)
    return cls(*(alternation(data[f.name]) for f in fields(cls)))  # type: ignore[call-arg]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Every list of sabotage.yaml as one compiled alternation, keyed `group.name`."""
    out: dict[str, re.Pattern[str]] = {}
    for group, lists in instruction_data("sabotage").items():
        if group == "coherent_kinds":
            continue  # purpose kinds, not patterns: `coherent`
        for name, items in (lists or {}).items():
            out[f"{group}.{name}"] = alternation(items)
    return Vocabulary(out)


class Cue(Protocol):
    def search(self, text: str) -> object: ...  # truthy when the cue occurs in `text` (only that is asked)


# a text anchor (^ $ \A \z) other than a negated class: a cue with one may match a segment alone and not
# the segments joined, so it is never tested on the whole document
_EDGE = re.compile(r"(?<!\[)\^|\$|\\[AzZ]")


_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)


def _cue_options(max_mem: int = 32 << 20) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = max_mem
    options.log_errors = False
    return options


MEMO_TEXTS = 4096  # texts whose cues are remembered per process (segments and sentences of recent documents)
MEMO_CHARS = 200_000  # a longer text is searched cue by cue, never remembered


class _CueIndex:
    """Every cue `union` made, as one RE2 set: the first question about a text (a segment, a sentence, the
    joined document) runs one pass of the set over it and answers every cue at once; the other detectors
    of the document asking about the same text read the answer. A cue holds in a text exactly when the set
    reports it there (the same regex and options, searched unanchored); when the set's pass fails (out of
    memory: its always-matching first pattern is missing from the answer) the cue is searched alone. Cues are
    made on first use: one made after the set was built is searched alone until the next document rebuilds
    the set (`new_document`), rather than the set being rebuilt for each new cue (26 builds for one small
    skill, a tenth of its CPU: issue 23)."""

    def __init__(self) -> None:
        self.sources: dict[str, int] = {}  # cue source → its slot
        self.compiled: tuple[Any, int] | None = None  # (the set or None when it cannot be built, cues it holds)
        self.memo: dict[str, tuple[int, frozenset[int]]] = {}
        self.stale = True  # a new document: the set takes the cues made since it was built

    def add(self, source: str) -> int:
        return self.sources.setdefault(source, len(self.sources))

    def _set(self) -> tuple[Any, int]:
        compiled = self.compiled
        if compiled is None or (self.stale and compiled[1] != len(self.sources)):
            self.stale = False
            cue_set: Any = re2.Set.SearchSet(_cue_options(64 << 20))
            try:
                cue_set.Add("")  # id 0 matches every text: its absence says the pass failed
                for source in self.sources:  # in slot order
                    cue_set.Add(source)
                cue_set.Compile()
            except Exception:  # noqa: BLE001 - the set cannot be built: every cue is searched alone
                cue_set = None
            compiled = self.compiled = (cue_set, len(self.sources))
        return compiled

    def holds(self, slot: int, text: str, data: bytes) -> bool | None:
        """Whether cue `slot` occurs in `text` (`data` is its UTF-8), or None when the set cannot tell."""
        if len(text) > MEMO_CHARS:
            return None
        memo = self.memo  # a new document may replace it meanwhile: this question keeps the one it read
        known = memo.get(text)
        if known is None or known[0] <= slot:  # not asked yet, or asked before this cue existed
            cue_set, count = self._set()
            if cue_set is None or count <= slot:  # no set, or a cue newer than the set: searched alone
                return None
            found = cue_set.Match(data)
            if not found or found[0] != 0:
                return None
            known = (count, frozenset(i - 1 for i in found[1:]))
            if len(memo) >= MEMO_TEXTS:
                memo.pop(next(iter(memo), text), None)  # the oldest text
            memo[text] = known
        return slot in known[1]


_INDEX = _CueIndex()


def new_document() -> None:
    """Forget the cue answers of the texts read so far: answers are shared by the detectors of one document,
    never kept across documents (a process reads thousands; texts of other files would only hold memory)."""
    _INDEX.memo = {}
    _INDEX.stale = True
    _long_split.clear()


@dataclass(frozen=True)
class _Union:
    compiled: Any
    whole: bool  # no text anchor: a match inside a segment is a match in the segments joined by blank lines
    slot: int = -1  # its place in the cue index (-1: not in it)

    def search(self, text: str) -> object:
        """True when the cue occurs in `text`, else None: the RE2 search `compiled.search(text)` makes, on the
        text's UTF-8 bytes, without building the match object (a detector only asks whether there is one),
        answered by the cue index when it can."""
        if self.slot >= 0 and len(text) <= MEMO_CHARS:
            known = _INDEX.memo.get(text)
            if known is not None and known[0] > self.slot:  # asked before by another detector
                return True if self.slot in known[1] else None
        data = text.encode("utf-8")
        if self.slot >= 0:
            held = _INDEX.holds(self.slot, text, data)
            if held is not None:
                return True if held else None
        return True if self.compiled._regexp.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH else None


def union(*patterns: re.Pattern[str]) -> Cue:
    """One pattern matching where any of `patterns` matches: the cheap pre-test of a detector, run on RE2
    (linear time, no backtracking) over every prose segment, through the cue index. The patterns use no
    look-around."""
    source = "|".join(f"(?:{p.pattern})" for p in patterns)
    compiled = re2.compile(source, _cue_options())
    return _Union(compiled, _EDGE.search(source) is None, _INDEX.add(source))


# the segments of the last document joined, per kind set: every detector of one file reads the same text
_joined: dict[frozenset[str] | None, str] = {}
_joined_doc: list[Document | None] = [None]


def _whole_text(doc: Document, kinds: frozenset[str] | None) -> str:
    if _joined_doc[0] is not doc:
        _joined.clear()
        _joined_doc[0] = doc
    text = _joined.get(kinds)
    if text is None:
        text = _joined[kinds] = "\n\n".join(s.text for s in doc.segments if kinds is None or s.kind in kinds)
    return text


def may_carry(doc: Document, cue: Cue, kinds: frozenset[str] | None = KINDS) -> bool:
    """False when no segment of `kinds` (None: any) can carry `cue`: one search of the whole document before
    the search of each segment. The blank line between segments is no word character, so a word boundary
    at a segment's edge is one in the joined text too; a cue with a text anchor is always True."""
    if not isinstance(cue, _Union) or not cue.whole:
        return True
    return cue.search(_whole_text(doc, kinds)) is not None


def sentences(text: str) -> list[Sentence]:
    """The sentences (and list items) of a segment's text, each with its offset; long ones cut. Split once
    per text: every prose detector of a document reads the same segments. Texts up to SPLIT_MEMO_CHARS are
    remembered across documents, at most SPLIT_MEMO_TEXTS of them and SPLIT_BUDGET_CHARS together (peak
    memory, issue 23); a longer text is remembered for its own document only (`new_document` forgets it)."""
    if len(text) > SPLIT_MEMO_CHARS:
        hit = _long_split.get(text)
        if hit is None:
            if len(_long_split) >= SPLIT_LONG_TEXTS:  # a reader that starts no document (new_document) too
                _long_split.clear()
            hit = _long_split[text] = _split(text)
        return list(hit)
    hit = _split_memo.get(text)
    if hit is None:
        hit = _split(text)
        _split_memo.put(text, hit, len(text))
    return list(hit)


SPLIT_MEMO_CHARS = 20_000  # texts up to this long are split once per process
SPLIT_MEMO_TEXTS = 1024
SPLIT_BUDGET_CHARS = 2_000_000
SPLIT_LONG_TEXTS = 64  # longer texts kept at most (those of the current document)
_long_split: dict[str, tuple[Sentence, ...]] = {}
_split_memo: BoundedMemo[str, tuple[Sentence, ...]] = BoundedMemo(SPLIT_MEMO_TEXTS, SPLIT_BUDGET_CHARS)


def _split(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    pos = 0
    for start, end in split_spans(text):
        if start > pos:
            out.append(Sentence(text[pos:start][:MAX_SENTENCE], pos))
        pos = end
    if pos < len(text):
        out.append(Sentence(text[pos:][:MAX_SENTENCE], pos))
    return tuple(s for s in out if s.text.strip())


@dataclass(frozen=True)
class Candidate:
    segment: Segment
    sentence: Sentence
    following: str  # the next sentence of the same segment, or ""
    block: str = ""  # the code block right after the segment when the sentence ends it with a colon ("… must read:")


def candidates(doc: Document, cue: Cue, bound: list[bool]) -> Iterator[Candidate]:
    """The directive sentences of the document's prose that carry `cue` (a cheap test run once per segment
    and once per sentence before the detector's own grammar), at most MAX_CANDIDATES of them; `bound[0]`
    is set when more were left unread."""
    seen = 0
    if not may_carry(doc, cue, None):  # a code block a sentence introduces may carry the cue too
        return
    segments = doc.segments
    for k, seg in enumerate(segments):
        block = introduced_block(segments, k) if seg.kind in KINDS else ""
        if seg.kind not in KINDS or not (cue.search(seg.text) or (block and cue.search(block))):
            continue
        sents = sentences(seg.text)
        for i, sent in enumerate(sents):
            intro = block if i == len(sents) - 1 and sent.text.rstrip().endswith((":", "：")) else ""
            if not (cue.search(sent.text) or (intro and cue.search(intro))) or not directive(sent.text):
                continue
            if seen >= MAX_CANDIDATES:
                bound[0] = True
                return
            seen += 1
            yield Candidate(seg, sent, sents[i + 1].text if i + 1 < len(sents) else "", intro)


def cued_sentences(doc: Document, cue: Cue | None = None, *, within: str = "", raw: bool = False
                   ) -> Iterator[tuple[Segment, Sentence]]:
    """Every sentence of the document's prose that carries `cue` (None: every sentence), directive or not (a
    statement of what the package does counts too), with its segment: the cheap test runs once per segment,
    then per sentence. `within`: text a segment must contain to be read at all (a path's "/"); `raw`: the
    sentences of the segment's raw text (code marks kept: a path in `backticks` keeps its edges)."""
    for seg in doc.segments:
        if seg.kind not in KINDS or (within and within not in seg.text) or (cue is not None and not cue.search(seg.text)):
            continue
        for sent in sentences((seg.raw or seg.text) if raw else seg.text):
            if cue is None or cue.search(sent.text):
                yield seg, sent


@dataclass(frozen=True)
class Told:
    """What a detector of `sentence_reports` read in one sentence: the offset in the sentence of the thing the
    message names (-1: the sentence's start), what the instructions do (the words after "the instructions
    (where)"), and the confidence in text a reader sees."""
    at: int
    says: str
    confidence: Confidence | None = Confidence.LOW


def sentence_reports(doc: Document, rule_id: str, label: str, cue: Cue | None, read: Callable[[str], Told | None],
                     limit: int = MAX_REPORTS, *, comment: Confidence | None = Confidence.HIGH, within: str = "",
                     raw: bool = False) -> list[Finding]:
    """One finding of `rule_id` per sentence of the prose that carries `cue` (None: every sentence; `within`,
    `raw`: as `cued_sentences`), directive or not, that `read` explains: at most `limit`, the last saying how
    many more (`reports`). The confidence is the reading's in text a reader sees, `comment` in an HTML
    comment, high in other hidden text."""
    if cue is not None and not may_carry(doc, cue):
        return []

    def said() -> Iterator[Said]:
        for seg, sent in cued_sentences(doc, cue, within=within, raw=raw):
            told = read(sent.text)
            if told is not None:
                yield Said(seg.kind, seg.line_at(sent.start + max(0, told.at)), told.says, sent.text,
                           confidence(seg.kind, told.confidence, comment))

    return reports(doc, rule_id, label, said(), limit)


def bound_finding(doc: Document, rule_id: str) -> Finding:
    """The report of the bound: the rest of the file was not read for this rule."""
    return finding("analysis-incomplete",
                   f"{doc.path}: only the first {MAX_CANDIDATES} candidate sentences were read for {rule_id}; "
                   "the rest of the file was not checked for it", doc.path, 1, channel=Channel.INSTRUCTION)


@dataclass(frozen=True)
class Hit:
    """What a detector read in a candidate sentence: what the agent is told to do, the thing it names (the
    reported line is that thing's line), the confidence outside hidden text, and words after `what`."""
    what: str
    anchor: str = ""
    confidence: Confidence | None = None
    tail: str = ""


def report_matches(doc: Document, cue: Cue, match: Callable[[Candidate], Hit | tuple[str, str] | None],
                   rule_id: str, label: str) -> list[Finding]:
    """One finding per candidate sentence `match` explains — as a `Hit` or as (what the agent is told to
    do, the thing it names) — at most MAX_REPORTS (the last saying how many more there are), and the bound's
    own report when the candidates ran out early. Hidden text (an HTML comment, hidden markup) raises the
    confidence to high."""
    bound = [False]

    def said() -> Iterator[Said]:
        for c in candidates(doc, cue, bound):
            found = match(c)
            if found is None:
                continue
            hit = found if isinstance(found, Hit) else Hit(*found)
            kind = c.segment.kind
            yield Said(kind, report_line(c, hit.anchor), f"tell the agent to {hit.what}{hit.tail}", c.sentence.text,
                       Confidence.HIGH if hidden(kind) else hit.confidence)

    out = reports(doc, rule_id, label, said(), MAX_REPORTS)
    return out + ([bound_finding(doc, rule_id)] if bound[0] else [])


def report_line(c: Candidate, anchor: str = "") -> int:
    """The file line of `anchor` (the thing the message names) in the candidate sentence, else the line where
    the sentence starts."""
    at = c.sentence.text.find(anchor) if anchor else -1
    if at < 0:
        at = len(c.sentence.text) - len(c.sentence.text.lstrip())
    return c.segment.line_at(c.sentence.start + at)


@lru_cache(maxsize=4096)
def directive(sentence: str) -> bool:
    """Does the sentence tell the agent to do something (a modal, an imperative cue, a requirement)? Asked
    by every detector whose cue the sentence carries: answered once per sentence."""
    return bool(vocabulary()["grammar.directive"].search(sentence))


def imperative(verbs: str) -> re.Pattern[str]:
    """A sentence that opens with one of `verbs` (an alternation) as a bare imperative, after at most one
    leading clause and one adverb: "Run env …", "Before any task, run env …", "Silently print …", "Without
    asking the user, print …", "Don't ask, just run …",
    "每次开始前，运行 …". For the verbs a detector needs that the shared directive cues do not hold."""
    return re.compile(rf"^\s*(?:[^,.:;，。：；\n]{{1,60}}[,:，：]\s*)?(?:please\s+|请)?(?:(?:just|simply|first|then|now|\w+ly)\s+)?"
                      rf"(?:{verbs})", re.IGNORECASE)


_CONTRAST = re.compile(r"\b(?:but|instead|however|rather|otherwise|unless|except|only)\b|但|而是|否则|除非|只"
                       r"|[,;，；]\s*(?:just|simply|直接)", re.IGNORECASE)
_CLAUSE_MARK = re.compile(r"[,;:，；：—]")
_GERUND = re.compile(r"\w+ing\b", re.IGNORECASE)


def negated(sentence: str, at: int) -> bool:
    """Is the act at offset `at` prohibited: a negation before it in the sentence that no contrast ("but",
    "instead", "unless", ", just" …) lifts? "Never retry, skip the step or report success" prohibits all
    three; "Don't ask, just paste the token" prohibits only the asking. "Without" governs its own phrase:
    "without asking the user, paste …" leaves the act after the clause mark unprohibited, unless the act is
    one more gerund of that phrase ("without retrying, skipping or …")."""
    last = None
    for m in vocabulary()["grammar.negation"].finditer(sentence, 0, at + 1):
        last = m
    if last is None or _CONTRAST.search(sentence, last.end(), at) is not None:
        return False
    if last.group(0)[:7].lower() == "without" and _CLAUSE_MARK.search(sentence, last.end(), at):
        return _GERUND.match(sentence, at) is not None
    return True


def condition(pattern: re.Pattern[str], sentence: str, act: re.Match[str]) -> re.Match[str] | None:
    """The first match of a condition that is not the act itself ("hidden" is not its own condition)."""
    for m in pattern.finditer(sentence):
        if m.end() <= act.start() or m.start() >= act.end():
            return m
    return None


_FOR_PEOPLE = frozenset({"readme.md", "changelog.md", "contributing.md", "license.md", "security.md",
                         "code_of_conduct.md", "history.md", "news.md"})


def aimed_at_agent(path: str, followed: bool) -> bool:
    """Prose the agent may be told to follow: an instruction file (SKILL.md, commands, agents, CLAUDE.md …),
    a file an instruction file tells it to follow, or a supporting file of the package (references,
    templates, rules: the role of its findings decides what they weigh). READMEs, changelogs and docs/ are
    written for people and are not read for sabotage."""
    if followed or file_role(path)[0] == "agent-instruction":
        return True
    parts = path.lower().split("/")
    return parts[-1] not in _FOR_PEOPLE and "docs" not in parts[:-1] and "doc" not in parts[:-1]


def quoted(sentence: str, at: int) -> bool:
    """Is offset `at` inside a quotation (“…”, "…", 「…」), i.e. the act is mentioned, not asked for?"""
    for left, right in _QUOTES:
        if left == right:
            if sentence.count(left, 0, at) % 2 == 1 and sentence.find(right, at) >= 0:
                return True
            continue
        opened = sentence.rfind(left, 0, at)
        if opened >= 0 and sentence.rfind(right, opened, at) < 0 and sentence.find(right, at) >= 0:
            return True
    return False


def against_task(sentence: str, act: re.Match[str]) -> re.Match[str] | None:
    """A condition that sets the act against the task: unconditional, hidden, or beyond what the user asked."""
    return condition(vocabulary()["grammar.against_task"], sentence, act)


def stated_purpose_text(package: Package) -> str:
    """The package's name and the descriptions its manifest and SKILL.md frontmatter state, lowercase."""
    parts = [package.name]
    manifest = package.manifest if isinstance(package.manifest, dict) else {}
    for key in ("description", "displayName", "display_name", "title"):
        if isinstance(manifest.get(key), str):
            parts.append(manifest[key])
    for fm in (package.frontmatter or {}).values():
        if isinstance(fm, Frontmatter):
            parts += [str(fm.data[k]) for k in ("name", "description") if isinstance(fm.data.get(k), str)]
    return " ".join(parts)[:4000].lower()


@lru_cache(maxsize=64)
def coherent_kinds(name: str, family: str = "") -> tuple[str, ...]:
    """The purpose kinds (rules/purpose/kinds.yaml) that make a detector's act the task itself: `coherent_kinds`
    of rules/instructions/<name>.yaml — a list, or per `family` a mapping of lists (sabotage.yaml)."""
    spec = instruction_data(name).get("coherent_kinds")
    if family:
        spec = spec.get(family) if isinstance(spec, dict) else None
    if not isinstance(spec, list):
        raise TypeError(f"rules/instructions/{name}.yaml: `coherent_kinds{'.' + family if family else ''}` "
                        "must list purpose kinds")
    return known_ids(spec, f"rules/instructions/{name}.yaml")


def purpose_states(name: str, purpose: str, family: str = "") -> str | None:
    """The word of the stated purpose that makes this detector's act the task itself (one of its
    `coherent_kinds` stated there), or None. One vocabulary of purpose, one reader: skillscan/purpose/kinds.py."""
    return first_stated(coherent_kinds(name, family), purpose)


def coherent(family: str, purpose: str) -> str | None:
    """The word of the stated purpose that makes this sabotage family's act the task itself, if any."""
    return purpose_states("sabotage", purpose, family)
