"""Environment selections in shell and PowerShell (analyzers/envselect.py): what the stages between an
environment dump and an upload keep, and what a PowerShell pipeline over the `env:` drive keeps.

- `grep_selection(stages) -> EnvSelection | None | "names"`: `env | grep -iE 'key|token' | curl …` keeps the
  NAME=value lines matching the pattern; `grep -v`, a pattern read from a file or an unknown word keeps the
  whole environment (None); `cut -d= -f1` keeps the names only (`"names"`).
- `ps_selection(text) -> EnvSelection | None | "names"`: `Get-ChildItem env: | Where-Object Name -match
  'KEY|TOKEN'` (`-like '*TOKEN*'`, `{ $_.Name -match … }`); a projection to the name alone
  (`Select-Object -ExpandProperty Name`, `ForEach-Object { $_.Name }`) keeps the names only."""

from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Sequence

from skillscan.analyzers.envselect import EnvSelection, from_regex

NAMES = "names"
_GREP_FLAGS = re.compile(r"^-[iEFP]+$")
_PS_FILTER = re.compile(
    r"(?:where-object|where|\?)\s*(?:\{\s*\$(?:_|psitem)\.(?:name|key)\s+|(?:-property\s+)?(?:name|key)\s+)"
    r"-(c?)(match|like)\s+(['\"])(.{1,200}?)\3", re.IGNORECASE)
_PS_NAMES = re.compile(r"-expandproperty\s+(?:name|key)\b|\$(?:_|psitem)\.(?:name|key)\s*\}", re.IGNORECASE)
_PS_VALUES = re.compile(r"\bvalue\b", re.IGNORECASE)


def grep_selection(stages: Sequence[Sequence[str | None]]) -> EnvSelection | str | None:
    """The filter the pipeline stages (argv, from the dump down to the upload) apply to a dump's lines."""
    chosen: EnvSelection | None = None
    for argv in stages:
        if not argv or argv[0] is None:
            return None
        prog = argv[0].rsplit("/", 1)[-1]
        if prog in ("cut",) and any(a in ("-f1", "-f 1") for a in argv if a) and \
                any(a in ("-d=", "-d =") for a in argv if a):
            return NAMES
        if prog not in ("grep", "egrep"):
            continue
        flags, words = [], []
        for a in argv[1:]:
            if a is None:
                return None
            (flags if a.startswith("-") and len(a) > 1 else words).append(a)
        if len(words) != 1 or not all(_GREP_FLAGS.match(f) for f in flags):
            return None  # `grep -v`, `-f FILE`, several patterns: not a selection this reads
        ignore = any("i" in f for f in flags)
        pattern = words[0]
        if any("F" in f for f in flags):
            sel = EnvSelection("contain", (pattern,), ignore, lines=True)
        elif prog == "grep" and not any("E" in f or "P" in f for f in flags):  # basic: `\|` alternates
            sel = EnvSelection("regex", (pattern,), ignore, lines=True) if "|" in pattern.replace("\\|", "") \
                else from_regex(pattern.replace("\\|", "|"), ignore, lines=True)
        else:
            sel = from_regex(pattern, ignore, lines=True)
        if chosen is not None:
            return None  # a second filter: the pair is not one pattern this names
        chosen = sel
    return chosen


def _wildcard(text: str) -> EnvSelection | None:
    """A `-like` pattern: `*TOKEN*` contains, `*_KEY` ends with, `AWS_*` starts with."""
    core = text.strip("*")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", core):
        return None
    if text.startswith("*") and text.endswith("*"):
        return EnvSelection("contain", (core,), True)
    if text.startswith("*"):
        return EnvSelection("suffix", (core,), True)
    if text.endswith("*"):
        return EnvSelection("prefix", (core,), True)
    return None


def ps_selection(text: str) -> EnvSelection | str | None:
    """What a PowerShell pipeline over the environment drive keeps, from its text."""
    m = _PS_FILTER.search(text[:4000])
    if m is None:
        return None
    case_sensitive, op, pattern = m.group(1) == "c", m.group(2).lower(), m.group(4)
    sel = from_regex(pattern, not case_sensitive) if op == "match" else _wildcard(pattern)
    if sel is None:
        return None
    rest = text[m.end():4000]
    if _PS_NAMES.search(rest) and not _PS_VALUES.search(rest):
        return NAMES
    return replace(sel, origin="env:")
