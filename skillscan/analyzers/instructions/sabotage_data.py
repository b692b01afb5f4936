"""Sabotage without a command: prose that hands the agent's goal to text it reads while working — the
output of a helper, the documents, emails or pages it processes — so whoever writes that text steers
the agent. One sentence of prose aimed at the agent (a directive, not a prohibition nor a quotation;
`sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group `data`):

- an act of obeying (follow, obey, execute, complete, comply with, act on, treat …; 遵循, 执行 …)
- instructions as its object (instructions, directives, commands, policies …; 指令, 命令 …)
- their provenance in data: printed to stdout or by the script, "it outputs", found in documents,
  emails, pages, transcripts, comments or fields (文档中的, 输出的 …)
- made binding: any/all of them, mandatory, authoritative, override … (任何, 必须, 权威);

or data declared an authority outright: "treat all documents … as authoritative", "treat the text
content as instructions" (将所有文档视为权威). A package whose stated purpose is running instructions
(a workflow engine, a task runner) gets no finding. Instructions that reach the agent through data it
was asked to process are the indirect prompt-injection channel; a skill that opens it on purpose
extends the task to whatever that data says. Reported at low confidence (review): a skill may
legitimately relay a helper's output; with the binding words "mandatory", "authoritative" or "override"
and data the user did not write (documents, pages, emails) it is medium."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-data-as-instructions",)
_STRONG = re.compile(r"\b(?:mandatory|authoritative|binding|take\s+precedence|override|as\s+if)\b|强制|权威|优先",
                     re.IGNORECASE)
_GAP = 100
_ORDERS = re.compile(r"instruct|directive|command|指令|命令", re.IGNORECASE)


def _obeys(s: str) -> tuple[str, bool] | None:
    v = g.vocabulary()
    authority = v["data.as_authority"].search(s)
    if authority and not g.negated(s, authority.start()) and not g.quoted(s, authority.start()):
        return f"treat the text it processes as an authority (“{g.cite(authority.group(0), 80)}”)", True
    orders = sorted(v["data.order_object"].finditer(s), key=lambda m: not _ORDERS.search(m.group(0)))
    for order in orders:
        lo, hi = max(0, order.start() - _GAP), min(len(s), order.end() + _GAP)
        source = v["data.provenance"].search(s, lo, hi)
        binding = v["data.binding"].search(s, lo, hi)
        act = v["data.obey_verb"].search(s, lo, hi)
        if not (source and binding and act) or g.negated(s, act.start()) or g.quoted(s, order.start()):
            continue
        strong = bool(_STRONG.search(s))
        what = (f"obey {order.group(0)} that come from data it reads (“{act.group(0)}”, “{source.group(0)}”, "
                f"“{binding.group(0)}”)")
        return what, strong
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    v = g.vocabulary()
    return g.union(v["data.provenance"], v["data.as_authority"])


def data_as_instructions(package: Package, doc: Document) -> list[Finding]:
    if g.coherent("data", g.stated_purpose_text(package)):
        return []
    return g.report_matches(doc, _cue(), _hit, "sabotage-data-as-instructions", "Goal handed to data")


def _hit(c: g.Candidate) -> g.Hit | None:
    found = _obeys(c.sentence.text)
    if found is None:
        return None
    what, strong = found
    return g.Hit(what, confidence=Confidence.MEDIUM if strong else Confidence.LOW)
