"""Trigger hijack: prose that stretches a skill beyond its own kind of request to every request, message or
session of the agent. One sentence of prose aimed at the agent (frontmatter description, body, HTML comment
or hidden text; not a prohibition nor a quotation; `sabotage_grammar`) with (vocabulary in
`rules/instructions/scope.yaml`):

- a requirement (must, mandatory, always; 必须, 始终 …), a universal unit of the agent's work with no domain
  word narrowing it ("ANY user message", "every new Claude Code instance"; 所有请求, 每次对话) and what the
  skill does on each (load or apply itself, come before the answer, run in the background, follow every
  answer; 回复之前, 后台 …);
- or a claim that the skill loads itself with the highest priority or cannot be bypassed (无法绕过);
- or a claim that it overrides or stops every other skill or framework (覆盖所有其他技能);
- or a change notice that widens the skill's scope: an update label and the skill claiming a further use
  ("Capability update: this skill may also be used as the consolidated lookup path for …", "from now on,
  this skill is also the default …"; 能力更新：本技能也可用作 …) — its own instructions say what a skill is
  for, and a notice addressed to the agent stretches that on the package's word alone.

"Use this skill for all spreadsheet requests" names the skill's own trigger and is not reported. Purpose
coherence: a package whose stated purpose is a persona, tone or house style for every answer gets no
finding, and a package with its own SessionStart hook that claims "each session" describes that hook. The
finding is evidence for review (low confidence); in hidden text it is raised. English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import SENTENCE_KINDS, Said, confidence, reports
from skillscan.analyzers.literal_gate import Gate, fold, gate
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("trigger-hijack-instruction",)
KINDS = SENTENCE_KINDS | {"heading"}
MAX_REPORTS = 12  # per file: enough for a verdict


@dataclass(frozen=True)
class ScopeWords:
    scope: re.Pattern[str]
    act: re.Pattern[str]
    force: re.Pattern[str]
    self_activation: re.Pattern[str]
    over_others: re.Pattern[str]
    scope_update: re.Pattern[str]
    trigger_list: re.Pattern[str]
    generic_triggers: frozenset[str]
    min_generic_triggers: int


@lru_cache(maxsize=1)
def words() -> ScopeWords:
    data = g.instruction_data("scope")
    return ScopeWords(*(g.alternation(data[k]) for k in ("scope", "act", "force", "self_activation", "over_others",
                                         "scope_update")),
                      re.compile(data["trigger_list"], re.IGNORECASE),
                      frozenset(str(x).lower() for x in data["generic_triggers"]), int(data["min_generic_triggers"]))


def generic_triggers(sentence: str) -> list[str]:
    """The generic request words of a trigger list in the sentence ("Triggers: build, fix, review …"), in
    order, when there are at least `min_generic_triggers` of them; else []."""
    w = words()
    m = w.trigger_list.search(sentence)
    if m is None:
        return []
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z]+", m.group("items")):
        if word.lower() in w.generic_triggers and word.lower() not in seen:
            seen.append(word.lower())
    return seen if len(seen) >= w.min_generic_triggers else []


def hijack(sentence: str) -> tuple[str, str] | None:
    """(what the sentence makes the skill do, the words that say it), or None."""
    w = words()
    for m in w.over_others.finditer(sentence):
        if not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start()):
            return f"set the skill over every other skill or framework (“{g.cite(m.group(0), 60)}”)", m.group(0)
    for m in w.self_activation.finditer(sentence):
        if not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start()):
            return f"make the skill load itself everywhere or resist being turned off (“{g.cite(m.group(0), 60)}”)", m.group(0)
    for m in w.scope_update.finditer(sentence):
        if not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start()):
            return f"announce a wider scope for the skill (“{g.cite(m.group(0), 80)}”)", m.group(0)
    if generic := generic_triggers(sentence):
        return f"list {len(generic)} generic request words as the skill's triggers ({', '.join(generic[:6])} …)", generic[0]
    scope = w.scope.search(sentence)
    if scope is None or w.act.search(sentence) is None or w.force.search(sentence) is None:
        return None
    if g.negated(sentence, scope.start()) or g.quoted(sentence, scope.start()):
        return None
    return f"claim “{g.cite(scope.group(0), 60)}” for the skill, beyond requests of its own kind", scope.group(0)


# words every shape of the grammar needs one of: a cheap RE2 test of a whole segment before it is split
_CUE = re.compile(r"\b(?:all|every|each|any|skills?|protocol|plugin|tool|triggers?|activation|activate)\b"
                  r"|所有|全部|任何|每|技能|工具|插件", re.IGNORECASE)


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(_CUE)


def _sentences(doc: Document) -> list[tuple[str, int, str]]:
    """(segment kind — "description" for the frontmatter description —, file line, sentence) of the prose the
    agent reads."""
    out: list[tuple[str, int, str]] = []
    cue = _cue()
    if not g.may_carry(doc, cue, None):
        return out
    for seg in doc.segments:
        if not cue.search(seg.text):
            continue
        if seg.kind == "frontmatter" and seg.heading == "frontmatter:description":
            out += [("description", seg.line, s.text) for s in g.sentences(seg.text)]
        elif seg.kind in KINDS:
            out += [(seg.kind, seg.line_at(s.start + len(s.text) - len(s.text.lstrip())), s.text)
                    for s in g.sentences(seg.text)]
    return out


_SESSION = re.compile(r"\bsessions?\b|会话", re.IGNORECASE)


def trigger_hijack(package: Package, doc: Document) -> list[Finding]:
    if g.purpose_states("scope", g.stated_purpose_text(package)):
        return []
    # a package whose own hook runs at every session start says so when it claims "each session": that is
    # its surface (reported as such, manifest.py), not the skill stretching itself over the agent's work
    session_hook = any(s.kind == "hook" and s.event == "SessionStart" for s in package.surfaces)
    return reports(doc, "trigger-hijack-instruction", "Trigger hijack", _said(doc, session_hook), MAX_REPORTS)


@lru_cache(maxsize=1)
def _shapes() -> tuple[tuple[Gate, re.Pattern[str]], ...]:
    """The patterns one of which a sentence must hold for `hijack` to read it, each with its literal gate."""
    w = words()
    return tuple((gate(p), p) for p in (w.scope, w.self_activation, w.over_others, w.trigger_list, w.scope_update))


def _may_hijack(sentence: str) -> bool:
    """One of the shapes' patterns matches the sentence: each searched only when its gate is open (a sentence
    holding none of the words every match of a pattern holds cannot match it; literal_gate.py)."""
    low = fold(sentence)
    return any(g_.may_match(low) and p.search(sentence) for g_, p in _shapes())


def _said(doc: Document, session_hook: bool = False) -> Iterator[Said]:
    for kind, line, sentence in _sentences(doc):
        if not _may_hijack(sentence):
            continue
        hit = hijack(sentence)
        if hit is not None and session_hook and _SESSION.search(hit[1]) and words().scope.fullmatch(hit[1]):
            continue  # the universal unit claimed is the session, which the package's own hook starts with
        if hit is not None:
            yield Said(kind, line, hit[0], sentence, confidence(kind, Confidence.LOW, Confidence.MEDIUM))
