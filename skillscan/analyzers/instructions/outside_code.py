"""Outside code: prose that has the agent take code the package does not ship, from an absolute host path
outside the package, into its work or its shell. One sentence of prose aimed at the agent (not a
prohibition, not a quotation) with either

1. a code file (.py, .sh, .js …) at an outside path — under a home directory or a data/mount root
   (`/root/`, `/app/`, `/opt/`, `/data/` …; the paths steering.py recognises, not `/tmp/` nor a tool's own
   dot-directory) — and a verb by which the agent adopts it: copies or pastes it into its own code, or
   runs its commands through it as a wrapper ("copy `/opt/x/wrapper.sh` into …", "standardize on an outer
   wrapper such as `/app/probe.sh`"; 复制, 包装脚本; vocabulary in `rules/instructions/outside_code.yaml`);
2. or a directory outside the package put first on PATH (`PATH=/app/shims:$PATH`): the programs found
   there then run in place of the system's `python3`, `git` … (the test is the shell analyzer's,
   `shell/pathvar.py`).

Whoever can write to that path writes the code the agent runs, after the skill was reviewed. Evidence for
review; in an HTML comment raised (medium), in other hidden text high. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.steering import outside_files
from skillscan.analyzers.shell.pathvar import PREPEND, outside_dir
from skillscan.model import Confidence, Finding

RULE_IDS: tuple[str, ...] = ("outside-code-instruction",)
MAX_REPORTS = 5  # per file: enough for a verdict


@dataclass(frozen=True)
class CodeWords:
    code_ext: re.Pattern[str]
    adopt: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> CodeWords:
    return g.word_set(CodeWords, "outside_code")


@dataclass(frozen=True)
class Adoption:
    path: str  # the outside file or directory
    how: str  # the words that adopt it
    on_path: bool  # a directory put first on PATH (not a file adopted)


def adopted(sentence: str) -> Adoption | None:
    """The outside code a sentence has the agent take into its work or shell, or None."""
    for m in PREPEND.finditer(sentence):
        directory = outside_dir(m.group("dir"))
        if directory and not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start()):
            return Adoption(directory, " ".join(m.group(0).split()), True)
    w = words()
    verbs = list(w.adopt.finditer(sentence))
    if not verbs:
        return None
    for m in outside_files(sentence):
        path = m.group(0)
        if not w.code_ext.search(path):
            continue
        verb = min(verbs, key=lambda v: abs(v.start() - m.start()))  # the adopting words nearest the path
        if g.negated(sentence, min(m.start(), verb.start())) or g.quoted(sentence, m.start()):
            continue
        return Adoption(path, " ".join(verb.group(0).split()), False)
    return None


def _told(sentence: str) -> g.Told | None:
    hit = adopted(sentence)
    if hit is None:
        return None
    if hit.on_path:
        what = (f"put {hit.path}, a directory outside the package, first on PATH (“{hit.how}”), so the "
                "programs found there run in place of the system's")
    else:
        what = f"have the agent take {hit.path}, code outside the package, into its work (“{hit.how}”)"
    return g.Told(sentence.find(hit.path) if hit.path else 0, what)


def outside_code(doc: Document) -> list[Finding]:
    return g.sentence_reports(doc, "outside-code-instruction", "Outside code", None, _told, MAX_REPORTS,
                              comment=Confidence.MEDIUM, within="/", raw=True)
