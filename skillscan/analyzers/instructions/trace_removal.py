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
from skillscan.model import Channel, Finding

RULE_IDS: tuple[str, ...] = ("trace-removal-instruction",)

SEGMENTS = ("prose", "heading", "table", "html", "comment", "frontmatter")
MAX_REPORTS = 5  # per file: enough for a verdict
SENTENCE_END = re.compile(r"[.!?。！？;；\n]")


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = g.instruction_data("traces")
    return g.alternation(data["act"]), g.alternation(data["negated"]), g.alternation(data["excused"])


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence (or line) around text[start:end]."""
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right = SENTENCE_END.search(text, end)
    return left, right.start() if right else len(text)


def trace_removal(doc: Document) -> list[Finding]:
    act, negated, excused = _vocab()
    out: list[Finding] = []
    for seg in doc.segments:
        if seg.kind not in SEGMENTS or len(out) >= MAX_REPORTS:
            continue
        text = seg.text
        for m in act.finditer(text):
            left, right = _sentence(text, m.start(), m.end())
            if negated.search(text[left:m.start()]) or excused.search(text[left:right]):
                continue
            line = seg.line + text.count("\n", 0, m.start())
            column = m.start() - text.rfind("\n", 0, m.start()) + (seg.column - 1 if line == seg.line else 0)
            quote = " ".join(m.group(0).split())
            out.append(finding(
                "trace-removal-instruction",
                f"the text says the skill erases a record of its activity: “{quote}” — the user could no longer "
                "see what ran",
                doc.path, line, column, snippet=doc.lines[line - 1].strip()[:200] if 0 < line <= len(doc.lines) else "",
                channel=Channel.INSTRUCTION,
            ))
            if len(out) >= MAX_REPORTS:
                break
    return out
