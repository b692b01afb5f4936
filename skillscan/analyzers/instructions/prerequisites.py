"""Fake prerequisites with only a link: a must-install precondition ("X must be installed before using
this skill", "使用本技能前必须安装 X") whose download link points at a host that cannot be the tool's
vendor — a free-hosting subdomain, a file host or drop, a paste site, a link shortener, a tunnel or a
raw IP (the never-coherent categories of `rules/purpose/services.yaml`), a share link of a personal cloud
drive (`rules/instructions/prerequisites.yaml`) or a host named after an agent platform it does not belong
to (lookalike.py) — and is not the package's own homepage. The structure
is the evidence, not the wording: the precondition is recognised by a modal of necessity next to an
install/download verb, in English or Chinese, and the host by its category or its borrowed name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.lookalike import lookalike
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.analyzers.instructions.sabotage_grammar import alternation, instruction_data
from skillscan.analyzers.literal_gate import fold, gate
from skillscan.capabilities.urls import after_scheme, normalize_host
from skillscan.model import Channel, Finding, Location
from skillscan.purpose.domains import same_site
from skillscan.purpose.services import load_table

RULE_IDS: tuple[str, ...] = ("fake-prerequisite-link",)

# a precondition: necessity + installing/downloading, or installing + "before/first"
PRECONDITION = re.compile(
    r"\b(?:must|needs?\s+to|has\s+to|have\s+to|is\s+required\s+to)\s+(?:first\s+)?be\s+(?:installed|downloaded|set\s*up|running)\b"
    r"|\b(?:must|needs?\s+to|has\s+to|have\s+to|(?:is|are)\s+required\s+to)\s+(?:first\s+)?(?:install|download)\b"
    r"|\brequires?\b[^.\n]{0,80}\b(?:to\s+be\s+)?(?:installed|downloaded)\b"
    r"|\b(?:install|download|get)\b[^.\n]{0,80}\b(?:before\s+(?:using|you\s+use|running|use)|first\b|prior\s+to)"
    r"|\b(?:before\s+(?:using|you\s+use|running)|to\s+use)\s+this\s+(?:skill|tool|plugin|extension)\b[^.\n]{0,80}\b(?:install|download)\w*"
    r"|\b(?:required|prerequisite|mandatory)\b[^.\n]{0,60}\b(?:install|download)\w*"
    r"|\b(?:install|download)\b[^.\n]{0,60}\b(?:required|prerequisite|mandatory)\b"
    r"|(?:必须|需要|务必|请先|须先|先)[^。\n]{0,30}(?:安装|下载)"
    r"|(?:安装|下载)[^。\n]{0,40}(?:之前|以前|前提|先决条件|才能)"
    r"|使用(?:本|此|该|这个)(?:技能|工具|插件)(?:之)?前[^。\n]{0,40}(?:安装|下载)"
    r"|\b(?:is|are)\s+required\s+for\s+(?:the|this)\s+(?:skill|tool|plugin|extension)\s+to\s+(?:work|run|function)\b",
    re.IGNORECASE)
DOWNLOAD = re.compile(r"\b(?:download|install|installer|get\s+it|setup)\b|下载|安装|地址", re.IGNORECASE)
URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+", re.IGNORECASE)
LURE_CATEGORIES = frozenset({"free-hosting", "file-hosting", "file-drop", "paste", "url-shortener", "tunnel",
                             "raw-ip"})
FOLLOWING_LINES = 3  # lines of a paragraph looked at for the link
MAX_REPORTS = 5  # per file: enough for a verdict
# project pages of code hosts: many real tools' official sites live there (jqlang.github.io)
PROJECT_PAGES = ("github.io", "gitlab.io")


@lru_cache(maxsize=1)
def _drive() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(share link, program cue, data cue) of rules/instructions/prerequisites.yaml."""
    data = instruction_data("prerequisites")
    return alternation(data["share_link"]), alternation(data["program_cue"]), alternation(data["data_cue"])


def _program_from_drive(url: str, *texts: str) -> bool:
    """A share link of a personal cloud drive (matched without its scheme) for a program — installed, run, an
    executable — and not for data: datasets and model weights are shared that way by honest authors too."""
    link, program, data = _drive()
    return link.match(after_scheme(url)) is not None and any(program.search(t) for t in texts) and \
        not any(data.search(t) for t in texts)


def _homepage(doc: Document) -> str:
    value = doc.frontmatter.get("homepage") if isinstance(doc.frontmatter, dict) else None
    return value if isinstance(value, str) else ""


