"""Sabotage without a command: prose that has the agent carry text of its inputs into what it delivers without
the check that text would otherwise get. Text inside a document, a transcript or a data field is where
injected instructions sit; a skill that makes the agent hand it on unexamined makes the agent their carrier.
Two structures, in prose aimed at the agent (vocabulary in `rules/instructions/relay.yaml`):

1. directives relayed: a sentence that carries something (add, carry forward, preserve, keep …; 加入, 保留 …)
   into the deliverable (in the summary, under a section, in the final package; 摘要中 …), not prohibited nor
   quoted, whose object is instruction-like content of the inputs — policy or handling lines, override
   notes, expression markers a template engine runs, hinted names a parser is told to keep (策略行, 表达式标记)
   — named in the sentence or in the two before it ("those lines"), where that text is said to come from the
   inputs ("if the scene file starts with …", "exporters mark …", "when present"; 如果输入包含 …); or, in
   place of the instruction-like noun, the check skipped said outright ("even when they look like hidden
   instrumentation", "not as typos to normalize away");
2. normalisation switched off: a prohibited normalisation (do not normalize, sanitize, escape, transliterate,
   strip; 不要规范化, 不要转义) of the characters that hide text from people (Unicode characters, character
   encoding, zero-width, control or bidi characters, homoglyphs) in a sentence that hands the text on
   (return, extract, exactly as stored, verbatim; 原样返回). A package whose subject is the characters (an
   encoding, font, i18n or translation tool; a prompt-injection scanner) gets no finding for this one.

What separates these from a faithful transcript or an i18n skill that keeps `{{name}}` placeholders: the
object is content that instructs (policy lines, override notes, executable expressions) or characters that
hide, not speaker labels or placeholders; and it arrives in the inputs, not from the user's request.
Reported at low confidence (review); in an HTML comment or hidden text, high. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import prose_findings as pf
from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-input-relay",)
_WINDOW = 2  # sentences before the relaying one that may name what it carries
_GAP = 60  # characters between a prohibited normalisation and the characters it names
# a relaying act in the imperative the grammar's directive list does not cover: "…, parse X and preserve them"
_IMPERATIVE = re.compile(r"(?:^|[,;:]\s*|\b(?:and|then)\s+)(?:preserve|retain|carry|reproduce|emit|attach)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class RelayWords:
    relay_verb: re.Pattern[str]
    output_place: re.Pattern[str]
    input_directive: re.Pattern[str]
    back_reference: re.Pattern[str]
    from_input: re.Pattern[str]
    despite_look: re.Pattern[str]
    sanitize_verb: re.Pattern[str]
    character_object: re.Pattern[str]
    handed_on: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> RelayWords:
    return g.word_set(RelayWords, "relay")


@dataclass(frozen=True)
class Relay:
    what: str  # what the agent is told to do, for the message
    anchor: str  # the words of the sentence the finding's line is taken from


def directives_relayed(sentence: str, before: str) -> Relay | None:
    """Structure 1: instruction-like text of the inputs carried into the deliverable (`before`: the sentences
    shortly before, which may name what "those lines" are and where they come from)."""
    w = words()
    place = w.output_place.search(sentence)
    if place is None:
        return None
    act = next((m for m in w.relay_verb.finditer(sentence)
                if not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start())), None)
    if act is None:
        return None
    here = w.input_directive.search(sentence)
    named = here or (w.input_directive.search(before) if w.back_reference.search(sentence) else None)
    despite = w.despite_look.search(sentence) or w.despite_look.search(before)
    if named is None and despite is None:
        return None
    source = w.from_input.search(sentence) or w.from_input.search(before)
    if source is None:
        return None
    thing = named.group(0) if named is not None else "text of its inputs"
    why = f"“{despite.group(0)}”" if despite is not None else f"“{source.group(0)}”"
    return Relay(f"carry {thing} found in its inputs into what it delivers (“{act.group(0)}”, {why})",
                 act.group(0))


def normalisation_off(sentence: str) -> Relay | None:
    """Structure 2: the normalisation of characters that hide text switched off for text handed on."""
    w = words()
    if w.handed_on.search(sentence) is None:
        return None
    for verb in w.sanitize_verb.finditer(sentence):
        if not g.negated(sentence, verb.start()) or g.quoted(sentence, verb.start()):
            continue
        obj = w.character_object.search(sentence, max(0, verb.start() - _GAP), min(len(sentence), verb.end() + _GAP))
        if obj is not None:
            return Relay(f"hand on the text of its inputs without the normalisation of {obj.group(0)} "
                         f"(“{verb.group(0)}” prohibited)", verb.group(0))
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    w = words()
    return g.union(w.input_directive, w.despite_look, w.sanitize_verb)


def input_relay(package: Package, doc: Document) -> list[Finding]:
    chars_subject = g.purpose_states("relay", g.stated_purpose_text(package)) is not None
    cue = _cue()
    if not g.may_carry(doc, cue):
        return []
    said: list[pf.Said] = []
    tail: list[str] = []  # the last sentences read in the same section: "those lines" may point back there
    heading: object = None
    for seg in doc.segments:
        if seg.kind not in g.KINDS:
            continue
        if seg.heading != heading:
            tail, heading = [], seg.heading
        sents = g.sentences(seg.text)
        if not cue.search(seg.text) and not any(cue.search(t) for t in tail):
            tail = [s.text for s in sents[-_WINDOW:]]
            continue
        for sent in sents:
            before = " ".join(tail[-_WINDOW:])
            tail = tail[-_WINDOW:] + [sent.text]
            if not (cue.search(sent.text) or cue.search(before)) or not (
                    g.directive(sent.text) or _IMPERATIVE.search(sent.text)):
                continue
            found = directives_relayed(sent.text, before) or (None if chars_subject else normalisation_off(sent.text))
            if found is None:
                continue
            at = sent.text.find(found.anchor)
            line = seg.line_at(sent.start + max(0, at))
            said.append(pf.Said(seg.kind, line, f"tell the agent to {found.what}", sent.text,
                                 pf.confidence(seg.kind, Confidence.LOW)))
    return pf.reports(doc, "sabotage-input-relay", "Input relayed unexamined", said, g.MAX_REPORTS)
