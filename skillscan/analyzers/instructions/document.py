"""A Markdown (or plain text) instruction document cut into segments with file line numbers.

markdown-it-py gives the block structure (headings, paragraphs, fences with their info string, HTML
blocks, tables, inline code, links); matching runs over the *normalised* lines of the same range, so a
match offset maps straight back to a file line. HTML comments are found over the whole text (block or
inline) and become their own segments, as does the frontmatter.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markdown_it import MarkdownIt

from skillscan.analyzers.normalize import Normalized, normalize
from skillscan.loaders.frontmatter import parse_frontmatter


def iter_comments(text: str) -> list[tuple[int, int, int]]:
    """(start, body start, end) of every `<!-- … -->`, in linear time (an unclosed comment ends the scan)."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            return out
        close = text.find("-->", start + 4)
        if close < 0:
            return out
        out.append((start, start + 4, close + 3))
        pos = close + 3


def blank_comments(text: str) -> str:
    """Comments replaced by their line breaks only (line numbers stay right)."""
    parts: list[str] = []
    pos = 0
    for start, _, end in iter_comments(text):
        parts.append(text[pos:start])
        parts.append("\n" * text.count("\n", start, end))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
MARKUP = str.maketrans({"*": " ", "`": " ", "~": " "})
MAX_MARKDOWN_CHARS = 2_000_000  # above this, paragraphs are cut on blank lines without a parser


@dataclass(frozen=True)
class Segment:
    kind: str  # prose | heading | fence | comment | table | html | frontmatter | hidden | mcp
    line: int  # 1-based file line of the first character of `text`
    text: str  # normalised matching text ("prose view": emphasis and code marks blanked)
    raw: str = ""  # normalised text without blanking (fence bodies, commands)
    info: str = ""  # fence info string
    heading: str = ""  # heading path of the section it sits in ("A > B")
    column: int = 1
    inline_code: tuple[tuple[int, str], ...] = ()  # (line, code) inside a paragraph
    links: tuple[tuple[int, str], ...] = ()  # (line, href)

    @cached_property
    def _newlines(self) -> list[int]:
        return [i for i, ch in enumerate(self.text) if ch == "\n"]

    def line_at(self, offset: int) -> int:
        return self.line + bisect_left(self._newlines, offset)


@dataclass(frozen=True)
class Section:
    heading: str
    level: int
    start: int  # 1-based first line (the heading line, or 1 for the preamble)
    end: int  # 1-based last line, inclusive
    path: str  # heading path "A > B"


