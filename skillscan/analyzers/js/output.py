"""What a JavaScript/TypeScript script slips into the output it makes for the user, unseen (the Python rules are
`python/checks/output.py`; the patterns are shared, `rules/capabilities/code.yaml`):

* js-hidden-link-in-output: a string of the code is an HTML link to an absolute URL that the page hides
  (`display:none`, `left:-9999px`, zero size or opacity, `hidden`). A hidden link to a fragment is not reported.
* js-invisible-encoding: the code chooses between two invisible characters per value (`bit === "1" ? ZW1 : ZW0`)
  or maps keys to them (`{0: "\\u200b", 1: "\\u200c"}`): data hidden in text that looks unchanged.
* js-safety-downgrade-text: a string sets a safety or security setting to its weakest value
  (`safety_mode: permissive`, `guardrails: off`), text planted where it reads as a standing decision."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.normalize import ZERO_WIDTH

RULE_IDS: tuple[str, ...] = ("js-hidden-link-in-output", "js-invisible-encoding", "js-safety-downgrade-text")

HIDDEN_LINK = pattern("hidden_link")
SAFETY_DOWNGRADE = pattern("safety_downgrade")
SETTING_WORDS = pattern("setting_words")
MAX_TEXT = 20_000


def _invisible(value: str | None) -> bool:
    return bool(value) and len(value or "") <= 4 and all(ch in ZERO_WIDTH for ch in value or "")


def _names(value: str) -> str:
    return " and ".join(f"U+{ord(ch):04X}" for ch in value)


def check(ctx: Context) -> None:
    for node in ctx.of_kind("string") + ctx.of_kind("template_string"):
        raw = ctx.text(node)
        if len(raw) > MAX_TEXT or ("<a" not in raw.lower() and not SETTING_WORDS.search(raw.lower())):
            continue
        text = ctx.values.value(node)
        if not text:
            continue
        if "<a" in text.lower() and (m := HIDDEN_LINK.search(text)) and "\x00" not in m.group("url"):
            ctx.emit("js-hidden-link-in-output", f"holds an HTML link to {m.group('url')} styled so that the page does "
                     f"not show it: a page built from this string carries a link its reader never sees", node)
        if (m := SAFETY_DOWNGRADE.search(text)) is not None:
            ctx.emit("js-safety-downgrade-text", f"holds the text “{m.group(0).strip()}”, which sets "
                     f"{m.group('setting')} to {m.group('value')}: a safety or security setting at its weakest value, "
                     f"in a string of the code", node)
    for node in ctx.of_kind("ternary_expression"):
        a = ctx.values.constant(node.child_by_field_name("consequence"))
        b = ctx.values.constant(node.child_by_field_name("alternative"))
        if a is not None and b is not None and a != b and _invisible(a) and _invisible(b):
            ctx.emit("js-invisible-encoding", f"chooses between the invisible characters {_names(a)} and {_names(b)} "
                     f"for each value: data written this way is hidden in text that looks unchanged", node)
    for node in ctx.of_kind("object"):
        _invisible_map(ctx, node)


def _invisible_map(ctx: Context, node: Any) -> None:
    pairs = [c for c in node.named_children if c.type != "comment"]
    if not 2 <= len(pairs) <= 16 or any(p.type != "pair" for p in pairs):
        return
    values = [ctx.values.constant(p.child_by_field_name("value")) for p in pairs]
    if all(_invisible(v) for v in values) and len(set(values)) >= 2:
        shown = "".join(sorted({v for v in values if v}))
        ctx.emit("js-invisible-encoding", f"maps each key to one of the invisible characters {_names(shown)}: data "
                 f"written this way is hidden in text that looks unchanged", node)
