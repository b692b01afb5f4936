"""Record tampering: prose that makes the record a reviewer relies on false. One sentence of prose aimed at
the agent (not a quotation) with one of two structures (vocabulary in `rules/instructions/records.yaml`):

1. keeping out: a negated keeping act (do not preserve / retain / record; 不要保留) + the evidence a
   reviewer needs (revisions, corrections, conflicts, history, validation, audits, miss logs …) + a record
   that is there for review (a reviewer trace, an audit trail, a review bundle or manifest; 审计日志) — the
   review sees the first result and not what contradicted it;
2. claiming: an act that records (keep, list, record, include …) + a record of the tools used
   (`tool_called`, tools used, invocation log) + a counterfactual condition (even if, regardless of,
   whether or not; 即使) — a tool or skill is reported as used although it was not, or its result was
   rejected.

A package whose own purpose is redaction or log minimisation gives the first structure a reason (its
stated purpose names it) and gets no finding for it. Evidence for review; in an HTML comment raised (medium), in other hidden text high.
English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.literal_gate import Gate, fold, gate
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("record-tampering-instruction",)
MAX_REPORTS = 5  # per file: enough for a verdict
_OBJECT = 40  # characters after the act read for its object when the record is named before the act


@dataclass(frozen=True)
class RecordWords:
    keep_verb: re.Pattern[str]
    keep_negation: re.Pattern[str]
    evidence: re.Pattern[str]
    review_record: re.Pattern[str]
    claim_verb: re.Pattern[str]
    usage_record: re.Pattern[str]
    counterfactual: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> RecordWords:
    return g.word_set(RecordWords, "records")


@dataclass(frozen=True)
class Tamper:
    anchor: str  # the words the finding is placed on
    what: str  # what the sentence does to the record


def _kept_out(sentence: str, w: RecordWords) -> Tamper | None:
    for verb in w.keep_verb.finditer(sentence):
        neg = w.keep_negation.search(sentence[max(0, verb.start() - 24):verb.start()])
        if neg is None:
            continue
        record = w.review_record.search(sentence)
        if record is None or g.quoted(sentence, verb.start()):
            continue
        # the object of the act: between it and the record ("preserve X in the trace"), or just after it
        # when the record comes first ("在审计日志中保留X")
        end = record.start() if record.start() >= verb.end() else min(len(sentence), verb.end() + _OBJECT)
        evidence = w.evidence.search(sentence, verb.end(), end)
        if evidence is None:
            continue
        return Tamper(record.group(0), f"keep {' '.join(evidence.group(0).split())} out of "
                                       f"{' '.join(record.group(0).split())}")
    return None


def _claimed(sentence: str, w: RecordWords) -> Tamper | None:
    record = w.usage_record.search(sentence)
    if record is None or w.claim_verb.search(sentence) is None:
        return None
    cond = w.counterfactual.search(sentence)
    if cond is None or g.quoted(sentence, record.start()) or g.negated(sentence, record.start()):
        return None
    return Tamper(record.group(0), f"keep a tool in the record of tools used ({record.group(0)}) under a "
                                   f"counterfactual condition (“{' '.join(cond.group(0).split())}”)")


def tampered(sentence: str, privacy_purpose: bool = False) -> Tamper | None:
    """What a sentence does to a review or usage record, or None."""
    w = words()
    # each act needs a record named in the sentence (and a claim a counterfactual): a sentence holding none of
    # the words every match of those holds is not read further (literal_gate.py)
    low = fold(sentence)
    review, counterfactual, usage = _gates()
    kept = None if privacy_purpose or not review.may_match(low) else _kept_out(sentence, w)
    if kept is not None or not counterfactual.may_match(low) or not usage.may_match(low):
        return kept
    return _claimed(sentence, w)


@lru_cache(maxsize=1)
def _gates() -> tuple[Gate, Gate, Gate]:
    w = words()
    return gate(w.review_record), gate(w.counterfactual), gate(w.usage_record)


def record_tampering(package: Package, doc: Document) -> list[Finding]:
    privacy = g.purpose_states("records", g.stated_purpose_text(package)) is not None

    def told(sentence: str) -> g.Told | None:
        hit = tampered(sentence, privacy)
        return None if hit is None else g.Told(sentence.find(hit.anchor) if hit.anchor else 0, hit.what)

    return g.sentence_reports(doc, "record-tampering-instruction", "Record tampering", None, told, MAX_REPORTS,
                              comment=Confidence.MEDIUM, raw=True)
