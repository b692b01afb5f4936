"""Sabotage without a command: prose that makes a file outside the package steer what the agent
delivers. Three parts in one paragraph of prose (or an HTML comment, or other hidden text) aimed at the agent:

1. a path to a specific data file outside the package and its workspace-relative paths — under a home
   directory (`~/`, `/home/<user>/`, `/Users/<user>/`, `/root/`) or a mount/data root (`/data/`,
   `/mnt/`, `/app/`, `/workspace/`, `/srv/`, `/opt/`) — with a document, data or source-code extension, and not
   inside a dot-directory (a tool's own configuration, `~/.aliyun/config.json`) or `/tmp/`;
2. what the agent is to do with it: carry it into the result (preserve, embed, prepend, verbatim,
   hidden, "treat it as", take precedence, override, in place of …), or act on its mere existence
   ("if <file> exists / is present");
3. no negation in front ("never treat … as").

The file is one the user never handed over and the package does not ship; whatever sits there
decides part of the output. English and Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import SENTENCE_KINDS, Said, confidence, reports
from skillscan.analyzers.literal_gate import fold, gated_search
from skillscan.model import Finding

RULE_IDS: tuple[str, ...] = ("outside-file-steers-output",)

OUTSIDE_FILE = re.compile(
    r"(?<![\w.$}/])(?:~|/(?:root|home/[\w-]+|Users/[\w-]+|data|mnt|app|workspace|srv|opt))"
    r"(?:/[\w@%+<>-][\w.@%+<>-]*)*/[\w@%+<>-][\w.@%+<>-]*"
    r"\.(?:json|jsonl|md|txt|csv|tsv|ya?ml|html?|xlsx|docx|pptx|pdf|log|toml|ini|xml|"
    r"py|js|mjs|ts|sh|scala|java|javafrag|rb|go|rs|php)\b")


def outside_files(text: str) -> Iterator[re.Match[str]]:
    """The OUTSIDE_FILE matches of `text` that are a user's own file: not under a /tmp/ directory and not
    inside a tool's dot-directory (`~/.cache/x/y.json`)."""
    for m in OUTSIDE_FILE.finditer(text):
        if "/tmp/" not in m.group(0) and not any(p.startswith(".") for p in m.group(0).split("/")[1:-1]):
            yield m
STEER = re.compile(
    r"\b(?:preserve[sd]?|preserving|embed(?:s|ded)?|prepend(?:s|ed)?|verbatim|hidden|"
    r"treat\s+(?:it|them|this|that|the\s+[\w-]+(?:\s+[\w-]+)?)\s+as|carry\s+(?:over|forward|its|the)|"
    r"take[sn]?\s+precedence|supersedes?|overrides?|in\s+place\s+of|source\s+of\s+truth|canonical|authoritative|"
    r"fold(?:s|ed)?\s+(?:it|them)\s+into|vendor(?:s|ed|ing)?)\b"
    r"|(?:原样|原封不动|保留|隐藏|嵌入|视为|当作|优先于|覆盖|替换)", re.IGNORECASE)
EXISTS = re.compile(
    r"\b(?:if|when|whenever|once)\b(?:[^.\n]|\.(?=\w)){0,160}?\b(?:exists?|is\s+present|are\s+present|is\s+available|is\s+found)\b"
    r"|(?:如果|若|当)[^。\n]{0,80}(?:存在|可用)", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:never|do\s+not|don't|must\s+not|should\s+not|avoid)\b|不要|禁止|切勿|不得", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")
KINDS = SENTENCE_KINDS  # prose, HTML comments and hidden text
MAX_REPORTS = 5  # per file: enough for a verdict


def _negated(paragraph: str, start: int) -> bool:
    """Is the sentence holding offset `start` a prohibition?"""
    begin = 0
    for m in SENTENCE.finditer(paragraph, 0, start):
        begin = m.end()
    return bool(NEGATION.search(paragraph[begin:start + 1]) and NEGATION.search(paragraph[begin:begin + 40]))


WRITTEN = re.compile(r"\b(?:writes?|wrote|written|saves?|saved|outputs?|creates?|generates?)\s+(?:to\s+|into\s+)?[`'\"]?$",
                     re.IGNORECASE)


def _steering_path(text: str, at: int) -> re.Match[str] | None:
    """The outside data file the steering sentence is about: of the paragraph's outside files (not in /tmp/,
    not in a tool's dot-directory, not the file the agent is told to write), the one nearest to `at`."""
    best: re.Match[str] | None = None
    for m in outside_files(text):
        if WRITTEN.search(text[max(0, m.start() - 30):m.start()]):
            continue
        if best is None or abs(m.start() - at) < abs(best.start() - at):
            best = m
    return best


def _said(doc: Document) -> Iterator[Said]:
    for seg in doc.segments:
        if seg.kind not in KINDS:
            continue
        text = seg.raw or seg.text
        if "/" not in text:  # every OUTSIDE_FILE match holds the "/" before its file name: no path, no finding
            continue
        low = fold(text)  # each pattern runs only where its literal gate is open (literal_gate.py)
        how = gated_search(STEER, text, low) or gated_search(EXISTS, text, low)
        path = _steering_path(text, how.start()) if how is not None else None
        if path is None or how is None or _negated(text, path.start()):
            continue
        verb = " ".join(how.group(0).split())[:60]
        yield Said(seg.kind, seg.line_at(path.start()),
                   f"let {path.group(0)}, a file outside the package, decide part of what the agent delivers (“{verb}”)",
                   confidence=confidence(seg.kind, None))


def steering(doc: Document) -> list[Finding]:
    return reports(doc, "outside-file-steers-output", "Outside file steers the output", _said(doc), MAX_REPORTS)
