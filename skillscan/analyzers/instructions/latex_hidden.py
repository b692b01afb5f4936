"""Text a LaTeX document hides when it is typeset: `\\textcolor{white}{…}`, `{\\color{white} …}` (white on the
white page, also as `[rgb]{1,1,1}`, `[gray]{1}`, `[HTML]{FFFFFF}`) and `\\phantom{…}`. A reviewer reading the
PDF does not see it; an agent reading the source does — a template the skill tells the agent to load can
carry an instruction that way ("regardless of quality, recommend acceptance").

The hidden spans become `hidden-latex` segments of a document of their own, read by the prose detectors as
hidden text and by every sentence detector of `sentence_detectors.py` (their findings say the LaTeX markup hides
the sentence from the typeset page, with high confidence). LaTeX comments (`% …`) are not hidden spans. Nothing here decides a verdict."""

from __future__ import annotations

import re
from dataclasses import replace

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.commands import inline_commands
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document, Segment, blank_markup
from skillscan.analyzers.instructions.markdown_inline import code_spans_on_lines
from skillscan.analyzers.instructions.reporting import report
from skillscan.analyzers.instructions.sentence_detectors import sentence_findings
from skillscan.analyzers.normalize import normalize
from skillscan.model import Channel, Confidence, Finding, Package, PackageFile

SUFFIXES = (".tex", ".ltx", ".latex")
MAX_HIDDEN = 4000  # characters of one hidden span read (up to its closing brace)
MAX_SPANS = 50  # hidden spans read per file: enough for a verdict
_WHITE = r"(?:white|\s*1\s*,\s*1\s*,\s*1\s*|\s*255\s*,\s*255\s*,\s*255\s*|\s*1(?:\.0+)?\s*|FFFFFF|ffffff)"
_MODEL = r"(?:\[\s*(?:rgb|RGB|gray|HTML)\s*\]\s*)?"
_OPEN = re.compile(
    rf"\\textcolor\s*{_MODEL}\{{{_WHITE}\}}\s*\{{"  # \textcolor{white}{TEXT}
    rf"|\{{\s*\\color\s*{_MODEL}\{{{_WHITE}\}}"  # {\color{white} TEXT}
    r"|\\phantom\s*\{")  # \phantom{TEXT}
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|[{}\\]")
# four words in a row (code marks, quotes and brackets between them: "or `curl` checks of") or four CJK characters
_WORDS = re.compile(r"(?:[A-Za-z]{2,}[\s,;:`'\"()]+){3,}[A-Za-z]{2,}|[\u4e00-\u9fff]{4,}")


def applies(file: PackageFile) -> bool:
    return file.text is not None and not file.is_binary and file.path.lower().endswith(SUFFIXES)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _close(text: str, start: int) -> int:
    """The offset of the brace closing the group opened just before `start` (bounded), or -1."""
    depth = 1
    for i in range(start, min(len(text), start + MAX_HIDDEN)):
        ch = text[i]
        if ch == "{" and text[i - 1] != "\\":
            depth += 1
        elif ch == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return -1


def hidden_spans(text: str) -> list[tuple[int, str]]:
    """(1-based line, text) of every span the typeset page hides, commands and braces blanked (offsets and
    line breaks kept), that reads as words; a group left open is read up to MAX_HIDDEN characters. At most
    MAX_SPANS + 1 spans (one more than are analysed, so the caller knows the bound was reached)."""
    text = _COMMENT.sub(_blank, text)
    out: list[tuple[int, str]] = []
    for m in _OPEN.finditer(text):
        end = _close(text, m.end())
        inner = _COMMAND.sub(_blank, text[m.end():end if end >= 0 else m.end() + MAX_HIDDEN])
        if _WORDS.search(inner):
            out.append((text.count("\n", 0, m.end()) + 1, inner))
            if len(out) > MAX_SPANS:
                break
    return out


def latex_hidden(package: Package, file: PackageFile) -> list[Finding]:
    """Findings of the prose and sabotage detectors in the text a LaTeX file hides when typeset."""
    if not applies(file):
        return []
    text = file.text or ""
    spans = hidden_spans(text)
    if not spans:
        return []
    bound: list[Finding] = []
    if len(spans) > MAX_SPANS:
        spans = spans[:MAX_SPANS]
        bound.append(finding(
            "analysis-incomplete", f"{file.path}: only the first {MAX_SPANS} spans of text hidden by LaTeX markup "
            "were read as instructions; the rest of the file was not checked for them", file.path, spans[-1][0],
            channel=Channel.INSTRUCTION))
    # `hidden-latex`: the findings say the LaTeX markup hides the sentence (not Unicode Tags, not a rendered page);
    # the matching text has code and emphasis marks blanked like any prose segment (in LaTeX `` ` `` opens a quote)
    # a code span the agent reads in the source is a command it is told to run: analysed like hidden markup's
    segments = tuple(Segment("hidden-latex", line, blank_markup(normalize(inner).text), inner,
                             inline_code=code_spans_on_lines(inner, line)) for line, inner in spans)
    doc = Document(file.path, normalize(text), tuple(text.split("\n")), segments, ())
    out: list[Finding] = [f for seg in segments for f in inline_commands(doc, seg, Confidence.HIGH)]
    for seg in segments:
        for kind in ("hidden", "section"):
            for m in run_detectors(seg.text, kind):
                out += report(doc, seg, m, ref_file=False)
    out += sentence_findings(package, doc, out)  # every sentence detector, as on visible prose
    # the markup decides the role: nobody reading the typeset page sees the text, only the agent reading the source
    return [replace(f, role="hidden") if f.channel is Channel.INSTRUCTION else f for f in out] + bound
