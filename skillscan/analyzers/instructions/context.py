"""Is this an instruction to execute, or reference material that describes an attack?

Signals (each a short reason shown in the finding): the file sits under references/, docs/,
examples/ or tests/; the section heading is about detection, indicators or what to avoid; the
sentence is negated or introduces an example; the text is quoted or in a table; the fence is marked
as output/example text. The vocabulary is data: `rules/instructions/context.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from skillscan.analyzers.literal_gate import fold, gated_search
from skillscan.catalog import rules_dir
from skillscan.model import Confidence
from skillscan.ruledata import load_yaml_file

if TYPE_CHECKING:
    from skillscan.analyzers.instructions.document import Document


@dataclass(frozen=True)
class ContextWords:
    reference_dirs: frozenset[str]
    reference_names: re.Pattern[str]
    reference_heading: re.Pattern[str]
    describe_sentence: re.Pattern[str]
    negation: re.Pattern[str]
    output_fence: frozenset[str]
    shell_fence: frozenset[str]
    command_start: re.Pattern[str]


def _alt(items: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(items) + ")", re.IGNORECASE)


@lru_cache(maxsize=1)
def words() -> ContextWords:
    data = load_yaml_file(rules_dir() / "instructions" / "context.yaml") or {}
    return ContextWords(
        reference_dirs=frozenset(str(d).lower() for d in data["reference_dirs"]),
        reference_names=_alt(data["reference_names"]),
        reference_heading=_alt(data["reference_heading"]),
        describe_sentence=_alt(data["describe_sentence"]),
        negation=_alt(data["negation"]),
        output_fence=frozenset(str(x).lower() for x in data["output_fence"]),
        shell_fence=frozenset(str(x).lower() for x in data["shell_fence"]),
        command_start=re.compile(r"^\s*(?:[$#>]\s+|PS[^>]{0,40}>\s*)?(?:sudo\s+)?(?:" + "|".join(data["command_words"])
                                 + r")(?:\s|$)", re.IGNORECASE),
    )


def reference_file(path: str) -> bool:
    w = words()
    parts = [p.lower() for p in PurePosixPath(path.split("#", 1)[0]).parts]
    return any(p in w.reference_dirs for p in parts[:-1]) or bool(w.reference_names.search(parts[-1] if parts else ""))


def lower(conf: Confidence, steps: int = 1) -> Confidence:
    return Confidence(max(int(Confidence.LOW), int(conf) - steps))


def raise_(conf: Confidence) -> Confidence:
    return Confidence(min(int(Confidence.HIGH), int(conf) + 1))


SENTENCE_END = re.compile(r"[.!?。！？]\s|\n\s*\n|\n\s*[-*+]\s|\n\s*\d+\.\s|\n#")


def sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """(text of the sentence before the match, the whole sentence)."""
    lo = max(0, start - 600)
    for m in SENTENCE_END.finditer(text, lo, start):
        lo = m.end()
    hi_m = SENTENCE_END.search(text, end, end + 600)
    hi = hi_m.start() + 1 if hi_m else min(len(text), end + 600)
    return text[lo:start], text[lo:hi]


def quoted(line_text: str, col_start: int, col_end: int) -> bool:
    """Whether [col_start, col_end) of a raw line sits inside quotes or backticks."""
    before = line_text[:col_start]
    for open_, close in (('"', '"'), ("“", "”"), ("「", "」"), ("`", "`"), ("'", "'")):
        if open_ == close:
            if before.count(open_) % 2 == 1 and close in line_text[col_end:]:
                return True
        elif before.rfind(open_) > before.rfind(close) and close in line_text[col_end:]:
            return True
    return False


def described(doc: Document, line: int, text: str) -> bool:
    """Whether a command at `line` is introduced as an example, an indicator or something to avoid."""
    w = words()
    low = fold(text)  # each pattern runs only where its literal gate is open (literal_gate.py)
    if gated_search(w.describe_sentence, text, low) or gated_search(w.negation, text, low):
        return True
    heading = doc.heading_path(line)
    return bool(heading) and reference_heading(heading)


@lru_cache(maxsize=1024)
def reference_heading(heading: str) -> bool:
    """Whether a heading path reads as reference material (the same headings come up for many commands)."""
    return bool(words().reference_heading.search(heading))