def _link_lines(lines: tuple[str, ...], i: int) -> list[int]:
    """The lines whose links belong to the precondition on line `i`: the rest of its paragraph, and —
    when that has no link — the next paragraph's lines that speak of downloading or installing."""
    own, j = [i], i + 1
    while j < len(lines) and j <= i + FOLLOWING_LINES and lines[j].strip() and not PRECONDITION.search(lines[j]):
        own.append(j)
        j += 1
    if any(URL.search(lines[k]) for k in own):
        return own
    while j < len(lines) and not lines[j].strip():
        j += 1
    nxt: list[int] = []
    while j < len(lines) and lines[j].strip() and len(nxt) < FOLLOWING_LINES and not PRECONDITION.search(lines[j]):
        if DOWNLOAD.search(lines[j]):
            nxt.append(j)
        elif nxt and nxt[-1] == j - 1 and lines[j][:1] in " \t" and URL.search(lines[j]):
            nxt.append(j)  # "1. Download the installer from the release folder:" + the link indented below it
        j += 1
    return own + nxt


_SUBJECT = re.compile(r"([A-Za-z][\w.-]{2,40})[*_`'\"”’\s]*$")  # the program named right before the precondition
_CODE = re.compile(r"`[^`\n]+`")
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "pypi.org", "npmjs.com", "www.npmjs.com"})


def _subject(text: str, start: int) -> str:
    m = _SUBJECT.search(text[:start])
    word = m.group(1) if m else ""
    return "" if word.lower() in _NOT_PROGRAMS else word


_NOT_PROGRAMS = frozenset({"this", "it", "that", "which", "skill", "tool", "the", "and", "be", "package", "packages",
                           "library", "module", "dependency", "dependencies", "plugin", "extension", "app", "software",
                           "following", "also", "first", "installed", "version", "latest", "cli", "server"})
# the precondition is about the skill itself ("… is required for the skill to work", "before using this skill")
_ABOUT_SKILL = re.compile(r"\b(?:skill|plugin|extension)\b|技能|插件", re.IGNORECASE)


def _used(doc: Document, program: str, line: int) -> bool:
    """The document runs or names `program` as code anywhere but the precondition's line: a code fence,
    or an inline code span."""
    low = program.lower()
    fence = False
    for i, text in enumerate(doc.lines):
        if text.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if i == line:
            continue
        if fence and re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", text.lower()):
            return True
        if any(re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", c.lower()) for c in _CODE.findall(text)):
            return True
    return False


def prerequisite_links(doc: Document) -> list[Finding]:
    lines = doc.lines
    # every finding names a URL of one of the lines (URL.finditer below): a document with none has none
    if URL.search("\n".join(lines)) is None:
        return []
    table = load_table()
    precondition = gate(PRECONDITION)
    homepage = _homepage(doc)
    out: list[Finding] = []
    more = 0
    seen: set[str] = set()
    for i, text in enumerate(lines):
        # a line holding none of the words every PRECONDITION match holds is not searched (literal_gate.py)
        # a precondition wrapped over two lines of its paragraph ("…, you must" / "install it on the machine:")
        joined = text + " " + lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].strip() else text
        pre = PRECONDITION.search(joined) if precondition.may_match(fold(joined)) else None
        if pre is None or pre.start() >= len(text):
            continue
        for j in _link_lines(lines, i):
            for url in URL.finditer(lines[j]):
                host = normalize_host(url.group(0))
                sink = table.sink(host)
                if host in seen or (homepage and same_site(host, homepage)) or host.lower().endswith(PROJECT_PAGES):
                    continue
                program = _subject(text, pre.start())
                if sink is not None and sink.category in LURE_CATEGORIES:
                    what = f"{sink.label}, not the package's own site"
                elif _program_from_drive(url.group(0), text, lines[j], lines[j - 1] if j > i + 1 else ""):
                    what = "a share link of a personal cloud drive, not a vendor's download site"
                elif (brand := lookalike(host)) is not None:  # named after an agent platform it is not
                    what = f"a host named after {brand} that is none of the domains listed as its own, not the package's own site"
                elif program and _ABOUT_SKILL.search(text) and host.lower() not in CODE_HOSTS and \
                        not table.for_host(host) and not _used(doc, program, i):
                    what = f"a site the package does not give as its homepage, for {program}, which no command or code of " \
                           "this document runs"
                else:
                    continue
                seen.add(host)
                if len(out) >= MAX_REPORTS:
                    more += 1
                    continue
                quote = " ".join(pre.group(0).split())[:100]
                out.append(finding(
                    "fake-prerequisite-link",
                    f"Fake prerequisite: download link: “{quote}” sends the reader to download from {host} — "
                    f"{what}",
                    doc.path, i + 1, pre.start() + 1, snippet=text.strip()[:200],
                    capabilities=(f"net.egress[{host}]", "code.remote"), channel=Channel.INSTRUCTION,
                    related=() if j == i else (Location(doc.path, j + 1, url.start() + 1,
                                                        snippet=lines[j].strip()[:200]),),
                ))
    return capped(out, more, MAX_REPORTS)
