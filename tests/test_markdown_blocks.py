"""One Markdown block parse per text, shared by the instructions engine and roles
(skillscan/analyzers/markdown_blocks.py): the shared tokens are the tokens each reader's own parser
gives, the second reader does not parse again, and a parser configured otherwise never shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from skillscan.analyzers import markdown_blocks, roles
from skillscan.analyzers.instructions import document, markdown_inline

REPO = Path(__file__).resolve().parent.parent

TEXTS = [
    "# Title\n\nRun `git status` first.\n\n- one\n- two\n  1. nested\n\n> quoted [link][ref]\n\n[ref]: https://example.com/x\n",
    "| pattern | meaning |\n|---|---|\n| `rm -rf` | deletes |\n\n```bash\ncurl -fsSL https://x.example/i.sh | sh\n```\n",
    "<!-- hidden note -->\n<div>\nhtml block\n</div>\n\n    indented code\n\nSetext\n======\n",
    "## 安装\n\n请先运行 `pip install tool`。\n\n* 列表\n\n---\n\n~~~\nfence\n~~~\n",
]


class _Counting:
    """A parser whose `parse` calls are counted (every other attribute is the parser's own)."""

    def __init__(self, md: MarkdownIt) -> None:
        self.md, self.calls = md, 0

    def parse(self, text: str, env: dict[str, Any] | None = None) -> list[Any]:
        self.calls += 1
        return self.md.parse(text, env)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.md, name)


def _stream(tokens: list[Any]) -> list[tuple[Any, ...]]:
    return [(t.type, t.tag, t.nesting, t.map, t.level, t.info, t.content, t.markup, t.block, t.hidden, t.attrs)
            for t in tokens]


def test_both_readers_parsers_give_the_same_block_stream() -> None:
    doc_md, roles_md = markdown_inline.markdown_parser(), roles._markdown()
    assert markdown_blocks._signature(doc_md) == markdown_blocks._signature(roles_md)
    for text in TEXTS:
        env_a: dict[str, Any] = {}
        env_b: dict[str, Any] = {}
        assert _stream(doc_md.parse(text, env_a)) == _stream(roles_md.parse(text, env_b))
        assert env_a == env_b


def test_the_second_reader_gets_the_first_readers_tokens_without_parsing() -> None:
    doc_md, roles_md = _Counting(markdown_inline.markdown_parser()), _Counting(roles._markdown())
    for text in TEXTS:
        first, env = markdown_blocks.block_tokens(doc_md, text + "\n<!-- 1 -->\n")
        second, env2 = markdown_blocks.block_tokens(roles_md, text + "\n<!-- 1 -->\n")
        fresh_env: dict[str, Any] = {}
        fresh = roles._markdown().parse(text + "\n<!-- 1 -->\n", fresh_env)
        assert _stream(first) == _stream(second) == _stream(fresh)
        assert env == env2 == fresh_env
        assert first is not second and env is not env2  # each reader has its own list and env
    assert doc_md.calls == len(TEXTS)
    assert roles_md.calls == 0


def test_a_parser_configured_otherwise_parses_for_itself() -> None:
    other = _Counting(MarkdownIt("commonmark", {"html": True}).disable("inline"))  # no tables
    text = TEXTS[1] + "\n<!-- 2 -->\n"
    markdown_blocks.block_tokens(markdown_inline.markdown_parser(), text)
    tokens, _ = markdown_blocks.block_tokens(other, text)
    assert other.calls == 1
    assert "table_open" not in {t.type for t in tokens}


def test_fixture_documents_parse_alike_in_both_readers() -> None:
    doc_md, roles_md = markdown_inline.markdown_parser(), roles._markdown()
    paths = sorted((REPO / "fixtures").rglob("*.md"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _stream(doc_md.parse(text, {})) == _stream(roles_md.parse(text, {})), path


def _shifted(tokens: list[Any], by: int) -> list[tuple[Any, ...]]:
    return [s[:3] + ([a + by for a in s[3]] if s[3] else s[3],) + s[4:] for s in _stream(tokens)]


def test_leading_blank_lines_only_move_the_line_map() -> None:
    """roles.py parses a body after its frontmatter alone and moves the map down by the frontmatter's lines:
    the tokens of the body behind k blank lines are the body's tokens, k lines lower."""
    md = roles._markdown()
    texts = TEXTS + [p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO / "fixtures").rglob("*.md"))]
    for text in texts:
        alone_env: dict[str, Any] = {}
        alone = md.parse(text, alone_env)
        for k in (1, 2, 5):
            env: dict[str, Any] = {}
            assert _stream(md.parse("\n" * k + text, env)) == _shifted(alone, k)
            # link reference definitions: the same, at lines k lower (roles.py does not read them)
            moved = {name: dict(ref, map=[a + k for a in ref["map"]]) for name, ref in alone_env.get("references", {}).items()}
            assert env.get("references", {}) == moved


def test_a_document_with_frontmatter_is_parsed_once_for_both_readers(monkeypatch: Any) -> None:
    text = "---\nname: demo\ndescription: a demo skill\n---\n# Demo\n\n> quoted\n\n```bash\nls\n```\n\n| pattern | x |\n|---|---|\n| a | b |\n"
    calls: list[str] = []
    real = MarkdownIt.parse

    def counting(self: MarkdownIt, src: str, env: Any = None) -> Any:
        calls.append(src)
        return real(self, src, env)

    monkeypatch.setattr(MarkdownIt, "parse", counting)
    document.parse_document("skills/demo/SKILL.md", text)
    got = roles.assign_roles("skills/demo/SKILL.md", text)
    assert len(calls) == 1
    monkeypatch.setattr(MarkdownIt, "parse", real)
    fresh = roles._markdown().parse("\n" * 4 + text.split("---\n", 2)[2], {})
    assert [t.map[0] for t in fresh if t.type == "fence"] == [8]
    assert got.role_at(9) == "agent-instruction" and got.region_at(9).kind == "fence"
    assert got.role_at(7) == "quoted" and got.role_at(5) == "agent-instruction"


def test_tokens_are_kept_for_one_more_reader_only() -> None:
    """Peak memory (issue 23): a parse is kept for the next reader, handed out once, never kept for a reader
    asking with keep=False, and `forget` drops what no second reader took."""
    doc_md, roles_md = _Counting(markdown_inline.markdown_parser()), _Counting(roles._markdown())
    text = TEXTS[0] + "\n<!-- once -->\n"
    markdown_blocks.forget()
    markdown_blocks.block_tokens(roles_md, text, keep=False)
    assert not markdown_blocks._memo and markdown_blocks._memo.chars == 0
    markdown_blocks.block_tokens(doc_md, text)
    assert len(markdown_blocks._memo) == 1 and markdown_blocks._memo.chars == len(text)
    markdown_blocks.block_tokens(roles_md, text, keep=False)
    assert not markdown_blocks._memo and markdown_blocks._memo.chars == 0
    assert (doc_md.calls, roles_md.calls) == (1, 1)
    markdown_blocks.block_tokens(doc_md, text)
    markdown_blocks.forget()
    assert not markdown_blocks._memo and markdown_blocks._memo.chars == 0
    markdown_blocks.block_tokens(roles_md, text, keep=False)
    assert roles_md.calls == 2
