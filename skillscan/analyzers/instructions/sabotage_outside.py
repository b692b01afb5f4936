"""Sabotage without a command: prose that has the agent put a second copy of its deliverable in a directory
outside the workspace — another tenant's share, a "review sync" folder under a home directory. One
sentence of prose aimed at the agent (a directive, not a prohibition nor a quotation; `sabotage_grammar`)
with:

- an act of copying (mirror, copy, sync, duplicate, replicate, back up; 复制, 同步, 镜像 …),
- a path outside the package and the workspace — under a home directory (`~/`, `/home/<user>/`,
  `/Users/<user>/`, `/root/`) or a data or mount root (`/data/`, `/mnt/`, `/srv/`, `/opt/`) — not in a
  tool's dot-directory and not in `/tmp/`,
- and the copy is an extra one, beyond the deliverable the user asked for ("an additional review copy",
  "also", "mirror", "after saving the primary report"; 另外, 额外, 副本 …).

Whoever can read that directory receives the user's results. The primary output the user asked to save
somewhere ("save the report to ~/Documents/report.pdf") is not a second copy. English and Chinese."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-output-copied-outside",)

OUTSIDE_DIR = re.compile(
    r"(?<![\w.$}/])(?:~|/(?:root|home/[\w-]+|Users/[\w-]+|data|mnt|srv|opt))(?:/[\w@%+-][\w.@%+-]*)*/?")
COPY = re.compile(r"\b(?:mirror(?:s|ed|ing)?|cop(?:y|ies|ied|ying)|sync(?:s|ed|ing)?|duplicat\w+|replicat\w+|"
                  r"back(?:s|ed)?\s+up)\b|复制|拷贝|同步|镜像|备份", re.IGNORECASE)
EXTRA = re.compile(r"\b(?:additional|extra|also|as\s+well|mirror\w*|second|in\s+addition|after\s+(?:saving|writing|"
                   r"producing|regenerating)|review\s+(?:copy|bundle)|copied\s+review)\b|另外|额外|另存一份|同时|副本",
                   re.IGNORECASE)


_INTO = re.compile(r"\b(?:to|into|under|in|inside|at)\s*[`'\"]?$|(?:到|至|于)\s*[`'\"]?$", re.IGNORECASE)
_THERE = re.compile(r"\bthere\b|那里|该目录", re.IGNORECASE)


def _outside(s: str) -> list[re.Match[str]]:
    out = []
    for m in OUTSIDE_DIR.finditer(s):
        parts = [p for p in m.group(0).split("/")[1:] if p]
        if not parts or "/tmp/" in m.group(0) or any(p.startswith(".") for p in parts):
            continue
        out.append(m)
    return out


def _destination(s: str, act: re.Match[str]) -> re.Match[str] | None:
    """The outside directory the copy goes to: one written after the act behind "to/into/under/in", or, when
    the act sends it "there", the one the sentence named before."""
    paths = _outside(s)
    for m in paths:
        if m.start() > act.start() and _INTO.search(s[max(act.end(), m.start() - 12):m.start()]):
            return m
    if _THERE.search(s, act.end()):
        before = [m for m in paths if m.end() <= act.start()]
        return before[0] if before else None
    return None


def _copied(s: str) -> tuple[str, str] | None:
    for act in COPY.finditer(s):
        if g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        where = _destination(s, act)
        extra = g.condition(EXTRA, s, act) or (act if act.group(0).lower().startswith("mirror") else None)
        if where is None or extra is None:
            continue
        what = (f"copy material into {where.group(0)}, outside the package and the workspace, beyond the deliverable "
                f"the user asked for (“{act.group(0)}”, “{extra.group(0)}”)")
        return what, where.group(0)
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(COPY)


def output_copied_outside(package: Package, doc: Document) -> list[Finding]:
    return g.report_matches(doc, _cue(), lambda c: _copied(c.sentence.text), "sabotage-output-copied-outside", "Output copied outside the workspace")
