"""The tail every sentence detector of prose shares: where the sentence sits (`where`: an HTML comment, text
the rendered document hides, the package's description), how it is cited (`cite`, `snippet`), and the
findings of one rule in one file (`reports`): at most the detector's cap, the last of them saying how many
more the cap left out, so a bound never drops a finding in silence.

A detector yields what it read (`Said`: the segment kind, the file line, what the instructions do, the
sentence) lazily; `reports` builds the findings of the first ones and only counts the rest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from skillscan.analyzers.base import finding, more_note
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.model import Channel, Confidence, Finding

MAX_REPORTS = 5  # findings of one rule per file, unless a detector sets its own: enough for a verdict
# segments a reader does not see: HTML comments, invisible Unicode Tag text (`hidden`), markup a rendered Markdown
# page hides (`hidden-html`: hidden elements, invisible images' text, link definitions used as comments) and
# text a LaTeX file hides when typeset (`hidden-latex`), prose encoded in package data (`hidden-data`: base64, hex
# or compressed runs a script decodes for the agent)
HIDDEN_KINDS = frozenset({"comment", "hidden", "hidden-html", "hidden-latex", "hidden-data"})
# segments read as sentences (tables are data, not directives); `mcp`: a tool, prompt or server description an
# MCP client shows the model
SENTENCE_KINDS = frozenset({"prose", "mcp"}) | HIDDEN_KINDS
# a segment kind, or "description" for the sentences of the frontmatter's description
_WHERE = {"comment": " (in an HTML comment)", "hidden": " (in text the rendered document hides)",
          "hidden-html": " (in markup the rendered page hides)",
          "hidden-latex": " (in text LaTeX markup hides from the typeset page)",
          "hidden-data": " (in prose encoded in package data)",
          "mcp": " (in an MCP tool, prompt or server description)",
          "description": " (in its description)"}


def where(kind: str) -> str:
    """Where a segment of this kind sits, as the words after "the instructions" in a message ("" for text a
    reader sees in the body)."""
    return _WHERE.get(kind, "")


def hidden(kind: str) -> bool:
    """Is a segment of this kind text the rendered document does not show (an HTML comment, hidden text)?"""
    return kind in HIDDEN_KINDS


def kind_at(doc: Document, line: int) -> str:
    """The kind of the hidden segment (an HTML comment, hidden text) whose text is on file line `line`, or ""
    when the line's text is not hidden: where a sentence sits when a detector knows only its line."""
    for seg in doc.segments:
        if seg.kind in HIDDEN_KINDS and seg.line <= line <= seg.line + seg.text.count("\n") \
                and seg.text.split("\n")[line - seg.line].strip():
            return seg.kind
    return ""


def confidence(kind: str, visible: Confidence | None, comment: Confidence | None = Confidence.HIGH
               ) -> Confidence | None:
    """The confidence of a finding on a segment of `kind`: `visible` in text a reader sees, `comment` in an HTML
    comment, high in other hidden text (LaTeX-hidden spans, hidden markup)."""
    return comment if kind == "comment" else Confidence.HIGH if kind in HIDDEN_KINDS else visible


def cite(text: str, limit: int = 160) -> str:
    """A sentence as it is cited in a message: whitespace folded, cut at `limit`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def snippet(doc: Document, line: int) -> str:
    return doc.lines[line - 1].strip()[:200] if 0 < line <= len(doc.lines) else ""


def line_of(seg: Segment, start: int, sentence: str, anchor: str = "") -> int:
    """The file line of `anchor` (the thing a message names) in the sentence at offset `start` of the
    segment's text, else of the sentence's start."""
    return seg.line_at(start + max(0, sentence.find(anchor) if anchor else 0))


@dataclass(frozen=True)
class Said:
    """What a detector read in one sentence: the kind of segment it sits in, the file line reported, what
    the instructions do (the words after "the instructions (where)"), the sentence cited ("" for none), and
    the confidence (None: the rule's)."""
    kind: str
    line: int
    says: str
    sentence: str = ""
    confidence: Confidence | None = None


def capped(found: list[Finding], more: int, limit: int) -> list[Finding]:
    """`found` with its last finding saying how many more the cap of `limit` left out (unchanged when none)."""
    if not more or not found:
        return found
    return found[:-1] + [replace(found[-1], message=found[-1].message + more_note(more, limit))]


def reports(doc: Document, rule_id: str, label: str, said: Iterable[Said], limit: int = MAX_REPORTS,
            found: Iterable[Finding] = ()) -> list[Finding]:
    """One finding of `rule_id` per sentence said, "<label>: the instructions<where> <says>: “<sentence>”", after
    the findings already `found` for the rule, at most `limit` in all; the rest are counted and the last
    finding says how many."""
    out = list(found)
    more = 0
    for s in said:
        if len(out) >= limit:
            more += 1
            continue
        quote = f": “{cite(s.sentence)}”" if s.sentence else ""
        out.append(finding(rule_id, f"{label}: the instructions{where(s.kind)} {s.says}{quote}", doc.path, s.line,
                           snippet=snippet(doc, s.line), channel=Channel.INSTRUCTION, confidence=s.confidence))
    return capped(out, more, limit)
