"""Hidden text: what an agent reads in a Markdown file but a rendered page does not show — HTML
comments (other than known tool directives and maintainer notes), elements hidden by an attribute or a
style (`<div hidden>`, `display:none`, `visibility:hidden`, zero font size or opacity), link reference
definitions used as comments (`[//]: # (…)`), the alt or title text of an invisible image, and the title of
a Markdown link or image (a tooltip at most).
`<details>` is not hidden: a reader opens it.

Two things come from it (DESIGN.md "Permit and decide": hidden text is judged as an agent instruction
under raised suspicion):
- `hidden-instruction`: hidden text that addresses the agent or tells it to act on the user, the
  conversation, its output, secrets or remote hosts — an imperative nobody reviewing the rendered page
  sees (`rules/instructions/hidden.yaml`);
- every prose detector runs on the hidden elements, link comments and image texts (HTML comments are
  already a segment of their own, `document.py`), and what they find is reported with raised confidence.

Text inside code fences is shown to the reader, so comments and elements there are not hidden."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document, Segment, iter_comments
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.analyzers.instructions.reporting import report
from skillscan.analyzers.roles import load_vocab
from skillscan.catalog import rules_dir
from skillscan.model import Channel, Confidence, Finding
from skillscan.ruledata import load_yaml_file

RULE_IDS: tuple[str, ...] = ("hidden-instruction",)
MAX_HIDDEN = 4000  # characters of one hidden element read (up to its closing tag)
MAX_TEXTS = 200  # hidden texts of one file read: each is read by every detector, and nested elements overlap
MAX_REPORTS = 10  # hidden-instruction findings per file: enough for a verdict
KINDS = {"comment": "an HTML comment", "element": "an element the page hides",
         "link-comment": "a link reference definition used as a comment", "image": "the text of an invisible image",
         "title": "the title of a link or image"}


@dataclass(frozen=True)
class Hidden:
    kind: str  # comment | element | link-comment | image | title
    line: int  # 1-based line of the first character of `text`
    column: int
    text: str


@dataclass(frozen=True)
class HiddenRead:
    texts: list[Hidden]  # at most MAX_TEXTS, in the order found
    left_out: int  # hidden texts past MAX_TEXTS, not read
    cut: tuple[int, ...]  # lines of hidden elements with no closing tag within MAX_HIDDEN, read that far only


@dataclass(frozen=True)
class HiddenWords:
    maintainer_note: re.Pattern[str]
    agent_address: re.Pattern[str]
    hidden_element: re.Pattern[str]
    link_comment: re.Pattern[str]
    invisible_image: re.Pattern[str]
    link_title: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> HiddenWords:
    data = load_yaml_file(rules_dir() / "instructions" / "hidden.yaml") or {}
    verbs = "(?:" + "|".join(data["agent_verb"]) + ")"
    verbs_zh = "(?:" + "|".join(data["agent_verb_zh"]) + ")"
    address = [p.replace("<<agent_verb>>", verbs).replace("<<agent_verb_zh>>", verbs_zh)
               for p in data["agent_address"]]
    flags = re.IGNORECASE | re.MULTILINE
    return HiddenWords(
        maintainer_note=re.compile("|".join(f"(?:{p})" for p in data["maintainer_note"]), flags),
        agent_address=re.compile("|".join(f"(?:{p})" for p in address), flags),
        hidden_element=re.compile(data["hidden_element"], re.IGNORECASE),
        link_comment=re.compile(data["link_comment"], re.IGNORECASE | re.MULTILINE),
        invisible_image=re.compile(data["invisible_image"], re.IGNORECASE),
        link_title=re.compile(data["link_title"]),
    )


def _fence_lines(doc: Document) -> set[int]:
    lines: set[int] = set()
    for s in doc.segments:
        if s.kind == "fence":
            lines.update(range(s.line - 1, s.line + s.raw.count("\n") + 2))
    return lines


class _Lines:
    """Line and column of offsets asked in ascending order (each pass restarts the cursor): linear in the
    text, and nothing is counted when a document has no hidden text at all."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1


# the last document read and its hidden texts: hidden_findings and hidden_sentences (hidden_sentences.py) both
# read them, one after the other, for the same document; a Document is frozen, so its read is a function of it
_last: list[tuple[Document, HiddenRead]] = []


def hidden_texts(doc: Document) -> HiddenRead:
    """The hidden texts of the document outside code fences, at their line and column: the first MAX_TEXTS,
    how many more there were, and which elements were cut at MAX_HIDDEN characters. Read once per document."""
    last = _last[-1] if _last else None  # one read of the entry (another thread may replace it meanwhile)
    if last is not None and last[0] is doc:
        return last[1]
    read = _hidden_texts(doc)
    _last[:] = [(doc, read)]
    return read


