"""Hidden Unicode: Tag-block text, bidirectional controls and invisible characters inside words, in
instruction files and (Tag text and bidi only) in any other text file."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.capabilities import match_capabilities
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.normalize import normalize, reorders_words
from skillscan.catalog import get_catalog
from skillscan.model import Channel, Finding, Severity

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("bidi-control-characters", "hidden-unicode-tag-instructions",
                             "invisible-characters-in-instructions")


def obfuscated(doc: Document, line: int) -> bool:
    return line in doc.normalized.obfuscated_lines


def unicode_findings(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    norm = doc.normalized
    by_line: dict[int, list[Any]] = {}
    for h in norm.hidden:
        by_line.setdefault(h.line, []).append(h)
    for line, runs in sorted(by_line.items()):
        decoded = "".join(r.text for r in runs)
        out.append(finding(
            "hidden-unicode-tag-instructions",
            f"invisible Unicode Tag characters spell out hidden text: “{' '.join(decoded.split())[:160]}”",
            doc.path, line, runs[0].column, snippet=doc.lines[line - 1].strip()[:200] if line <= len(doc.lines) else "",
            channel=Channel.INSTRUCTION, decoded=decoded))
    if norm.bidi:
        line, column, _name = norm.bidi[0]
        kinds = sorted({b[2] for b in norm.bidi})
        out.append(finding(
            "bidi-control-characters",
            f"{len(norm.bidi)} bidirectional control character(s) ({', '.join(kinds)}): displayed text differs "
            "from what the model reads", doc.path, line, column,
            snippet=doc.lines[line - 1].strip()[:200] if line <= len(doc.lines) else "", channel=Channel.INSTRUCTION))
    if norm.zero_width:
        line, column, _ = norm.zero_width[0]
        kinds = sorted({z[2] for z in norm.zero_width})
        lines = sorted({z[0] for z in norm.zero_width})
        strong = len(kinds) >= 3 or len(norm.zero_width) >= 10
        out.append(finding(
            "invisible-characters-in-instructions",
            f"{len(norm.zero_width)} invisible character(s) inside words ({', '.join(kinds)}) on "
            f"{len(lines)} line(s)", doc.path, line, column,
            snippet=doc.lines[line - 1].strip()[:200] if line <= len(doc.lines) else "", channel=Channel.INSTRUCTION,
            severity=Severity.MEDIUM if strong else None))
    return out


HIDDEN_CHARS = re.compile("[\U000E0000-\U000E007F\u202a-\u202e\u2066-\u2069]")
FIRST_HIDDEN = "\u202a"  # the lowest code point HIDDEN_CHARS matches


def has_hidden_chars(text: str) -> bool:
    """`HIDDEN_CHARS.search(text) is not None`, without the search for a text that cannot hold one: an ASCII
    text (a constant-time flag of the string) or one whose highest character is below the class's lowest (one
    C-level scan, several times faster than the regex's scan) — most files scanned."""
    if text.isascii() or max(text) < FIRST_HIDDEN:
        return False
    return HIDDEN_CHARS.search(text) is not None


def hidden_unicode_only(path: str, text: str) -> list[Finding]:
    """Tag-block text and bidi controls in a file that is not an instruction file (source, config)."""
    if not has_hidden_chars(text):
        return []
    norm = normalize(text)
    lines = norm.text.split("\n")
    raw = text.split("\n")
    # in source and data, controls that reorder no word (a scanner's table of them) show the reader nothing else
    bidi = tuple(b for b in norm.bidi if reorders_words(raw[b[0] - 1]))
    doc = Document(path, replace(norm, zero_width=(), bidi=bidi), tuple(lines), (), ())
    out = unicode_findings(doc)
    for hidden in norm.hidden:
        decoded = normalize(hidden.text).text
        for kind in ("hidden", "section"):
            for m in run_detectors(decoded, kind):
                rule = get_catalog().rule(m.detector.rule)
                confidence = ctx.raise_(m.pattern.confidence if m.pattern.confidence is not None else rule.confidence)
                out.append(finding(rule.id, f"{rule.title}: “{' '.join(m.text.split())[:160]}” "
                                   "[hidden in invisible Unicode Tag characters]", path, hidden.line, hidden.column,
                                   snippet=lines[hidden.line - 1].strip()[:200], capabilities=match_capabilities(m),
                                   channel=Channel.INSTRUCTION, confidence=confidence, decoded=hidden.text))
    return out
