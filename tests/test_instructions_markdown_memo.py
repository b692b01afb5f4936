"""The per-process memo of parsed Markdown bodies gives exactly what a fresh block parse gives.

`_markdown_segments` keys its memo on (offset, body text); these tests check, on every Markdown file of
the dev corpus, `fixtures/`, `tests/rules/` and (when present) the generated 1,000-package registry, and
on generated Markdown, that a memo hit, a memo miss and the plain parser `_parse_markdown_segments` give
equal segments (kinds, lines, text, fence info, inline code, links) and sections — including when the
same body follows a different frontmatter of the same length, and when `lines` is another list.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillscan.analyzers.instructions import document as dm
from skillscan.analyzers.instructions.document import Section, Segment, parse_document
from skillscan.analyzers.normalize import normalize

REPO = Path(__file__).resolve().parent.parent
ROOTS = [REPO.parent / "shared" / "corpus" / "dev", REPO / "fixtures", REPO / "tests" / "rules",
         Path("/tmp/skillscan-bench/registry-1000")]


def _bodies() -> list[str]:
    seen: dict[str, None] = {}
    for root in ROOTS:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.md")):
            if path.is_file() and not path.is_symlink():
                text = normalize(path.read_text(encoding="utf-8", errors="replace")).text
                seen.setdefault(text, None)
    return list(seen)


def _plain(body: list[str], offset: int, lines: list[str]) -> tuple[list[Segment], list[Section]]:
    sections: list[Section] = []
    return dm._parse_markdown_segments("\n".join(body), body, offset, lines, sections), sections


def _memo(body: list[str], offset: int, lines: list[str]) -> tuple[list[Segment], list[Section]]:
    sections: list[Section] = []
    return dm._markdown_segments(body, offset, lines, sections), sections


def _forget(key: tuple[int, str]) -> None:
    dm._memo.take(key)


def _check(text: str, offset: int = 0) -> None:
    body = text.split("\n")
    lines = ["---"] * offset + body
    expected = _plain(body, offset, lines)
    key = (offset, text)
    _forget(key)
    miss = _memo(body, offset, lines)
    assert miss == expected
    other = ["x"] * offset + list(body)  # another frontmatter of the same length, another list object
    hit = _memo(body, offset, other)
    if len(text) <= dm.MEMO_MAX_CHARS:
        assert key in dm._memo
    assert hit == expected


def test_memo_equals_plain_parse_on_every_markdown_file() -> None:
    bodies = _bodies()
    assert len(bodies) > 50
    for i, text in enumerate(bodies):
        _check(text, offset=i % 3 * 2)


def test_memo_stays_within_its_bounds() -> None:
    dm._memo.clear()
    for i in range(dm.MEMO_MAX_ENTRIES + 20):
        _check(f"# T{i}\n\npara {i}\n")
    assert len(dm._memo) == dm.MEMO_MAX_ENTRIES
    assert dm._memo.chars == sum(len(text) for _, text in dm._memo)
    big = "word " * (dm.MEMO_MAX_CHARS // 5 + 10)
    _check(big)
    assert (0, big) not in dm._memo
    chunk = "x" * (dm.MEMO_MAX_CHARS - 10)
    for i in range(dm.MEMO_BUDGET_CHARS // len(chunk) + 3):
        _check(f"{i}{chunk}")
    assert dm._memo.chars <= dm.MEMO_BUDGET_CHARS
    assert dm._memo.chars == sum(len(text) for _, text in dm._memo)


def _doc_repr(path: str, text: str) -> str:
    doc = parse_document(path, text)
    return repr((doc.lines, doc.segments, doc.sections, doc.frontmatter))


def test_document_with_warm_memo_equals_cold() -> None:
    body = "# A\n\nRun `curl https://x.example/i.sh`.\n\n## B\n\n```sh\nbash i.sh\n```\n"
    fronts = ("", "---\nname: a\n---\n", "---\nname: bb\n---\n", "---\nname: a\ndescription: d\n---\n")
    cold = {}
    for front in fronts:
        dm._memo.clear()
        cold[front] = _doc_repr("a/SKILL.md", front + body)
    for front in fronts + fronts[::-1]:  # the memo now holds the body at every offset seen
        assert _doc_repr("b/SKILL.md", front + body) == cold[front]
        assert (front.count("\n"), body) in dm._memo


# generated Markdown: the constructs whose line maps and nesting are easy to get wrong
WORDS = st.sampled_from(["run", "`cmd`", "[l](https://x.example/a)", "<b>", "ünï", "日本", "**b**", "\t", "x", "[r]",
                         "<https://y.example>", "*", "~~", "\\`"])
LINE = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
FENCE = st.builds(lambda tick, info, body, closed: f"{tick}{info}\n{body}\n" + (tick if closed else ""),
                  st.sampled_from(["```", "~~~", "````"]), st.sampled_from(["", "sh", "python x", "bash {a}"]),
                  st.lists(LINE, max_size=3).map("\n".join), st.booleans())
BLOCK = st.one_of(
    LINE,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), LINE),
    st.builds(lambda t, u: f"{t}\n{u * 3}", LINE, st.sampled_from(["=", "-"])),
    st.builds(lambda items, ind, mark: "\n".join(f"{ind * (i % 3)}{mark} {x}" for i, x in enumerate(items)),
              st.lists(LINE, min_size=1, max_size=4), st.sampled_from(["  ", "    ", "\t"]),
              st.sampled_from(["-", "*", "1."])),
    st.builds(lambda rows: "| a | b |\n|---|:-:|\n" + "\n".join(f"| {r} | x |" for r in rows),
              st.lists(LINE, max_size=3)),
    FENCE,
    st.builds(lambda t: f"<div>\n{t}\n</div>", LINE),
    st.builds(lambda t: f"<!-- {t} -->", LINE),
    st.builds(lambda t, f: f"> {t}\n> " + f.replace("\n", "\n> "), LINE, FENCE),
    st.just("[r]: https://ref.example/x"),
    st.just("    indented code"),
    st.just("---"),
)
DOC = st.builds(lambda blocks, seps, crlf: ("\r\n" if crlf else "\n").join(b + s for b, s in zip(blocks, seps)),
                st.lists(BLOCK, min_size=1, max_size=8), st.lists(st.sampled_from(["", "\n", "\n\n"]),
                                                                  min_size=8, max_size=8), st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOC, st.sampled_from(["", "---\nname: n\n---\n", "---\nname: other\n---\n"]))
def test_memo_equals_plain_parse_on_generated_markdown(text: str, front: str) -> None:
    norm = normalize(front + text).text
    offset = front.count("\n")
    body = "\n".join(norm.split("\n")[offset:])
    _check(body, offset)
    _forget((offset, body))
    cold = _doc_repr("a.md", front + text)
    assert _doc_repr("b.md", front + text) == cold


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    dm._memo.clear()
