"""Which files an instruction file tells the agent to follow ("follow references/setup.md", "按照
references/guide.md 执行"): text the agent is told to read and follow is an instruction wherever it lives."""

from __future__ import annotations

import posixpath
import re

from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.model import Package

FOLLOW = re.compile(
    r"\b(?:follow|run|execute|complete|perform|apply|obey|carry\s+out|do)\b[^\n]{0,60}?\b(?:instructions|steps|commands|"
    r"setup|procedure|guide|checklist|directions|tasks)\b[^\n]{0,40}?\b(?:in|from|at|of|listed\s+in|described\s+in)\s+"
    r"\[?`?(?P<target>[\w./-]+\.(?:md|txt|mdc))|(?:按照|遵循|执行|完成)[^\n]{0,30}?(?P<targetzh>[\w./-]+\.(?:md|txt))"
    r"|\b(?:follow|execute|run|apply|obey)\s+(?:the\s+|all\s+)?(?:of\s+)?\[?`?(?P<target2>[\w./-]+\.(?:md|txt|mdc))",
    re.IGNORECASE)


ENTRY_NAMES = frozenset({"SKILL.md", "skill.md"})


def resolve(base: str, target: str) -> str:
    target = target.strip("`[]()")
    if not target or "://" in target:
        return ""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith("..") or not joined:
        joined = posixpath.normpath(target)
    return "" if joined.startswith("..") else joined


def target_of(m: re.Match[str], base: str) -> str:
    return resolve(base, m.group("target") or m.group("targetzh") or m.group("target2") or "")


def followed_files(package: Package) -> frozenset[str]:
    """Paths the package's entry files (SKILL.md, commands/*.md, agents/*.md) tell the agent to follow."""
    out: set[str] = set()
    for f in package.files:
        if f.virtual or f.text is None or f.language != "markdown":
            continue
        if posixpath.basename(f.path) not in ENTRY_NAMES and not f.path.startswith(("commands/", "agents/")):
            continue
        out.update(t for m in FOLLOW.finditer(f.text[:MAX_TEXT]) if (t := target_of(m, f.path)))
    return frozenset(out)
