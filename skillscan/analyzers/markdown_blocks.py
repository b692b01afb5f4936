"""One Markdown block parse per text, shared by its readers.

The instructions engine (`instructions/document.py`) and the roles of prose (`roles.py`) both run
markdown-it's block parser over a document, one after the other in the same task: for a document
without frontmatter or carriage returns the two parse the very same string. `block_tokens(md, text)`
parses once and hands the second reader the first reader's tokens.

Why the tokens are the ones the second reader's own parse would give: the parse is deterministic,
and a text is shared only between parsers whose configuration can change the block stream — the
options, the active core rules and the active block rules — is the same (part of the key). Inline
rules are not part of it: both readers disable the core `inline` rule, so no inline rule runs during
the parse (the instructions engine parses inline content itself, later, with its own parser). The
readers only read tokens (never assign to them); each gets its own list and its own copy of `env`
(the link reference definitions the block parse collects).

Bounded: the last few texts of a process (a document's two readers run back to back), each at most
`MAX_CHARS`, together at most `BUDGET_CHARS`. Tokens are kept for one more reader only (issue 23, peak
memory): the first reader asks with `keep=True` (the instructions engine), a reader that comes second asks
with `keep=False` (roles) and takes the tokens out of the memo; `forget()` drops what no second reader took
(the instructions engine calls it when a document is done)."""

from __future__ import annotations

from typing import Any

from skillscan.memo import BoundedMemo

MAX_ENTRIES = 4
MAX_CHARS = 1_000_000  # a longer text is parsed for each reader (its tokens are not kept)
BUDGET_CHARS = 2_000_000  # text of all kept entries: bounds the tokens a worker holds on to

_memo: BoundedMemo[tuple[Any, str], tuple[list[Any], dict[str, Any]]] = BoundedMemo(MAX_ENTRIES, BUDGET_CHARS)


def _signature(md: Any) -> tuple[Any, ...]:
    """What in a parser's configuration can change its block tokens: options, active core and block rules."""
    options = tuple(sorted((k, repr(v)) for k, v in dict(md.options).items()))
    return options, tuple(md.core.ruler.get_active_rules()), tuple(md.block.ruler.get_active_rules())


def block_tokens(md: Any, text: str, keep: bool = True) -> tuple[list[Any], dict[str, Any]]:
    """(`md.parse(text, env)`, env) — from an earlier parse of the same text by an equally configured
    parser when one was kept in this process (it is handed out once: the memo lets it go). `keep`: a text
    parsed here is kept for a second reader."""
    key = (_signature(md), text)
    hit = _memo.take(key)
    if hit is not None:
        return list(hit[0]), dict(hit[1])
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    if keep and len(text) <= MAX_CHARS:
        _memo.put(key, (tokens, dict(env)), len(text))
    return list(tokens), env


def forget() -> None:
    """Drop every kept parse (a finished document's tokens no second reader asked for)."""
    _memo.clear()
