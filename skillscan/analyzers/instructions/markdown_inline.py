"""The inline parts of Markdown a document's segments keep: the block parser (`markdown_parser`) and, for one
inline token, its code spans and link targets (`inline_code_and_links`) with the file line each sits on
(`inline_parts`) — found without markdown-it's full inline pass where only code spans can occur."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The block parser; inline content is parsed only where `_inline_children` needs it, and without the
    rules that only make emphasis, line breaks and entities (they never start, end or hide a code span
    or a link: inside a link label they are skipped over one character at a time instead)."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")
    return md.disable(["emphasis", "balance_pairs", "fragments_join", "newline", "entity"])


# code spans need a backtick, links a `[` (inline and reference links) or a `<` (autolinks): inline
# content without any of them yields no child the segments use
INLINE_MARKS = ("`", "[", "<")


def _inline_children(md: MarkdownIt, token: Any, env: dict[str, Any]) -> list[Any]:
    """What markdown-it's core `inline` rule would have put in `token.children`, as far as code spans and
    links go (the same inline parser, with the same references from `env`)."""
    content = token.content
    if "`" not in content and "[" not in content and "<" not in content:  # INLINE_MARKS
        return []
    return md.inline.parse(content, md, env, [])


def code_span_ranges(src: str) -> list[tuple[int, int]]:
    """(start, end) of the raw content of each code span of inline content, as markdown-it's `backticks` rule
    finds them: each backtick run from its start, closed by the next run of the same length (a run with no
    such closer is literal text)."""
    out: list[tuple[int, int]] = []
    size = len(src)
    last_run: dict[int, int] = {}  # run length → start of its last run
    pos = 0
    while (start := src.find("`", pos)) != -1:
        pos = start + 1
        while pos < size and src[pos] == "`":
            pos += 1
        last_run[pos - start] = start
    pos = 0
    while (start := src.find("`", pos)) != -1:
        pos = start + 1
        while pos < size and src[pos] == "`":
            pos += 1
        opener = pos - start
        if last_run.get(opener, -1) >= pos:
            end = pos
            while (close := src.find("`", end)) != -1:
                end = close + 1
                while end < size and src[end] == "`":
                    end += 1
                if end - close == opener:
                    out.append((pos, close))
                    pos = end
                    break
    return out


def code_spans(src: str) -> list[str]:
    """The code spans of inline content in which only markdown-it's `backticks` rule can make a token (no
    `\\`, `[` or `<`: no escape, link, image, autolink or inline HTML) (`code_span_ranges`), content with line
    breaks as spaces and one space stripped from each side unless it is all spaces."""
    out: list[str] = []
    for a, b in code_span_ranges(src):
        content = src[a:b].replace("\n", " ")
        if content.startswith(" ") and content.endswith(" ") and any(c != " " for c in content):
            content = content[1:-1]
        out.append(content)
    return out


def inline_code_and_links(md: MarkdownIt, token: Any, env: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(code span contents, link targets) of an inline token, in order."""
    content = token.content
    if "`" in content and "[" not in content and "<" not in content and "\\" not in content:
        return code_spans(content), []
    codes: list[str] = []
    links: list[str] = []
    for child in _inline_children(md, token, env):
        if child.type == "code_inline":
            codes.append(child.content)
        elif child.type == "link_open":
            links.append(str(child.attrs.get("href", "")))
    return codes, links


def inline_parts(codes_links: tuple[list[str], list[str]], first_line: int, lines: list[str]
                  ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Each code span and link target with the file line it sits on."""
    codes, links = codes_links
    if not codes and not links:
        return [], []
    span = lines[first_line - 1 : first_line - 1 + 200]

    def locate(needle: str) -> int:
        for i, text in enumerate(span):
            if needle and needle in text:
                return first_line + i
        return first_line

    return [(locate(c), c) for c in codes], [(locate(h), h) for h in links]


def code_spans_on_lines(text: str, first_line: int) -> tuple[tuple[int, str], ...]:
    """Each code span of a text the Markdown parser does not read inline (an HTML comment, hidden markup)
    with the file line it sits on, `first_line` being the text's first line (a span is read within one
    line)."""
    if "`" not in text:
        return ()
    return tuple((first_line + i, code) for i, line in enumerate(text.split("\n")) if "`" in line
                 for code in code_spans(line))
