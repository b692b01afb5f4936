"""Commands in inline code spans beyond the fixed command words: "Use `gh issue list --state open`
and apply labels with `gh issue edit <n>`". A span counts as a command the agent is told to run when
- its first word is a program of the shell capability map (`rules/capabilities/shell.yaml`) whose name
  is not an ordinary word (`rules/instructions/inline.yaml` ambiguous_programs),
- it has at least one argument (a program name alone, a file name or a flag alone is not a command),
- the text before it on its line tells the reader to use or run it (`told_cue`, English and Chinese).
Placeholders (`<n>`, `<issue-number>`) become plain words, so the shell parser does not read them as
redirections. The command then goes to the shell analyser like any other command in prose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.catalog import rules_dir
from skillscan.ruledata import load_yaml_file

PLACEHOLDER = re.compile(r"<([A-Za-z][\w-]{0,40})>")
MAX_SPAN = 400


@dataclass(frozen=True)
class InlineWords:
    told: re.Pattern[str]
    ambiguous: frozenset[str]
    not_command: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> InlineWords:
    data = load_yaml_file(rules_dir() / "instructions" / "inline.yaml") or {}
    return InlineWords(
        told=re.compile("|".join(f"(?:{p})" for p in data["told_cue"]), re.IGNORECASE),
        ambiguous=frozenset(str(x).lower() for x in data["ambiguous_programs"]),
        not_command=re.compile(data["not_command"], re.IGNORECASE),
    )


@lru_cache(maxsize=1)
def _programs() -> frozenset[str]:
    from skillscan.analyzers.shell.capmap import load_capmap

    return frozenset(name.lower() for name in load_capmap().programs)


def told_command(code: str, line_text: str) -> str | None:
    """The command to analyse when the inline span `code` on `line_text` is a program the reader is told to
    run (see the module docstring), else None."""
    span = code.strip()
    if not span or len(span) > MAX_SPAN or " " not in span:
        return None
    w = words()
    first = span.split(None, 1)[0].lower()
    if first in w.ambiguous or first not in _programs() or w.not_command.match(span):
        return None
    at = line_text.find(code)
    before = line_text[: at if at >= 0 else len(line_text)]
    if not w.told.search(before[-120:]):
        return None
    return PLACEHOLDER.sub(r"\1", span)
