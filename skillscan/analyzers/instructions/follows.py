"""Which files an instruction file tells the agent to follow ("follow references/setup.md", "按照
references/guide.md 执行"): text the agent is told to read and follow is an instruction wherever it lives."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace

from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.analyzers.roles import file_role
from skillscan.model import Location, Package, PackageFile

FOLLOW = re.compile(
    r"\b(?:follow|run|execute|complete|perform|apply|obey|carry\s+out|do)\b[^\n]{0,60}?\b(?:instructions|steps|commands|"
    r"setup|procedure|guide|checklist|directions|tasks|conventions|guidelines|rules|standards|policy|policies|process|workflow|"
    r"patterns?|templates?|recipe|playbook|runbook|requirements)\b[^\n]{0,40}?\b(?:in|from|at|of|listed\s+in|described\s+in)\s+"
    r"\[?`?(?P<target>[\w./-]+\.(?:md|txt|mdc))|(?:按照|遵循|执行|完成)[^\n]{0,30}?(?P<targetzh>[\w./-]+\.(?:md|txt))"
    r"|\b(?:follow|execute|run|apply|obey)\s+(?:the\s+|all\s+)?(?:of\s+)?\[?`?(?P<target2>[\w./-]+\.(?:md|txt|mdc))"
    # "read references/policy.md and follow it", "先阅读 references/setup.md 并按其执行"
    r"|\b(?:read|open|load|consult|review|check)\s+(?:the\s+file\s+)?\[?`?(?P<target3>[\w./-]+\.(?:md|txt|mdc))`?\]?"
    r"(?:\([^)\n]*\))?[ \t,]*(?:and|then|,)\s+(?:then\s+)?(?:follow|apply|obey|execute|carry\s+out|do\s+what)\b"
    r"|(?:阅读|读取|查看|打开)\s*`?(?P<targetzh2>[\w./-]+\.(?:md|txt))`?[^\n。]{0,6}?(?:并|然后|后)\s*(?:按|依|照|遵|执行)",
    re.IGNORECASE)


ENTRY_NAMES = frozenset({"SKILL.md", "skill.md"})

# A file listed with a description that calls it a guide ("- `templates/setup.md` - setup guidance for …") is
# followed when the same document tells the agent, without naming the file, to read or follow "the relevant
# setup guide": the list is how the agent finds which guide that is. A listed file described as a reference,
# an example or a schema is background, and a guide nobody is told to follow is not followed.
_LISTED = re.compile(
    r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[?`?(?P<path>[\w./-]+\.(?:md|txt|mdc))`?\]?(?:\([^)\n]*\))?`?[ \t]*"
    r"(?:[-\u2013\u2014:：]|\s+[-\u2013\u2014])[ \t]*(?P<desc>[^\n]{1,160})", re.MULTILINE)
_GUIDE = r"(?:guid(?:e|ance)|instructions|procedure|playbook|runbook|checklist)"
_DESC_GUIDE = re.compile(rf"\b(?P<noun>{_GUIDE})\b|(?P<zh>指南|指引|操作说明|步骤说明)", re.IGNORECASE)
_USE_GUIDE = re.compile(
    rf"\b(?:read|follow|apply|consult|load|open|use)\s+(?:and\s+(?:follow|apply)\s+)?(?:the|each|every|its)\s+"
    rf"(?:[\w-]+\s+){{0,3}}?(?P<noun>{_GUIDE})\b(?![^\n.]{{0,40}}?\b(?:in|at|from)\s+`?[\w./-]+\.(?:md|txt|mdc))"
    r"|(?:阅读|按照|遵循|执行|使用)(?:相关|对应|适用)?的?[^\n。，,]{0,8}?(?P<zh>指南|指引|操作说明|步骤说明)", re.IGNORECASE)


def resolve(base: str, target: str) -> str:
    target = target.strip("`[]()")
    if not target or "://" in target:
        return ""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith("..") or not joined:
        joined = posixpath.normpath(target)
    return "" if joined.startswith("..") else joined


def target_of(m: re.Match[str], base: str) -> str:
    return resolve(base, m.group("target") or m.group("targetzh") or m.group("target2") or m.group("target3")
                   or m.group("targetzh2") or "")


def _kind(m: re.Match[str]) -> str:
    """The family of a guide noun: guide and guidance are one; 指南 and 指引 are one."""
    noun = (m.group("noun") or "").lower()
    return "guide" if noun.startswith("guid") or m.group("zh") in ("指南", "指引") else noun or "steps"


def listed_guides(path: str, text: str) -> dict[str, int]:
    """Files a document lists as guides of a kind it tells the agent to read or follow without naming them
    (see `_LISTED`), each with the line of the first sentence that does."""
    told: dict[str, int] = {}
    for m in _USE_GUIDE.finditer(text):
        told.setdefault(_kind(m), text.count("\n", 0, m.start()) + 1)
    if not told:
        return {}
    out: dict[str, int] = {}
    for m in _LISTED.finditer(text):
        noun = _DESC_GUIDE.search(m.group("desc"))
        target = resolve(path, m.group("path")) if noun else ""
        if target and _kind(noun) in told:
            out.setdefault(target, told[_kind(noun)])
    return out


def followed_files(package: Package) -> frozenset[str]:
    """Paths the package's entry files (SKILL.md, commands/*.md, agents/*.md) tell the agent to follow,
    whatever they are (the missing-script rule's scope; why it is not `followed` is said in
    analyzers/references.py)."""
    return frozenset(t for f in entry_files(package) for m in FOLLOW.finditer((f.text or "")[:MAX_TEXT])
                     if (t := target_of(m, f.path)))


def entry_files(package: Package) -> list[PackageFile]:
    """The Markdown files that speak to the agent first: SKILL.md, commands/*.md and agents/*.md."""
    return [f for f in package.files if not f.virtual and f.text is not None and f.language == "markdown"
            and (posixpath.basename(f.path) in ENTRY_NAMES or f.path.startswith(("commands/", "agents/")))]


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
        return _guides(package, out)
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
    return _guides(package, out)


def _guides(package: Package, out: dict[str, Location]) -> dict[str, Location]:
    """`out` with the guides the package's instruction files list and tell the agent to follow (`listed_guides`):
    files whose place makes them background (references/, templates/), now read as instructions."""
    for f in package.files:
        if f.is_binary or f.text is None or f.language != "markdown" or file_role(f.path)[0] != "agent-instruction":
            continue
        text = f.text[:MAX_TEXT]
        for target, line in listed_guides(f.path, text).items():
            tf = package.file(target)
            if target in out or tf is None or tf.is_binary or tf.text is None or file_role(target)[0] != "reference":
                continue
            out[target] = Location(f.path, line, 1, snippet=text.split("\n")[line - 1].strip()[:200])
    return out


def with_followed(package: Package) -> Package:
    """The package with its followed files found (the analyze stage does this once, before the workers)."""
    return package if package.followed is not None else replace(package, followed=followed(package))
