"""Download-and-run told in prose, with no command: "Download the script at <url>.py to a temporary
location and run it", "下载 <url>.sh 并执行". The same act as `curl -o /tmp/x.py <url> && python
/tmp/x.py` (shell/downloads.py, remote-code-download-exec), written as sentences the agent follows, so
the shell analyzer never sees it.

The structure is the evidence: in one paragraph or list item (a run of non-blank lines outside code
fences, at most WINDOW lines either side of the link) a link whose path names a script or an executable
(.py, .sh, .ps1, .exe …), a verb of fetching (download, fetch, curl, 下载 …) and a verb of running (run,
execute, 运行, 执行 …), with no negation in front of them ("never download and run …"). A link to the
package's own homepage is its own code, not reported. The finding carries `code.remote[<url>]`, which
the gate judges like the shell form (vendor installers, the stated project, the host)."""

from __future__ import annotations

import re

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.capabilities.tiers import is_local_host
from skillscan.capabilities.urls import file_name, normalize_host
from skillscan.model import Channel, Finding, Location
from skillscan.purpose.domains import same_site

RULE_IDS: tuple[str, ...] = ("remote-script-run-instruction",)

URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+", re.IGNORECASE)
# the link's path names a program file: a script or an installer/executable
SCRIPT_PATH = re.compile(
    r"\.(?:py|sh|bash|zsh|ps1|psm1|bat|cmd|vbs|js|mjs|cjs|rb|pl|php|exe|msi|jar|appimage|command)$", re.IGNORECASE)
FETCH = re.compile(r"\b(?:download(?:s|ed|ing)?|fetch(?:es|ed|ing)?|grab|curl|wget|save\s+it)\b|下载|获取|拉取",
                   re.IGNORECASE)
RUN = re.compile(r"\b(?:run|runs|running|execute[sd]?|executing|launch(?:es|ed)?|invoke[sd]?)\b|运行|执行|启动",
                 re.IGNORECASE)
# a negation before the verb in the same line: a warning against the act, not the act
NEGATED = re.compile(r"\b(?:never|not|don'?t|do\s+not|avoid|instead\s+of)\b[^.\n]{0,60}$|(?:不要|切勿|禁止|请勿)[^。\n]{0,30}$",
                     re.IGNORECASE)
WINDOW = 2  # lines either side of the link, inside its paragraph
MAX_REPORTS = 5  # per file: enough for a verdict


def _fence_lines(doc: Document) -> set[int]:
    """0-based indexes of lines inside code fences (commands there are the shell analyzer's)."""
    out: set[int] = set()
    fence = False
    for i, text in enumerate(doc.lines):
        if text.lstrip().startswith(("```", "~~~")):
            out.add(i)
            fence = not fence
        elif fence:
            out.add(i)
    return out


def _window(lines: tuple[str, ...], i: int, fenced: set[int]) -> list[int]:
    """Line `i` and up to WINDOW lines either side of it, stopping at a blank line or a fence."""
    own = [i]
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= WINDOW and lines[j].strip() and j not in fenced:
            own.append(j)
            j += step
    return sorted(own)


def _verb(lines: tuple[str, ...], window: list[int], pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """(line, column) of the first un-negated match of `pattern` in the window."""
    for j in window:
        for m in pattern.finditer(lines[j]):
            if not NEGATED.search(lines[j][:m.start()]):
                return j, m.start()
    return None


def _homepage(doc: Document) -> str:
    value = doc.frontmatter.get("homepage") if isinstance(doc.frontmatter, dict) else None
    return value if isinstance(value, str) else ""


def remote_script_runs(doc: Document) -> list[Finding]:
    lines = doc.lines
    fenced = _fence_lines(doc)
    homepage = _homepage(doc)
    out: list[Finding] = []
    more = 0
    seen: set[str] = set()
    for i, text in enumerate(lines):
        if i in fenced or "://" not in text:
            continue
        for m in URL.finditer(text):
            url = m.group(0).rstrip(".,;:*")
            try:  # a malformed URL (`https://[x`) names no file and no host
                name, host = file_name(url), normalize_host(url)
            except ValueError:
                continue
            if not SCRIPT_PATH.search(name) or url in seen:
                continue
            if not host or is_local_host(host) or (homepage and same_site(host, homepage)):
                continue
            window = _window(lines, i, fenced)
            fetch, run = _verb(lines, window, FETCH), _verb(lines, window, RUN)
            if fetch is None or run is None:
                continue
            seen.add(url)
            if len(out) >= MAX_REPORTS:
                more += 1
                continue
            related = tuple(Location(doc.path, j + 1, col + 1, snippet=lines[j].strip()[:200])
                            for j, col in dict.fromkeys((fetch, run)) if j != i)
            out.append(finding(
                "remote-script-run-instruction",
                f"the instructions tell the agent to download {url} ({name}) and run it: the program fetched at "
                "run time is not part of the package and cannot be reviewed",
                doc.path, i + 1, m.start() + 1, snippet=text.strip()[:200],
                capabilities=(f"code.remote[{url}]", f"net.egress[{host}]"), channel=Channel.INSTRUCTION,
                related=related,
            ))
    return capped(out, more, MAX_REPORTS)
