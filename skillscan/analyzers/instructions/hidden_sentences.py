"""Text a rendered Markdown page hides, read by every sentence detector (`sentence_detectors.py`) as hidden
text: elements hidden by an attribute or a style (`<div hidden>`, `display:none`, `font-size:0` …), the alt or
title text of an invisible image, link reference definitions used as comments (all found by `hidden.py`), and
invisible Unicode Tag text. HTML comments are segments of the document itself (`document.py`) and are read
with its prose; `<details>` is not hidden (a reader opens it) and neither is anything inside a code fence.

Each hidden text becomes a segment of a document of its own at the text's own line and column — `hidden-html`
(its findings say the sentence sits "in markup the rendered page hides") or `hidden` for Unicode Tag text —
so a finding cites the file line the sentence is on. Their findings take the role `hidden`: nobody reading the
rendered page sees the text, only the agent reading the source (DESIGN.md "Permit and decide": hidden text
is judged as an agent instruction under raised suspicion). The commands the hidden text gives — its code
spans, and the "run: …" sentences and command lines of hidden markup — go to the shell analyzer at the high
ceiling, so a detector that acts on a command's findings (`sabotage-secret-into-output`) reads them too. At
most MAX_TEXTS texts of MAX_CHARS characters
are read per file; past that bound the file is reported incomplete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.commands import commands_in, inline_commands
from skillscan.analyzers.instructions.document import Document, Segment, blank_markup
from skillscan.analyzers.instructions.hidden import hidden_texts
from skillscan.analyzers.instructions.markdown_inline import code_spans_on_lines
from skillscan.analyzers.instructions.sentence_detectors import sentence_findings
from skillscan.analyzers.instructions.unicode import has_hidden_chars
from skillscan.analyzers.normalize import normalize
from skillscan.model import Channel, Confidence, Finding, Package

MAX_TEXTS = 50  # hidden texts of one file read by the sentence detectors: enough for a verdict
MAX_CHARS = 4000  # characters of one hidden text read (an element is already read up to 4,000)


def hidden_segments(doc: Document, *, markup: bool = True) -> tuple[list[Segment], int, int]:
    """The hidden texts of the document other than HTML comments (`markup`: those of hidden markup too, else
    Unicode Tag text only), as segments at their own line and column, how many there were in all, and how
    many of those read were cut at MAX_CHARS."""
    segments: list[Segment] = []
    total = cut = 0
    for h in hidden_texts(doc).texts if markup else ():
        if h.kind == "comment":  # a segment of the document already
            continue
        total += 1
        if len(segments) < MAX_TEXTS:
            cut += len(h.text) > MAX_CHARS
            text = h.text[:MAX_CHARS]
            segments.append(Segment("hidden-html", h.line, blank_markup(text), text, column=h.column,
                                    inline_code=code_spans_on_lines(text, h.line)))
    for tag in doc.normalized.hidden:
        total += 1
        if len(segments) < MAX_TEXTS:
            cut += len(tag.text) > MAX_CHARS
            decoded = normalize(tag.text[:MAX_CHARS]).text
            segments.append(Segment("hidden", tag.line, decoded, decoded, column=tag.column,
                                    inline_code=code_spans_on_lines(decoded, tag.line)))
    return segments, total, cut


def tag_sentences(package: Package, path: str, text: str) -> list[Finding]:
    """The sentence detectors' findings in the Unicode Tag text of a file that is not read as instructions
    (source, configuration, data: a model reads Tag text wherever it sits), role `hidden`, with its bounds."""
    if not has_hidden_chars(text):
        return []
    norm = normalize(text)
    if not norm.hidden:
        return []
    return hidden_sentences(package, Document(path, norm, tuple(norm.text.split("\n")), (), ()), markup=False)


def hidden_sentences(package: Package, doc: Document, found: Sequence[Finding] = (), *,
                     aimed: bool = True, markup: bool = True) -> list[Finding]:
    """The sentence detectors' findings in the text the rendered document hides, each with the role `hidden`,
    and the report of the bound when the file holds more hidden texts than are read. `markup`: False for a
    file that is not Markdown (its Unicode Tag text only)."""
    segments, total, cut = hidden_segments(doc, markup=markup)
    if not segments:
        return []
    hidden_doc = replace(doc, segments=tuple(segments))
    lines = {n for s in segments for n in range(s.line, s.line + s.text.count("\n") + 1)}
    # the commands the hidden text gives (its code spans; "run: …" and command lines of hidden markup, and of
    # Tag text outside instruction files — the analyzer reads those of an instruction file's Tag text) go to the shell analyzer, so a sentence that acts on
    # their output is judged with them
    told = [f for s in segments for f in inline_commands(doc, s, Confidence.HIGH)
            + (commands_in(doc, s, s.raw, Confidence.HIGH, "prose") if s.kind == "hidden-html" or not markup else [])]
    prior = [f for f in found if f.location.line in lines] + told  # what was found on the hidden text itself
    out = [replace(f, role="hidden") if f.channel is Channel.INSTRUCTION else f
           for f in told + sentence_findings(package, hidden_doc, prior, aimed=aimed)]
    if total > len(segments):
        out.append(finding(
            "analysis-incomplete", f"{doc.path}: only the first {MAX_TEXTS} of its {total} texts a rendered page "
            "hides were read by the sentence detectors; the rest were not checked for them", doc.path,
            segments[-1].line, channel=Channel.INSTRUCTION))
    if cut:
        out.append(finding(
            "analysis-incomplete", f"{doc.path}: {cut} of the texts a rendered page hides were longer than "
            f"{MAX_CHARS:,} characters and were read by the sentence detectors that far only", doc.path,
            segments[0].line, channel=Channel.INSTRUCTION))
    return out
