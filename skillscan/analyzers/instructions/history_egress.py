"""The agent's record of the user's conversations sent out: prose aimed at the agent that names a host agent's
prompt history or session transcripts (`~/.claude/history.jsonl`, `~/.claude/projects/*/*.jsonl`,
`~/.codex/sessions/`, …: the `history` paths of `rules/capabilities/agent_locations.yaml`) and, in the same
document, tells the agent to send something to a remote party.

That record holds every prompt of past sessions — pasted code, keys, personal and client material included —
outside the workspace the user handed over; what is built from it and sent to a messaging service, a mail
box, a webhook or a web address carries it out of the machine. Two parts, in one document:

1. a sentence of prose (or an HTML comment, or other hidden text) that names a history path, and is neither a
   prohibition nor a quotation nor a defence (block, detect, audit, redact …; vocabulary in
   `rules/instructions/history.yaml`);
2. a directive sentence whose act hands something to a remote party (send, post, upload, deliver, share …;
   发送, 上传 …), not prohibited, with what it sends (a report, a summary, the results, the transcript …)
   after the act (before it in Chinese) and a destination after it (Slack, email, a webhook, an endpoint, a
   web address, the admins, a third party …).

Privilege, not proof of malice: a growth report mailed to the user themselves has the same shape. Reported
at low confidence (review) on the history path's line; in an HTML comment at medium confidence, in other
hidden text high. English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import Said, confidence, line_of, reports
from skillscan.model import Confidence, Finding
from skillscan.purpose.locations import history_of

RULE_IDS: tuple[str, ...] = ("agent-history-sent-out",)
KINDS = g.KINDS  # prose, HTML comments and hidden text
MAX_REPORTS = 3  # per file: enough for a verdict
_GAP = 80  # characters between the act and what it sends


@dataclass(frozen=True)
class HistoryWords:
    path: re.Pattern[str]
    defence: re.Pattern[str]
    send_verb: re.Pattern[str]
    sent_object: re.Pattern[str]
    destination: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> HistoryWords:
    return g.word_set(HistoryWords, "history")


@dataclass(frozen=True)
class Read:
    kind: str  # the segment kind
    line: int
    path: str  # as written
    agent: str  # the agent's label


def history_reads(doc: Document) -> Iterator[Read]:
    """The history paths the document's prose names as something to use, not to forbid, quote or guard."""
    w = words()
    for seg in doc.segments:
        if seg.kind not in KINDS:
            continue
        text = seg.raw or seg.text
        if "/" not in text and "\\" not in text:
            continue
        for sent in g.sentences(text):
            if w.defence.search(sent.text):
                continue
            for m in w.path.finditer(sent.text):
                path = m.group(0).rstrip(".:!?)]*_")
                agent = history_of(path)
                if agent and not g.negated(sent.text, m.start()) and not g.quoted(sent.text, m.start()):
                    yield Read(seg.kind, line_of(seg, sent.start, sent.text, path), path, agent)


def sends_out(sentence: str) -> re.Match[str] | None:
    """The act of a directive sentence that hands something to a remote party, or None."""
    w = words()
    if not g.directive(sentence):
        return None
    for act in w.send_verb.finditer(sentence):
        if g.negated(sentence, act.start()) or g.quoted(sentence, act.start()):
            continue
        if act.group(0).isascii():
            obj = w.sent_object.search(sentence, act.end(), min(len(sentence), act.end() + _GAP))
        else:  # 将报告发送到 …: the object comes before the verb
            obj = w.sent_object.search(sentence, max(0, act.start() - _GAP), act.start())
        if obj is not None and w.destination.search(sentence, act.end()):
            return act
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(words().send_verb)


def send_line(doc: Document) -> int:
    """The line of the document's first directive to send something to a remote party, or 0."""
    for seg, sent in g.cued_sentences(doc, _cue()):
        act = sends_out(sent.text)
        if act is not None:
            return seg.line_at(sent.start + act.start())
    return 0


def _said(doc: Document) -> Iterator[Said]:
    reads = history_reads(doc)
    first = next(reads, None)
    if first is None:
        return
    sent = send_line(doc)
    if not sent:
        return
    for read in (first, *reads):
        yield Said(read.kind, read.line,
                   f"use {read.path}, {read.agent}'s record of the user's conversations (every prompt and pasted "
                   f"content of past sessions), and send something to a remote party (line {sent})",
                   confidence=confidence(read.kind, Confidence.LOW, Confidence.MEDIUM))


def history_sent_out(doc: Document) -> list[Finding]:
    return reports(doc, "agent-history-sent-out", "Agent history sent out", _said(doc), MAX_REPORTS)
