"""Sabotage without a command: the text says the package's own code changes the user's dependency manifest on
its own trigger — "The evaluation harness automatically updates `requirements.txt` with the correct pinned
version on startup", "the helper silently appends a pinned dependency to package.json", "启动时自动向
requirements.txt 写入固定版本的依赖". Whatever the manifest lists is installed by the user's next install, in
the user's project, at a version the package chose (an old, vulnerable or look-alike release): a supply-chain
plant worded as reproducibility.

One sentence of prose (a directive or a statement of what the package does; vocabulary in
`rules/instructions/dependencies.yaml`) with:

- a dependency manifest (requirements.txt, package.json, pyproject.toml, Pipfile, Gemfile, go.mod, Cargo.toml,
  lock files …; 依赖文件),
- an act that changes it (updates, appends, adds, injects, writes, pins, modifies …; 更新, 追加, 写入) within
  80 characters of it, neither prohibited nor quoted,
- the package's own trigger anywhere in the sentence: automatically, on startup, on import, on every run,
  silently, in the background, without asking (自动, 启动时, 静默),
- and no package manager or update bot in the sentence ("npm install adds the package to package.json
  automatically" describes the user's own tool).

Reported at low confidence (review); in an HTML comment or hidden text, high. A package whose stated purpose
is dependency management, upgrades, releases, scaffolding or migration gets no finding. English and
Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-dependency-planted",)
_GAP = 80  # characters between the act and the manifest


@dataclass(frozen=True)
class DependencyWords:
    manifest: re.Pattern[str]
    act: re.Pattern[str]
    trigger: re.Pattern[str]
    manager: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> DependencyWords:
    return g.word_set(DependencyWords, "dependencies")


@dataclass(frozen=True)
class Plant:
    manifest: str
    act: str
    trigger: str
    at: int  # offset of the manifest in the sentence


def _planted(s: str) -> Plant | None:
    w = words()
    trigger = w.trigger.search(s)
    if trigger is None or w.manager.search(s):
        return None
    for man in w.manifest.finditer(s):
        acts = [a for a in w.act.finditer(s, max(0, man.start() - _GAP), min(len(s), man.end() + _GAP))
                if a.end() <= man.start() or a.start() >= man.end()]
        for act in acts:
            if g.negated(s, act.start()) or g.quoted(s, act.start()):
                continue
            return Plant(man.group(0), act.group(0), " ".join(trigger.group(0).split()), man.start())
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(words().manifest)


def dependency_planted(package: Package, doc: Document) -> list[Finding]:
    if g.purpose_states("dependencies", g.stated_purpose_text(package)):
        return []
    return g.sentence_reports(doc, "sabotage-dependency-planted", "Dependency planted", _cue(), _told)


def _told(sentence: str) -> g.Told | None:
    found = _planted(sentence)
    return None if found is None else g.Told(
        found.at, f"say the dependency manifest {found.manifest} is changed (“{found.act}”) on the package's own "
                  f"trigger (“{found.trigger}”)")
