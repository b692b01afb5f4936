"""Which files an instruction file tells the agent to follow ("follow references/setup.md", "按照
references/guide.md 执行"): text the agent is told to read and follow is an instruction wherever it lives."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace

from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.model import Location, Package

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
    """Paths the package's entry files (SKILL.md, commands/*.md, agents/*.md) tell the agent to follow,
    whatever they are (the missing-script rule's scope; why it is not `followed` is said in
    analyzers/references.py)."""
    out: set[str] = set()
    for f in package.files:
        if f.virtual or f.text is None or f.language != "markdown":
            continue
        if posixpath.basename(f.path) not in ENTRY_NAMES and not f.path.startswith(("commands/", "agents/")):
            continue
        out.update(t for m in FOLLOW.finditer(f.text[:MAX_TEXT]) if (t := target_of(m, f.path)))
    return frozenset(out)


def followed(package: Package) -> Mapping[str, Location]:
    """The package's fact "files followed from its instructions": each reference file (references/,
    docs/…) that a Markdown document of the package, not itself a reference file, tells the agent to
    follow, with the first sentence that does. Computed once per package by the analyze stage
    (`with_followed`, kept on `Package.followed`) and read by the instructions engine (a followed file is
    analysed once, as instructions) and by the roles (its text is an instruction wherever it lives)."""
    if package.followed is not None:
        return package.followed
    out: dict[str, Location] = {}
    # a match counts only when it names a reference file of the package: the last part of its target is
    # that file's name, so a document naming none of them has nothing to follow
    names = {posixpath.basename(g.path) for g in package.files
             if ctx.reference_file(g.path) and not g.is_binary and g.text is not None}
    if not names:
        return out
    for f in package.files:
        if f.is_binary or f.text is None or f.language != "markdown" or ctx.reference_file(f.path):
            continue
        text = f.text[:MAX_TEXT]
        low = text.lower()
        if ".md" not in low and ".txt" not in low:  # every FOLLOW match names a .md/.mdc/.txt file
            continue
        if not any(name in text for name in names):
            continue
        for m in FOLLOW.finditer(text):
            target = target_of(m, f.path)
            if not target or target in out or not ctx.reference_file(target):
                continue
            tf = package.file(target)
            if tf is None or tf.is_binary or tf.text is None:
                continue
            out[target] = Location(f.path, text.count("\n", 0, m.start()) + 1, 1,
                                   snippet=" ".join(m.group(0).split())[:200])
    return out


def with_followed(package: Package) -> Package:
    """The package with its followed files found (the analyze stage does this once, before the workers)."""
    return package if package.followed is not None else replace(package, followed=followed(package))
