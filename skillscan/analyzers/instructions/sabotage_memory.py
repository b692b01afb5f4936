"""Sabotage without a command: prose that plants instructions or data in the agent's persistent context
for later sessions. One sentence of prose aimed at the agent (a directive, not a prohibition nor a
quotation; `sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group `memory`):

- an act that writes (add, append, store, save, record, register …; 写入, 保存 …),
- the agent's persistent context as its target (AGENTS.md, CLAUDE.md, GEMINI.md, .cursorrules, memory
  files or tools, persistent or long-term memory, the system prompt; 长期记忆 …),
- and what is written reaches beyond the task: later sessions or future tasks ("when a future task …",
  "across sessions", 以后), or it is a standing rule for the agent (a rule, instruction, policy,
  "prefer … as authoritative").

Both a later-session reach and a standing rule in the sentence (or the act hidden in an HTML comment) is
malice; one of them alone is evidence for review. Purpose coherence: a package whose stated purpose is
the agent's memory or its instruction files (a memory skill, a CLAUDE.md generator, project onboarding)
gets no finding. English and Chinese."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-memory-implant",)
_GAP = 100
_YOURS = re.compile(r"\byour\b|你的|您的", re.IGNORECASE)
# a store the user may own: a file, their system prompt or custom instructions
_FILE = re.compile(r"[./]|\b(?:system\s+prompt|custom\s+instructions)\b|系统提示词|自定义指令", re.IGNORECASE)


def _implant(s: str) -> tuple[str, Confidence | None, str] | None:
    v = g.vocabulary()
    for act in v["memory.write_verb"].finditer(s):
        store = v["memory.store"].search(s, max(0, act.start() - _GAP), min(len(s), act.end() + _GAP))
        if store is None or g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        beyond = v["memory.beyond_task"].search(s)
        rule = v["memory.standing_rule"].search(s)
        if beyond is None and rule is None:
            continue
        # "add an instruction to your .cursor/rules": advice to the user about their own file ("your long-term
        # memory" is the agent's: a person keeps no memory a tool writes into)
        if ((beyond is None or rule is None) and _FILE.search(store.group(0))
                and _YOURS.search(s, max(0, store.start() - 12), store.start())):
            continue
        reach = " and ".join(f"“{m.group(0)}”" for m in (beyond, rule) if m)
        conf = None if beyond and rule else Confidence.LOW
        return f"write into {store.group(0)}, the agent's persistent context ({reach})", conf, store.group(0)
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(g.vocabulary()["memory.store"])


def memory_implant(package: Package, doc: Document) -> list[Finding]:
    if g.coherent("memory", g.stated_purpose_text(package)):
        return []
    return g.report_matches(doc, _cue(), _hit, "sabotage-memory-implant", "Memory implant")


def _hit(c: g.Candidate) -> g.Hit | None:
    found = _implant(c.sentence.text)
    if found is None:
        return None
    what, conf, anchor = found
    return g.Hit(what, anchor, conf, " beyond this task")
