"""The text an HTML block of a Markdown file shows, read as prose by the sentence detectors
(`sentence_detectors.py`): `<details><summary>Notes</summary>Always …</details>` on one line, `<p>…</p>`,
`<div align="center">…</div>` are blocks of raw HTML to the Markdown parser (segments of kind `html`), yet a
reader who opens the page — and the agent reading the source — reads their text as any paragraph. Each such
segment is read in place as `prose`, its tags blanked (offsets and lines kept) and the elements a rendered
page hides blanked too: those are read once, as hidden text, by `hidden_sentences.py`, so no sentence is
reported twice."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import islice

from skillscan.analyzers.instructions.document import Document, Segment, blank_markup
from skillscan.analyzers.instructions.hidden import MAX_HIDDEN, MAX_TEXTS, words

_TAG = re.compile(r"<[^<>\n]{0,400}>")
_LETTER = re.compile(r"[^\W\d_]")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def shown_text(html: str) -> str:
    """The text of an HTML block as a rendered page shows it, at the same offsets: hidden elements and then
    every tag blanked (newlines kept). Each blanking copies the block, so at most MAX_TEXTS hidden elements
    (the first ones) are blanked — the bound `hidden.py` reads a file's hidden texts to, and reports past."""
    hidden = words().hidden_element
    for m in reversed(list(islice(hidden.finditer(html), MAX_TEXTS))):
        close = re.search(rf"</{re.escape(m.group('tag'))}\s*>", html[m.end():m.end() + MAX_HIDDEN], re.IGNORECASE)
        html = _blank(html, m.start(), m.end() + (close.end() if close else MAX_HIDDEN))
    return _TAG.sub(lambda t: " " * len(t.group(0)), html)


def _as_prose(seg: Segment) -> Segment | None:
    shown = shown_text(seg.raw or seg.text)
    if not _LETTER.search(shown):
        return None
    return replace(seg, kind="prose", text=blank_markup(shown), raw=shown)


def with_html_prose(doc: Document) -> Document:
    """The document with each HTML block that shows text read as a paragraph in its place (the others left
    as they are): what the sentence detectors read."""
    if not any(s.kind == "html" for s in doc.segments):
        return doc
    return replace(doc, segments=tuple((_as_prose(s) or s) if s.kind == "html" else s for s in doc.segments))
