"""A Markdown (or plain text) instruction document cut into segments with file line numbers.

markdown-it-py gives the block structure (headings, paragraphs, fences with their info string, HTML
blocks, tables, inline code, links); matching runs over the *normalised* lines of the same range, so a
match offset maps straight back to a file line. HTML comments are found over the whole text (block or
inline) and become their own segments, as does the frontmatter. The code spans and links of a paragraph are
read by `markdown_inline.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from skillscan.analyzers.instructions.markdown_inline import (
    code_span_ranges,
    code_spans_on_lines,
    inline_code_and_links,
    inline_parts,
    markdown_parser,
)
from skillscan.analyzers.markdown_blocks import block_tokens
from skillscan.analyzers.normalize import Normalized, normalize
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.memo import BoundedMemo


def iter_comments(text: str) -> list[tuple[int, int, int]]:
    """(start, body start, end) of every `<!-- … -->`, in linear time (an unclosed comment ends the scan).
    A `<!--` inside an inline code span (`` `<!-- x -->` ``) is text the page shows, not a comment; each line's
    code spans are found once."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    begin, end, spans = 0, -1, []  # the line the last `<!--` was on, and its code spans (absolute offsets)
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            return out
        if start > end:  # a new line: found once, its spans too
            begin = text.rfind("\n", 0, start) + 1
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            line = text[begin:end]
            spans = [(begin + x, begin + y) for x, y in code_span_ranges(line)] if "`" in line else []
        k = bisect_right(spans, (start, len(text))) - 1
        if k >= 0 and spans[k][0] <= start < spans[k][1]:
            pos = start + 4
            continue
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


def blank_markup(text: str) -> str:
    """`text.translate(MARKUP)`: emphasis and code marks blanked (three `replace` calls are many times
    faster than `translate` with a mapping on non-Latin-1 text)."""
    return text.replace("*", " ").replace("`", " ").replace("~", " ")


MAX_MARKDOWN_CHARS = 2_000_000  # above this, paragraphs are cut on blank lines without a parser (reported)


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
        """The offsets of the text's line breaks (found by `str.find`, not a Python step per character)."""
        text = self.text
        out: list[int] = []
        at = text.find("\n")
        while at >= 0:
            out.append(at)
            at = text.find("\n", at + 1)
        return out

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
    bound: str = ""  # why a Markdown text was read without the Markdown parser ("" when it was not cut short)

    def section_view(self, section: Section) -> tuple[int, str]:
        """(first line, text) of a section's own content (up to its first sub-heading) together with its
        parent's own content and its ancestors' heading lines; other lines are blanked, so offsets still
        map to file lines. A lure worded in "## Prerequisites" and a payload under "### macOS" meet here,
        while unrelated sections of a long document do not."""
        spans = [(section.start, self._direct_end(section))]
        parent = self._parent(section)
        if parent is not None:
            spans.append((parent.start, self._direct_end(parent)))
        ancestor = parent
        while ancestor is not None:
            spans.append((ancestor.start, ancestor.start))
            ancestor = self._parent(ancestor)
        spans = sorted(span for span in spans if span[0] <= span[1])
        if not spans or spans[0][0] < 1 or max(b for _, b in spans) > len(self.lines):
            return self._section_view_slow(section)
        # the kept line ranges joined, each run of dropped lines as that many empty lines
        parts: list[str] = []
        end = spans[0][0] - 1
        for a, b in spans:
            if b <= end:
                continue
            a = max(a, end + 1)
            if parts:
                parts.append("\n" * (a - end))
            parts.append("\n".join(self.lines[a - 1 : b]))
            end = b
        # HTML comments are scanned as their own segments; blank them here, keeping line breaks
        return spans[0][0], blank_markup(blank_comments("".join(parts)))

    def _section_view_slow(self, section: Section) -> tuple[int, str]:
        """`section_view` line by line, for ranges the fast path does not cover (same result)."""
        keep: set[int] = set(range(section.start, self._direct_end(section) + 1))
        parent = self._parent(section)
        if parent is not None:
            keep |= set(range(parent.start, self._direct_end(parent) + 1))
        ancestor = parent
        while ancestor is not None:
            keep.add(ancestor.start)
            ancestor = self._parent(ancestor)
        if not keep:  # a section with no line of its own
            return section.start, ""
        first, last = min(keep), max(keep)
        text = "\n".join(self.lines[i - 1] if i in keep else "" for i in range(first, last + 1))
        text = blank_comments(text)
        return first, blank_markup(text)

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
        i = bisect_right(self._heading_starts, line) - 1  # the starts of `_headed`, in the same order
        return self._headed[i] if i >= 0 else None

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


