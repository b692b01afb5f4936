"""Prose in a data file the instructions tell the agent to follow: "load the operating prompt from
assets/prompt.json and follow it", "use the rules in config/agent.yaml as your instructions". The string
values of that JSON, YAML or TOML file are instructions the agent takes, as a Markdown file it is told to
follow is (instructions/follows.py): they are read by the instruction detectors with the role of an agent
instruction, each finding on the line of the data file that holds the string.

Only sentences are read (strings of four words or more, or six CJK characters), never keys, identifiers,
paths or numbers. The file is parsed by a library, never evaluated; sizes and counts are bounded and a bound that
leaves strings unread is reported."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from skillscan.analyzers.base import finding, line_of
from skillscan.analyzers.data.encoded import CJK, WORD, Prose
from skillscan.analyzers.data.instructions import followed_instructions
from skillscan.analyzers.instructions.follows import entry_files, resolve
from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.formats.common import ManifestError, load_data_text, value_pos
from skillscan.model import Channel, Finding, Location, Package, PackageFile

DATA_EXT = ("json", "yaml", "yml", "toml")
MAX_FILE = 1 << 20  # characters of a followed data file parsed
MAX_STRINGS = 2_000  # string values looked at
MAX_DEPTH = 40  # nesting walked

# a sentence of an instruction file that names a data file and tells the agent to take it as instructions:
# a take verb, an instruction noun and the path in one line, in either order ("load the prompt from X and
# follow it", "follow the instructions in X", "use X as your system prompt"; 按照 X 中的指令执行)
_PATH = r"\[?`?(?P<target>[\w./-]+\.(?:json|ya?ml|toml))`?\]?"
_TAKE = re.compile(r"\b(?:follow|obey|apply|adopt|execute|carry\s+out|act\s+on|comply\s+with)\b"
                   r"|\bas\s+(?:your|the\s+agent's|its)\s+(?:system\s+)?(?:prompt|instructions|rules|persona)\b"
                   r"|按照|遵循|遵守|执行|作为(?:你的)?(?:系统)?(?:提示|指令)", re.IGNORECASE)
_NOUN = re.compile(r"\b(?:prompts?|instructions?|rules|directives?|steps|polic(?:y|ies)|persona|guidance|"
                   r"procedure|playbook)\b|提示词?|指令|规则|步骤|策略", re.IGNORECASE)
_NAMED = re.compile(_PATH, re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:never|do\s+not|don't|must\s+not|ignore)\b|不要|切勿|忽略", re.IGNORECASE)


def entry_texts(package: Package) -> list[tuple[str, str]]:
    """(path, text) of the entry files (SKILL.md, commands/, agents/) that may tell the agent to follow a file."""
    return [(f.path, (f.text or "")[:MAX_TEXT]) for f in entry_files(package)]


def told_to_follow(entries: Sequence[tuple[str, str]], path: str) -> Location | None:
    """The first line of an entry file (`entry_texts`) that tells the agent to take the data file `path` as
    instructions, or None."""
    name = posixpath.basename(path)
    for base, text in entries:
        if name not in text:  # cheap: most data files are never named
            continue
        for m in _NAMED.finditer(text):
            if resolve(base, m.group("target")) != path:
                continue
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            line = text[start:end if end >= 0 else len(text)]
            if _TAKE.search(line) and _NOUN.search(line) and not _NEGATION.search(line):
                number = text.count("\n", 0, m.start()) + 1
                return Location(base, number, 1, snippet=" ".join(line.split())[:200])
    return None


def _sentence(value: str) -> bool:
    """Words, not an identifier, a path or a number: the file is instructions, so a short sentence counts."""
    sample = value[:4000]
    return (" " in sample.strip() and len(WORD.findall(sample)) >= 4) or len(CJK.findall(sample)) >= 6


def _strings(value: Any, depth: int = 0) -> Iterator[str | None]:
    """The string values, depth first; None for a value nested past MAX_DEPTH, which is not read."""
    if depth > MAX_DEPTH:
        yield None
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, depth + 1)


def _line(text: str, value: str) -> tuple[int, int]:
    """Where the string starts in the file: its first words as written (or JSON-escaped), else line 1."""
    at = value_pos(text, value.strip().split("\n", 1)[0][:40])
    return line_of(text, at) if at >= 0 else (1, 1)


def followed_prose(entries: Sequence[tuple[str, str]], file: PackageFile
                   ) -> tuple[list[Prose], Location | None, list[Finding]]:
    """The sentences of a data file the instructions (`entry_texts`) tell the agent to follow, the line that
    says so, and the bounds that left some unread (as findings)."""
    ext = file.path.rsplit(".", 1)[-1].lower()
    if ext not in DATA_EXT or file.text is None:
        return [], None, []
    via = told_to_follow(entries, file.path)
    if via is None:
        return [], None, []
    bounds: list[Finding] = []
    text = file.text
    if len(text) > MAX_FILE:
        bounds.append(_bound(file, f"only the first {MAX_FILE:,} characters could be parsed"))
        text = text[:MAX_FILE]
    try:
        data = load_data_text(text, ext)
    except ManifestError:
        bounds.append(_bound(file, "it could not be parsed, so its text was not read as instructions"))
        return [], via, bounds
    out: list[Prose] = []
    deep = False
    for n, value in enumerate(_strings(data)):
        if n >= MAX_STRINGS:
            bounds.append(_bound(file, f"only its first {MAX_STRINGS:,} strings were read"))
            break
        if value is None:
            deep = True
        elif _sentence(value):
            line, col = _line(text, value)
            out.append(Prose(line, col, (), value))
    if deep:
        bounds.append(_bound(file, f"values nested deeper than {MAX_DEPTH} levels were not read"))
    return out, via, bounds


def _bound(file: PackageFile, what: str) -> Finding:
    return finding("analysis-incomplete", f"{file.path} is a data file the instructions tell the agent to follow, "
                   f"but {what}", file.path, 1, channel=Channel.INSTRUCTION)


class FollowedDataAnalyzer:
    """The package-level pass (it needs the entry files beside the data file) over the data files the
    instructions tell the agent to follow."""

    name = "data-followed"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        data = [f for f in package.files if not f.virtual and not f.is_binary and f.text is not None
                and f.path.rsplit(".", 1)[-1].lower() in DATA_EXT]
        entries = entry_texts(package) if data else []
        out: list[Finding] = []
        for f in data if entries else ():
            found, via, bounds = followed_prose(entries, f)
            if via is None:
                continue
            told = followed_instructions(package, f, found)
            out += [replace(x, message=f"{x.message} (followed from {via.path}:{via.line})",
                            related=x.related + (via,)) for x in told] + bounds
        return out
