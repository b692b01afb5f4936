"""Outside guidance: prose that makes a document outside the package — at an absolute host path under a home
directory or a data/mount root (`/root/`, `/home/<user>/`, `/app/`, `/data/` …; the paths steering.py
recognises, not `/tmp/` nor a tool's own dot-directory) — guidance the agent is to take. One sentence of
prose aimed at the agent (not a prohibition) with (vocabulary in `rules/instructions/guidance.yaml`):

1. a path to a text document (.md, .txt, .rst) outside the package;
2. framed as guidance: a guidance noun just before it ("the local policy file `/x`", "the note `/x`") or
   just after it ("`/x` as the handoff note", "`/x` defines …");
3. a verb by which the agent takes it (read, use, consult, follow, apply; 阅读, 遵循 …).

The package does not ship that document and the user did not hand it over: whoever can write there writes
the agent's instructions (an indirect prompt injection). Evidence for review; in an HTML comment raised (medium), in other
hidden text high. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.steering import outside_files
from skillscan.model import Confidence, Finding

RULE_IDS: tuple[str, ...] = ("outside-guidance-instruction",)
MAX_REPORTS = 5  # per file: enough for a verdict
# an outside text document, dot-directories included (a tool's own `~/.config/x/notes.txt`)
_ANY_OUTSIDE = re.compile(r"(?<![\w.$}/])(?:~|/(?:root|home/[\w-]+|Users/[\w-]+|data|mnt|app|workspace|srv|opt|etc))"
                          r"(?:/[\w.@%+<>-]+)*/[\w@%+<>-][\w.@%+<>-]*\.(?:md|markdown|txt|rst)\b")
_BEFORE, _AFTER = 60, 80  # characters looked at on each side of the path for its framing


@dataclass(frozen=True)
class GuidanceWords:
    document_ext: re.Pattern[str]
    frame_before: re.Pattern[str]
    frame_after: re.Pattern[str]
    take: re.Pattern[str]
    over_user: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> GuidanceWords:
    return g.word_set(GuidanceWords, "guidance")


def guidance(sentence: str) -> tuple[str, str] | None:
    """(the outside document, the words that frame it as guidance) of a sentence, or None."""
    w = words()
    for m in outside_files(sentence):
        path = m.group(0)
        if not w.document_ext.search(path):
            continue
        frame = w.frame_before.search(sentence[max(0, m.start() - _BEFORE):m.start()]) or \
            w.frame_after.search(sentence[m.end():m.end() + _AFTER])
        if frame is None or not w.take.search(sentence) or g.negated(sentence, m.start()):
            continue
        return path, " ".join(frame.group(0).strip("`'\"() ").split())
    over = w.over_user.search(sentence)
    if over is not None and w.take.search(sentence):
        for m in _ANY_OUTSIDE.finditer(sentence):  # a tool's dot-directory too: the file outranks the user
            if not g.negated(sentence, m.start()):
                return m.group(0), " ".join(over.group(0).split())
    return None


def _told(sentence: str) -> g.Told | None:
    hit = guidance(sentence)
    if hit is None:
        return None
    path, frame = hit
    return g.Told(sentence.find(path) if path else 0,
                  f"make {path}, a document outside the package, guidance for the agent (“{frame}”)")


def outside_guidance(doc: Document) -> list[Finding]:
    return g.sentence_reports(doc, "outside-guidance-instruction", "Outside guidance", None, _told, MAX_REPORTS,
                              comment=Confidence.MEDIUM, within="/", raw=True)
