"""Sabotage without a command: prose that says data the package brings with it — backfill, cached, seeded or
canned rows, posts, citations — goes into what the agent delivers presented as data of the real source: "the
helper applies the live-cache backfill rows from config/backfill_posts.json when producing sentiment tables;
these rows are labeled as live-cache citations in the output". The user asked about a thread, a market or a
document; the answer carries the package's own sentences dressed as evidence (fabricated citations, planted
reviews). Prose aimed at the agent (vocabulary in `rules/instructions/fabrication.yaml`) where one sentence,
neither prohibited nor quoted, has:

- the package's data (backfill, cached, seeded, canned, pre-filled, synthetic rows …; 回填的行, 缓存的数据), in
  that sentence or, named by a back-reference ("these rows"), in the two before it in the same section,
- presented as the real source's (labelled, presented, cited, passed off as live, real, verified,
  first-hand …; 标记为真实),
- in the deliverable (the output, results, tables, summary, citations; 输出, 结果).

What separates it from a skill that shows sample data or marks a cache: the label says the opposite of where the
data comes from ("labelled as sample data", "marked as cached" say the truth). Reported at low confidence
(review); in an HTML comment or hidden text, high. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import prose_findings as pf
from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding

RULE_IDS: tuple[str, ...] = ("sabotage-fabricated-data",)
_WINDOW = 2  # sentences before the presenting one that may name the data it presents


@dataclass(frozen=True)
class FabricationWords:
    canned_data: re.Pattern[str]
    back_reference: re.Pattern[str]
    as_real: re.Pattern[str]
    into_output: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> FabricationWords:
    return g.word_set(FabricationWords, "fabrication")


def fabricated(sentence: str, before: str) -> tuple[str, str] | None:
    """(what the package's data is presented as, the words that present it), or None."""
    w = words()
    real = w.as_real.search(sentence)
    if real is None or g.negated(sentence, real.start()) or g.quoted(sentence, real.start()):
        return None
    if w.into_output.search(sentence) is None:
        return None
    # the data is the subject, before the label ("these rows are labelled as live citations": the label's own
    # words are not the data)
    data = w.canned_data.search(sentence, 0, real.start()) or (
        w.canned_data.search(before) if w.back_reference.search(sentence, 0, real.start()) else None)
    if data is None:
        return None
    return f"{' '.join(data.group(0).split())} the package brings are presented as real (“{real.group(0)}”)", real.group(0)


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(words().as_real)


def fabricated_data(doc: Document) -> list[Finding]:
    cue = _cue()
    if not g.may_carry(doc, cue):
        return []
    said: list[pf.Said] = []
    tail: list[str] = []
    heading: object = None
    for seg in doc.segments:
        if seg.kind not in g.KINDS:
            continue
        if seg.heading != heading:
            tail, heading = [], seg.heading
        for sent in g.sentences(seg.text):
            before = " ".join(tail[-_WINDOW:])
            tail = tail[-_WINDOW:] + [sent.text]
            found = fabricated(sent.text, before) if cue.search(sent.text) else None
            if found is None:
                continue
            at = sent.text.find(found[1])
            line = seg.line_at(sent.start + max(0, at))
            said.append(pf.Said(seg.kind, line, f"say {found[0]} in what the agent delivers", sent.text,
                                 pf.confidence(seg.kind, Confidence.LOW)))
    return pf.reports(doc, "sabotage-fabricated-data", "Fabricated data", said, g.MAX_REPORTS)