@dataclass(frozen=True)
class Document:
    path: str
    normalized: Normalized
    lines: tuple[str, ...]  # normalised lines
    segments: tuple[Segment, ...]
    sections: tuple[Section, ...]
    frontmatter: dict[str, Any] = field(default_factory=dict)

    def section_text(self, section: Section) -> str:
        return "\n".join(self.lines[section.start - 1 : section.end]).translate(MARKUP)

    def section_view(self, section: Section) -> tuple[int, str]:
        """(first line, text) of a section's own content (up to its first sub-heading) together with its
        parent's own content and its ancestors' heading lines; other lines are blanked, so offsets still
        map to file lines. A lure worded in "## Prerequisites" and a payload under "### macOS" meet here,
        while unrelated sections of a long document do not."""
        keep: set[int] = set(range(section.start, self._direct_end(section) + 1))
        parent = self._parent(section)
        if parent is not None:
            keep |= set(range(parent.start, self._direct_end(parent) + 1))
        ancestor = parent
        while ancestor is not None:
            keep.add(ancestor.start)
            ancestor = self._parent(ancestor)
        first, last = min(keep), max(keep)
        text = "\n".join(self.lines[i - 1] if i in keep else "" for i in range(first, last + 1))
        # HTML comments are scanned as their own segments; blank them here, keeping line breaks
        text = blank_comments(text)
        return first, text.translate(MARKUP)

    @cached_property
    def _heading_starts(self) -> list[int]:
        return sorted(s.start for s in self.sections if s.heading)

    @cached_property
    def _parents(self) -> dict[int, Section | None]:
        """Heading line → enclosing section, by a stack walk over headings in order."""
        out: dict[int, Section | None] = {}
        stack: list[Section] = []
        for s in sorted((s for s in self.sections if s.heading), key=lambda s: s.start):
            while stack and stack[-1].level >= s.level:
                stack.pop()
            out[s.start] = stack[-1] if stack else None
            stack.append(s)
        return out

    def _direct_end(self, section: Section) -> int:
        starts = self._heading_starts
        i = bisect_right(starts, section.start)
        return starts[i] - 1 if i < len(starts) else len(self.lines)

    def _parent(self, section: Section) -> Section | None:
        return self._parents.get(section.start) if section.heading else None

    @cached_property
    def _headed(self) -> list[Section]:
        return sorted((s for s in self.sections if s.heading), key=lambda s: s.start)

    def heading_at(self, line: int) -> Section | None:
        """The innermost headed section containing `line`: the last heading at or above it."""
        headed = self._headed
        i = bisect_right([s.start for s in headed], line) - 1 if len(headed) < 64 else \
            bisect_right(self._heading_starts, line) - 1
        return headed[i] if i >= 0 else None

    def heading_path(self, line: int) -> str:
        section = self.heading_at(line)
        return section.path if section is not None else ""

    def previous_text(self, line: int, max_lines: int = 3) -> str:
        """The non-empty lines just above `line` (the sentence that introduces a fence)."""
        out: list[str] = []
        i = line - 2
        while i >= 0 and len(out) < max_lines:
            if self.lines[i].strip():
                out.append(self.lines[i])
            elif out:
                break
            i -= 1
        return "\n".join(reversed(out))


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _inline_parts(token: Any, first_line: int, lines: list[str]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    codes: list[tuple[int, str]] = []
    links: list[tuple[int, str]] = []
    span = lines[first_line - 1 : first_line - 1 + 200]

    def locate(needle: str) -> int:
        for i, text in enumerate(span):
            if needle and needle in text:
                return first_line + i
        return first_line

    for child in token.children or ():
        if child.type == "code_inline":
            codes.append((locate(child.content), child.content))
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            links.append((locate(href), href))
    return codes, links


def parse_document(path: str, text: str, *, markdown: bool = True) -> Document:
    norm = normalize(text)
    lines = norm.text.split("\n")
    fm = parse_frontmatter(norm.text) if markdown else None
    offset = 0
    frontmatter: dict[str, Any] = {}
    segments: list[Segment] = []
    if fm is not None and fm.present and not fm.error:
        frontmatter = fm.data
        offset = fm.body_line - 1
        for key, value in fm.data.items():
            if isinstance(value, str) and value.strip():
                segments.append(Segment("frontmatter", fm.key_lines.get(key, 1), value, value, heading=f"frontmatter:{key}"))
    body_lines = lines[offset:]
    sections: list[Section] = []
    if markdown and len(norm.text) <= MAX_MARKDOWN_CHARS:
        segments += _markdown_segments(body_lines, offset, lines, sections)
    else:
        segments += _paragraph_segments(body_lines, offset)
    if not sections or sections[0].start > offset + 1:
        first = sections[0].start - 1 if sections else len(lines)
        sections.insert(0, Section("", 0, offset + 1, max(offset + 1, first), ""))
    # every HTML comment's text at its own lines, everything else blank: one segment, exact line numbers
    hidden_lines: dict[int, list[str]] = {}
    line, counted = 1, 0
    for _start, body, end in iter_comments(norm.text):
        line += norm.text.count("\n", counted, body)
        counted = body
        for i, part in enumerate(norm.text[body : end - 3].split("\n")):
            hidden_lines.setdefault(line + i, []).append(part)
    if hidden_lines:
        first, last = min(hidden_lines), max(hidden_lines)
        inner = "\n".join(" ".join(hidden_lines.get(i, ())) for i in range(first, last + 1))
        segments.append(Segment("comment", first, inner.translate(MARKUP), inner))
    doc = Document(path, norm, tuple(lines), (), tuple(sections), frontmatter)
    with_headings = tuple(
        s if s.heading else Segment(s.kind, s.line, s.text, s.raw, s.info, doc.heading_path(s.line), s.column,
                                    s.inline_code, s.links)
        for s in segments
    )
    return Document(path, norm, tuple(lines), with_headings, tuple(sections), frontmatter)


def _paragraph_segments(body: list[str], offset: int) -> list[Segment]:
    out: list[Segment] = []
    start = None
    for i, line in enumerate(body + [""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            chunk = "\n".join(body[start:i])
            out.append(Segment("prose", offset + start + 1, chunk.translate(MARKUP), chunk))
            start = None
    return out


def _markdown_segments(body: list[str], offset: int, lines: list[str], sections: list[Section]) -> list[Segment]:
    tokens = _markdown().parse("\n".join(body))
    out: list[Segment] = []
    heads: list[tuple[int, int, str]] = []  # (level, line, title)
    pending_kind = ""
    pending_map: list[int] | None = None
    for tok in tokens:
        if tok.type in ("paragraph_open", "heading_open", "table_open") and tok.map:
            pending_kind = {"paragraph_open": "prose", "heading_open": "heading", "table_open": "table"}[tok.type]
            pending_map = tok.map
            if tok.type == "table_open":
                start, end = tok.map
                chunk = "\n".join(body[start:end])
                out.append(Segment("table", offset + start + 1, chunk.translate(MARKUP), chunk))
            if tok.type == "heading_open":
                heads.append((int(tok.tag[1:]), offset + tok.map[0] + 1, ""))
            continue
        if tok.type == "inline" and pending_map is not None and pending_kind in ("prose", "heading"):
            start, end = pending_map
            chunk = "\n".join(body[start:end])
            first = offset + start + 1
            codes, links = _inline_parts(tok, first, lines)
            out.append(Segment(pending_kind, first, chunk.translate(MARKUP), chunk,
                               inline_code=tuple(codes), links=tuple(links)))
            if pending_kind == "heading" and heads:
                level, line, _ = heads[-1]
                heads[-1] = (level, line, tok.content.strip())
            pending_map = None
            continue
        if tok.type in ("paragraph_close", "heading_close", "table_close"):
            pending_map = None
            continue
        if tok.type in ("fence", "code_block") and tok.map:
            start, end = tok.map
            body_start = start + 1 if tok.type == "fence" else start
            code_lines = body[body_start:end]
            if tok.type == "fence" and code_lines and code_lines[-1].strip().startswith(("```", "~~~")):
                code_lines = code_lines[:-1]
            code = "\n".join(code_lines)
            out.append(Segment("fence", offset + body_start + 1, code, code, info=(tok.info or "").strip()))
        elif tok.type == "html_block" and tok.map:
            start, end = tok.map
            chunk = blank_comments("\n".join(body[start:end]))
            if chunk.strip():
                out.append(Segment("html", offset + start + 1, chunk.translate(MARKUP), chunk))
    total = len(lines)
    stack: list[tuple[int, int, str, str]] = []  # (level, line, title, path) of open sections
    for level, line, title in heads:
        while stack and stack[-1][0] >= level:
            lv, ln, t, path = stack.pop()
            sections.append(Section(t, lv, ln, line - 1, path))
        path = " > ".join([x[2] for x in stack] + [title])
        stack.append((level, line, title, path))
    for lv, ln, t, path in stack:
        sections.append(Section(t, lv, ln, total, path))
    sections.sort(key=lambda s: s.start)
    return out
