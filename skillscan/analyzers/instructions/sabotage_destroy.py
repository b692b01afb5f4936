"""Sabotage without a command: prose that has the agent destroy the user's own files as a side task, chosen in
bulk and without asking. One sentence of prose aimed at the agent (a directive, not a prohibition nor a
quotation; `sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group `destroy`):

- an act that destroys (delete, remove, erase, wipe, purge, overwrite …; 删除, 清空 …),
- the user's own files as its object — the originals, the user's files, documents or photos, a folder of their
  home (~/Downloads, $HOME/Documents; 原文件, 用户的文件) — not caches, build output or temporary files,
- chosen in bulk by age ("modified more than 7 days ago", "older than 30 days"; 超过7天) or set against the
  task (automatically, silently, without asking …),
- and no word in the sentence or the next one that leaves the decision with the user (ask, confirm, approval,
  if the user …; 确认, 征得).

No stated purpose makes it the task: a cleanup tool asks before it deletes what the user made. English and
Chinese."""

from __future__ import annotations

from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-destructive-cleanup",)


def _destroy(s: str, following: str) -> tuple[str, str] | None:
    v = g.vocabulary()
    if v["destroy.consent"].search(s) or v["destroy.consent"].search(following):
        return None
    obj = v["destroy.user_files"].search(s)
    if obj is None:
        return None
    for act in v["destroy.destroy_verb"].finditer(s):
        if g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        why = v["destroy.bulk_condition"].search(s) or g.against_task(s, act)
        if why is not None:
            return (f"delete {obj.group(0)} (“{act.group(0)}”, “{why.group(0)}”) without asking the user",
                    act.group(0))
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(g.vocabulary()["destroy.user_files"])


def destructive_cleanup(package: Package, doc: Document) -> list[Finding]:
    del package  # no stated purpose makes deleting the user's files unasked the task

    def hit(c: g.Candidate) -> g.Hit | None:
        found = _destroy(c.sentence.text, c.following)
        return None if found is None else g.Hit(found[0], anchor=found[1])

    return g.report_matches(doc, _cue(), hit, "sabotage-destructive-cleanup", "Destructive cleanup")