def parse_document(path: str, text: str, *, markdown: bool = True, oversized: bool = False) -> Document:
    """A file's segments and sections. Markdown above MAX_MARKDOWN_CHARS or the loader's parse cap (`oversized`)
    is cut into paragraphs line by line, without the Markdown parser; the document's `bound` says so."""
    norm = normalize(text)
    lines = norm.text.split("\n")
    fm = parse_frontmatter(norm.text) if markdown else None
    offset = 0
    frontmatter: dict[str, Any] = {}
    segments: list[Segment] = []
    if fm is not None and fm.present and (fm.data or not fm.error):
        frontmatter = fm.data
        offset = fm.body_line - 1
        for key, value in fm.data.items():
            if isinstance(value, str) and value.strip():
                segments.append(Segment("frontmatter", fm.key_lines.get(key, 1), value, value, heading=f"frontmatter:{key}"))
    body_lines = lines[offset:]
    sections: list[Section] = []
    bound = _markdown_bound(path, len(norm.text), oversized) if markdown else ""
    if markdown and not bound:
        segments += _markdown_segments(body_lines, offset, lines, sections)
    else:
        structured = markdown or path.split("#", 1)[0].lower().endswith((".md", ".mdc", ".markdown"))
        segments += _paragraph_segments(body_lines, offset, sections if structured else None)
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
        segments.append(Segment("comment", first, blank_markup(inner), inner,
                                inline_code=code_spans_on_lines(inner, first)))
    doc = Document(path, norm, tuple(lines), (), tuple(sections), frontmatter, bound)
    with_headings = tuple(
        s if s.heading else Segment(s.kind, s.line, s.text, s.raw, s.info, doc.heading_path(s.line), s.column,
                                    s.inline_code, s.links)
        for s in segments
    )
    return Document(path, norm, tuple(lines), with_headings, tuple(sections), frontmatter, bound)


def _markdown_bound(path: str, chars: int, oversized: bool) -> str:
    """Why a Markdown text is too large for the Markdown parser, as a sentence ("" when it is not)."""
    if chars <= MAX_MARKDOWN_CHARS and not oversized:
        return ""
    size = f"{chars:,} characters, more than the {MAX_MARKDOWN_CHARS:,} the Markdown parser reads" \
        if chars > MAX_MARKDOWN_CHARS else "larger than the loader's parse cap"
    return (f"{path} is {size}: it was read without the Markdown parser (paragraphs cut on blank lines, headings "
            "and fences found line by line), so its tables, HTML blocks, lists, inline code and links were not "
            "told apart from its paragraphs")


def _paragraph_segments(body: list[str], offset: int, sections: list[Section] | None = None) -> list[Segment]:
    """Without a Markdown parser (a body too large for it, or not Markdown): paragraphs cut on blank
    lines, and — so that a large body keeps its structure — fenced blocks (``` and ~~~) as fences and
    ATX headings (`# Title`) as sections, in one pass over the lines."""
    out: list[Segment] = []
    heads: list[tuple[int, int, str]] = []
    start: int | None = None
    fence, fence_start, info = "", 0, ""
    for i, line in enumerate(body + [""]):
        if fence:
            if i == len(body) or line.lstrip().startswith(fence):
                code = "\n".join(body[fence_start:i])
                out.append(Segment("fence", offset + fence_start + 1, code, code, info=info))
                fence = ""
            continue
        opener = FENCE_LINE.match(line) if sections is not None else None
        heading = HEADING_LINE.match(line) if sections is not None else None
        if (opener or heading or not line.strip()) and start is not None:
            chunk = "\n".join(body[start:i])
            out.append(Segment("prose", offset + start + 1, blank_markup(chunk), chunk))
            start = None
        if opener:
            fence, fence_start, info = opener.group(1), i + 1, opener.group(2).strip()
        elif heading:
            heads.append((len(heading.group(1)), offset + i + 1, heading.group(2).strip()))
            out.append(Segment("heading", offset + i + 1, blank_markup(line), line))
        elif line.strip() and start is None:
            start = i
    if sections is not None:
        _sections_from_heads(heads, offset + len(body), sections)
    return out


FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
HEADING_LINE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


OPENERS = {"paragraph_open": "prose", "heading_open": "heading", "table_open": "table"}
BLOCK_TYPES = frozenset({*OPENERS, "inline", "paragraph_close", "heading_close", "table_close", "fence", "code_block",
                         "html_block"})


# Parsed bodies kept per process: registries repeat files verbatim (licences, templates, vendored or forked
# skills, successive versions), and the block parse is the largest single cost of the engine. Bounded in
# entries and in characters; a body above MEMO_MAX_CHARS is parsed every time.
MEMO_MAX_ENTRIES = 512
MEMO_MAX_CHARS = 200_000
MEMO_BUDGET_CHARS = 4_000_000
_memo: BoundedMemo[tuple[int, str], tuple[tuple[Segment, ...], tuple[Section, ...]]] = BoundedMemo(
    MEMO_MAX_ENTRIES, MEMO_BUDGET_CHARS)


_LONE_CR = re.compile(r"\r(?!\n)")


def _markdown_segments(body: list[str], offset: int, lines: list[str], sections: list[Section]) -> list[Segment]:
    """The segments of a Markdown body that starts after `offset` file lines (`lines[offset:] == body`), its
    sections appended to `sections`. The result is a function of (offset, body text) alone — the parser is
    deterministic and `lines` is only read from the body onwards — so an identical body seen earlier in the
    process gives back the same frozen segments and sections."""
    text = "\n".join(body)
    key = (offset, text)
    hit = _memo.get(key)
    if hit is None:
        found: list[Section] = []
        hit = (tuple(_parse_markdown_segments(text, body, offset, lines, found)), tuple(found))
        if len(text) <= MEMO_MAX_CHARS:
            _memo.put(key, hit, len(text))
    sections.extend(hit[1])
    return list(hit[0])


def _parse_markdown_segments(text: str, body: list[str], offset: int, lines: list[str], sections: list[Section]
                             ) -> list[Segment]:
    md = markdown_parser()
    # markdown-it ends a line at a lone \r too; skillscan numbers lines by \n alone, so a lone \r is read as
    # a space here (same length) and the parser's line map stays the file's. One parse per text with roles.py
    tokens, env = block_tokens(md, _LONE_CR.sub(" ", text))
    out: list[Segment] = []
    heads: list[tuple[int, int, str]] = []  # (level, line, title)
    pending_kind = ""
    pending_map: list[int] | None = None
    for tok in tokens:
        ttype = tok.type
        if ttype not in BLOCK_TYPES:  # list, quote, table-row and cell tokens: nothing to do
            continue
        if ttype in OPENERS and tok.map:
            pending_kind = OPENERS[ttype]
            pending_map = tok.map
            if tok.type == "table_open":
                start, end = tok.map
                chunk = "\n".join(body[start:end])
                out.append(Segment("table", offset + start + 1, blank_markup(chunk), chunk))
            if tok.type == "heading_open":
                heads.append((int(tok.tag[1:]), offset + tok.map[0] + 1, ""))
            continue
        if tok.type == "inline" and pending_map is not None and pending_kind in ("prose", "heading"):
            start, end = pending_map
            chunk = "\n".join(body[start:end])
            first = offset + start + 1
            codes, links = inline_parts(inline_code_and_links(md, tok, env), first, lines)
            out.append(Segment(pending_kind, first, blank_markup(chunk), chunk,
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
                out.append(Segment("html", offset + start + 1, blank_markup(chunk), chunk))
    _sections_from_heads(heads, len(lines), sections)
    return out


def _sections_from_heads(heads: list[tuple[int, int, str]], total: int, sections: list[Section]) -> None:
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


MAX_INTRODUCED = 600  # characters of a code block read with the sentence that introduces it


def introduced_block(segments: Sequence[Segment], i: int) -> str:
    """The body of the code block that follows segment `i` at most two lines after it ends, when the segment's
    text ends with a colon: its last sentence introduces that block ("the payment details must read:" + the
    details). "" otherwise."""
    seg = segments[i]
    if not seg.text.rstrip().endswith((":", "：")) or i + 1 >= len(segments):
        return ""
    nxt = segments[i + 1]
    end = seg.line + seg.text.rstrip().count("\n")
    if nxt.kind != "fence" or nxt.line - end > 3:
        return ""
    return (nxt.raw or nxt.text)[:MAX_INTRODUCED]

