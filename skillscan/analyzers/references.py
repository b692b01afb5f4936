"""Instructions that run a shell script the package does not ship.

A skill whose instructions say `./setup.sh` or `source env.sh` while no such file is in the package
asks the agent to run code nobody can review: whatever sits at that path on the user's machine, or
arrives later, is what runs (the "bundled artifact" trojan). The scan cannot vouch for it, so it is
reported for review rather than passed unseen.

Which documents are read as instructions here is on purpose not `Package.followed` (the analyze
stage's fact, read by the instructions engine and the roles): that fact holds reference files
(references/, docs/…) that any Markdown document of the package — a README included — tells the
agent to follow. This rule reads the entry files (SKILL.md, commands/*.md, agents/*.md) and any file
an entry file tells the agent to follow (`follows.followed_files`), wherever it lives: a root
INSTALL.md that SKILL.md says to follow runs scripts as surely as references/setup.md, while a
README's "follow the steps in docs/setup.md" is addressed to a person installing the package, so a
script missing from those steps is not reported as the agent being told to run unseen code. Moving
this rule onto `Package.followed` would change its findings, so it is a judgement change, not a
refactor."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.follows import followed_files
from skillscan.lines import text_lines
from skillscan.model import Capability, Channel, Finding, Package

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("instructions-run-missing-script",)

FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"`([^`\n]{2,200})`")
# running a local shell script: ./x.sh, source x.sh, . x.sh, bash|sh|zsh x.sh
RUN_SCRIPT = re.compile(
    r"(?:^|[\s;&|(])(?:(?:source|\.|bash|sh|zsh)[ \t]{1,8}|\./)"
    r"(?P<path>(?:\.{1,2}/)?(?:[\w.-]{1,128}/){0,16}[\w.-]{1,128}\.(?:sh|bash|zsh|command))\b")
# every RUN_SCRIPT match contains one of these: a text (or code span) without any cannot match
EXTENSIONS = (".sh", ".bash", ".zsh", ".command")
MAX_SPAN = 64 * 1024  # longer code blocks are data, not instructions to run a script
DOC_NAMES = ("SKILL.md", "skill.md")
MAX_REPORTS = 5


def _code_spans(text: str) -> list[tuple[int, str]]:
    """(offset, code) for fenced blocks and inline code spans."""
    spans = [(m.start(2), m.group(2)) for m in FENCE.finditer(text)]
    stripped = FENCE.sub(lambda m: " " * len(m.group(0)), text)
    spans += [(m.start(1), m.group(1)) for m in INLINE.finditer(stripped)]
    return spans


class MissingScriptAnalyzer:
    name = "missing-scripts"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        present = {f.path for f in package.files if not f.virtual}
        out: list[Finding] = []
        followed = followed_files(package)
        for f in package.files:
            if f.virtual or f.text is None or f.language != "markdown" or f.truncated:
                continue
            if f.path not in DOC_NAMES and not f.path.startswith(("commands/", "agents/")) and f.path not in followed:
                continue
            if not any(ext in f.text for ext in EXTENSIONS):
                continue
            base = posixpath.dirname(f.path)
            reported: set[str] = set()
            lines: list[str] | None = None
            for offset, code in _code_spans(f.text):
                if len(code) > MAX_SPAN or not any(ext in code for ext in EXTENSIONS):
                    continue
                for m in RUN_SCRIPT.finditer(code):
                    raw = m.group("path")
                    rel = posixpath.normpath(posixpath.join(base, raw))
                    if rel.startswith("../") or rel in present or posixpath.normpath(raw) in present:
                        continue
                    if "$" in raw or raw in reported or len(reported) >= MAX_REPORTS:
                        continue
                    reported.add(raw)
                    line = f.text.count("\n", 0, offset + m.start("path")) + 1
                    if lines is None:
                        lines = text_lines(f.text)
                    out.append(finding(
                        "instructions-run-missing-script",
                        f"instructions run `{raw}`, which the package does not contain: the code that would run "
                        "cannot be reviewed", f.path, line, snippet=lines[line - 1] if f.text else "",
                        channel=Channel.INSTRUCTION, capabilities=[Capability("proc.exec", posixpath.basename(raw))]))
        return out
