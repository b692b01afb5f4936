"""Trace removal told in prose: the skill says it erases the record of what it did — "automatic cleanup of
shell history", "scrubs the logs after the mission", "cover your tracks", "Trace Removal", "清除命令历史和
操作痕迹" — with no command (the commands themselves are shell-trace-removal, rules/capabilities/shell.yaml).

The structure is the evidence: a verb of erasing next to an object that is a record of activity (shell or
command history, audit/event/system/login logs, traces or tracks of the activity, forensic evidence), or
one of the nouns the act goes by ("trace removal", "anti-forensics", "log scrubbing"), in English or
Chinese. Not reported: a negated sentence ("never clear the user's history"), a sentence about noticing
the act (detect, alert, monitor, investigate), and housekeeping (disk space, rotation, retention, logs
older than N days). The vocabulary is data: rules/instructions/traces.yaml."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import capped, where
from skillscan.model import Channel, Finding

RULE_IDS: tuple[str, ...] = ("trace-removal-instruction",)

SEGMENTS = ("prose", "heading", "table", "html", "comment", "frontmatter")
MAX_REPORTS = 5  # per file: enough for a verdict
SENTENCE_END = re.compile(r"[.!?。！？;；\n]")
SENTENCE_MAX = 400  # characters either side of the act looked at for its sentence


# characters around an anchor word the act patterns look at (a verb a few words before the record)
BEFORE, AFTER = 80, 60


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = g.instruction_data("traces")
    return (re.compile(data["anchors"]), g.alternation(data["act"]), g.alternation(data["negated"]),
            g.alternation(data["excused"]))


def _acts(text: str, anchor: re.Pattern[str], act: re.Pattern[str]) -> list[re.Match[str]]:
    """The act's matches, looked for only around the anchor words: a case-blind alternation tried at every
    position of a long text costs seconds, the anchor scan (plain, on an ASCII-lower-cased copy of the same
    length, so offsets hold) a fraction of that."""
    spans: list[list[int]] = []  # the windows around the anchors, overlapping ones merged: each text part once
    for a in anchor.finditer(text.translate(_ASCII_LOWER)):
        lo, hi = max(0, a.start() - BEFORE), a.end() + AFTER
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [m for lo, hi in spans for m in act.finditer(text, lo, hi)]


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence (or line) around text[start:end]."""
    left = max((m.end() for m in SENTENCE_END.finditer(text, max(0, start - SENTENCE_MAX), start)),
               default=max(0, start - SENTENCE_MAX))
    right = SENTENCE_END.search(text, end, end + SENTENCE_MAX)
    return left, right.start() if right else min(len(text), end + SENTENCE_MAX)


def trace_removal(doc: Document) -> list[Finding]:
    anchor, act, negated, excused = _vocab()
    out: list[Finding] = []
    more = 0
    for seg in doc.segments:
        if seg.kind not in SEGMENTS:
            continue
        text = seg.text
        for m in _acts(text, anchor, act):
            left, right = _sentence(text, m.start(), m.end())
            if negated.search(text[left:m.start()]) or excused.search(text[left:right]):
                continue
            if len(out) >= MAX_REPORTS:
                more += 1
                continue
            line = seg.line + text.count("\n", 0, m.start())
            column = m.start() - text.rfind("\n", 0, m.start()) + (seg.column - 1 if line == seg.line else 0)
            quote = " ".join(m.group(0).split())
            out.append(finding(
                "trace-removal-instruction",
                f"the text{where(seg.kind)} says the skill erases a record of its activity: “{quote}” — the user could "
                "no longer see what ran",
                doc.path, line, column, snippet=doc.lines[line - 1].strip()[:200] if 0 < line <= len(doc.lines) else "",
                channel=Channel.INSTRUCTION,
            ))
    return capped(out, more, MAX_REPORTS)