def _hidden_texts(doc: Document) -> HiddenRead:
    w = words()
    directive = load_vocab().directive_comment
    text = doc.normalized.text
    lines = _Lines(text)
    fenced = _fence_lines(doc)
    out: list[Hidden] = []
    cut: list[int] = []
    more = 0

    def keep(h: Hidden) -> None:
        nonlocal more
        if len(out) < MAX_TEXTS:
            out.append(h)
        else:
            more += 1

    for start, body, end in iter_comments(text):
        content = text[body : end - 3]
        line, col = lines.at(body)
        stripped = content.strip()
        if line in fenced or not stripped or w.maintainer_note.search(stripped) \
                or (directive.search(stripped) and "\n" not in stripped):
            continue
        keep(Hidden("comment", line, col, content))
    if "<" in text:
        for m in w.hidden_element.finditer(text):
            line, col = lines.at(m.end())
            if line in fenced:
                continue
            if len(out) >= MAX_TEXTS:  # past the bound: counted, not read
                more += 1
                continue
            close = re.search(rf"</{re.escape(m.group('tag'))}\s*>", text[m.end() : m.end() + MAX_HIDDEN],
                              re.IGNORECASE)
            inner = text[m.end() : m.end() + (close.start() if close else MAX_HIDDEN)]
            if inner.strip():
                if close is None and len(text) - m.end() > MAX_HIDDEN:
                    cut.append(line)
                keep(Hidden("element", line, col, re.sub(r"<[^>\n]{0,200}>", " ", inner)))
        for m in w.invisible_image.finditer(text):
            alt = m.group("a") if m.group("a") is not None else m.group("b") or ""
            line, col = lines.at(m.start())
            if alt.strip() and line not in fenced:
                keep(Hidden("image", line, col, alt))
    if "](" in text:
        for m in w.link_title.finditer(text):
            title = m.group("a") if m.group("a") is not None else m.group("b") or ""
            line, col = lines.at(m.start())
            if len(title.split()) >= 3 and line not in fenced:  # a sentence, not a label ("Docs", "npm version")
                keep(Hidden("title", line, col, title))
    if "]:" in text:
        for m in w.link_comment.finditer(text):
            value = next((g for g in (m.group("a"), m.group("b"), m.group("c")) if g is not None), "")
            line, col = lines.at(m.start())
            if value.strip() and line not in fenced:
                keep(Hidden("link-comment", line, col, value))
    return HiddenRead(out, more, tuple(cut))


def _pad(doc: Document, h: Hidden) -> Segment:
    """A segment whose text starts at the hidden text's line, so a match maps back to its own line."""
    kind = "comment" if h.kind == "comment" else "hidden-html"
    return Segment(kind, h.line, h.text, h.text, column=h.column)


def hidden_findings(doc: Document) -> list[Finding]:
    w = words()
    out: list[Finding] = []
    reported = more = last = 0
    read = hidden_texts(doc)
    for h in read.texts:
        if h.kind != "comment":  # comments are a segment of their own (document.py), analysed with the prose
            seg = _pad(doc, h)
            for kind in ("comment", "section"):
                for m in run_detectors(h.text, kind):
                    out += report(doc, seg, m, ref_file=False)
        m = w.agent_address.search(h.text)
        if m is None:
            continue
        if reported >= MAX_REPORTS:
            more += 1
            continue
        reported += 1
        last = len(out)
        line = h.line + h.text.count("\n", 0, m.start())
        quote = " ".join(h.text[max(0, m.start() - 40) : m.end() + 80].split())[:160]
        out.append(finding(
            "hidden-instruction",
            f"Hidden instruction to the agent: {KINDS[h.kind]}, which a rendered page does not show, "
            f"says “{quote}”",
            doc.path, line, h.column if line == h.line else 1,
            snippet=doc.lines[line - 1].strip()[:200] if 0 < line <= len(doc.lines) else quote,
            channel=Channel.INSTRUCTION, confidence=Confidence.MEDIUM,
        ))
    if more:  # the last hidden-instruction finding says how many more the cap left out
        out[last:last + 1] = capped(out[last:last + 1], more, MAX_REPORTS)
    return out + _bounds(doc, read)


def _bounds(doc: Document, read: HiddenRead) -> list[Finding]:
    """The bounds met while reading the hidden texts, as analysis-incomplete findings."""
    out: list[Finding] = []
    if read.left_out:
        line = read.texts[-1].line if read.texts else 1
        out.append(finding("analysis-incomplete", f"{doc.path}: only the first {MAX_TEXTS} of its "
                           f"{MAX_TEXTS + read.left_out} hidden texts (HTML comments, hidden elements, link comments, "
                           "invisible images' text) were read; the rest were not checked", doc.path, line,
                           channel=Channel.INSTRUCTION))
    if read.cut:
        out.append(finding("analysis-incomplete", f"{doc.path}: a hidden element at line {read.cut[0]} has no "
                           f"closing tag within {MAX_HIDDEN:,} characters; only those were read"
                           + (f" ({len(read.cut) - 1} more such elements)" if len(read.cut) > 1 else ""),
                           doc.path, read.cut[0], channel=Channel.INSTRUCTION))
    return out
