"""Encoded prose in package data: a base64, hex or compressed run in a configuration, fixture or
text file that decodes to natural-language sentences. Packages keep binary things encoded (images,
keys, archives); a sentence is hidden behind an encoding only so that a reader does not see it while
a script decodes it for the agent. The decoded text is also returned as a virtual file, so the
instructions engine reads it as what it is: text the agent will be shown."""

from __future__ import annotations

from dataclasses import dataclass, replace

from skillscan.analyzers.base import finding, line_of, line_text
from skillscan.analyzers.decode import Decoded, apply_codec, decode_literal, looks_like
from skillscan.lazyre import lazy
from skillscan.model import Channel, Finding, PackageFile

RULE_IDS: tuple[str, ...] = ("data-encoded-prose",)

MIN_RUN = 40  # characters of an encoded run worth decoding
MAX_SCAN_CHARS = 8_000_000  # characters of one file read, as the instructions engine reads (limits.MAX_TEXT)
MAX_RUNS = 100_000  # candidate runs decoded per file (each is decoded in time linear in its length)
MAX_REPORTS = 5
MIN_WORDS = 6
MIN_CJK = 12  # CJK characters, for text without spaces between words
RUN = lazy(r"(?<![A-Za-z0-9+/=_-])(?:[A-Za-z0-9+/]{%d,}={0,2}|[A-Za-z0-9_-]{%d,}={0,2})(?![A-Za-z0-9+/=_-])"
           % (MIN_RUN, MIN_RUN))
WORD = lazy(r"(?<![\w/.-])[^\W\d_]{2,}(?![\w/-]|\.\w)")  # a word, not part of a path, host or identifier
# identifiers and paths are not runs of prose: a run must mix upper, lower and digits (base64) or be hex
CJK = lazy(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
HEX_ONLY = lazy(r"^[0-9a-fA-F]+$")
ENCODED = lazy(r"^[A-Za-z0-9+/_-]+={0,2}$")
MAX_PEEL = 3  # layers peeled by hand before decode_literal's own guesses


@dataclass(frozen=True)
class Prose:
    line: int
    column: int
    chain: tuple[str, ...]
    text: str


def is_prose(text: str) -> bool:
    """Sentences, not code, data or another encoding: enough words of letters, mostly letters and spaces."""
    sample = text[:4000]
    if looks_like(sample) != "text" or sample.lstrip()[:1] in "{[<":
        return False
    cjk = len(CJK.findall(sample))
    if cjk >= MIN_CJK:  # Chinese and Japanese sentences have no spaces between words
        return cjk + sum(len(w) for w in WORD.findall(sample)) >= 0.6 * len("".join(sample.split()))
    words = WORD.findall(sample)
    if len(words) < MIN_WORDS:
        return False
    spaces = sample.count(" ")
    letters = sum(len(w) for w in words)
    return spaces >= MIN_WORDS - 1 and letters >= 0.6 * len(sample.strip())


def _candidate(run: str) -> bool:
    core = run.rstrip("=")
    if HEX_ONLY.match(core):
        return len(core) % 2 == 0
    return any(c.isupper() for c in core) and any(c.islower() for c in core) and any(c.isdigit() for c in core)


def _layers(run: str, depth: int = 0) -> list[Decoded]:
    """decode_literal's readable results; when there are none, one layer of base64 or hex whose output is
    itself an encoded run (hex digits read as too few letters to be text) is peeled and tried again."""
    found = decode_literal(run, max_results=2)
    if found or depth >= MAX_PEEL:
        return found
    codec = "hex" if HEX_ONLY.match(run.rstrip("=")) else "base64"
    raw = apply_codec(codec, run)
    if not raw or len(raw) < MIN_RUN // 2 or not raw.isascii():
        return []
    inner = raw.decode("ascii").strip()
    if not ENCODED.match(inner):
        return []
    return [Decoded(d.text, d.data, (codec,) + d.chain) for d in _layers(inner, depth + 1)]


def encoded_prose(file: PackageFile) -> tuple[list[Prose], str]:
    """The encoded runs of the file that decode to prose, and what a bound left unread ("" when nothing)."""
    full = file.text or ""
    text = full[:MAX_SCAN_CHARS]
    unread = f"only the first {MAX_SCAN_CHARS:,} characters were read" if len(full) > MAX_SCAN_CHARS else ""
    out: list[Prose] = []
    decoded = 0
    for m in RUN.finditer(text):
        if not _candidate(m.group()):
            continue
        if len(out) >= MAX_REPORTS:  # one more run that may hide prose: the bound is reported
            unread = f"only the first {MAX_REPORTS} encoded runs that decode to prose were read"
            break
        if decoded >= MAX_RUNS:
            unread = f"only the first {MAX_RUNS:,} encoded runs were decoded"
            break
        decoded += 1
        for dec in _layers(m.group()):
            if dec.chain and is_prose(dec.text):
                line, col = line_of(text, m.start())
                out.append(Prose(line, col, dec.chain, dec.text))
                break
    return out, unread


def bound_finding(file: PackageFile, unread: str) -> Finding:
    return finding("analysis-incomplete", f"{file.path}: {unread} when looking for encoded prose; the rest of "
                   "the file was not checked for it", file.path, 1, channel=Channel.CODE)


def prose_findings(file: PackageFile, found: list[Prose]) -> list[Finding]:
    out: list[Finding] = []
    text = file.text or ""
    for p in found:
        steps = ", then ".join(p.chain)
        cjk = len(CJK.findall(p.text))
        words, unit = (cjk, "CJK characters") if cjk >= MIN_CJK else (len(WORD.findall(p.text)), "words")
        out.append(replace(finding(
            "data-encoded-prose",
            f"{file.path} line {p.line} holds an encoded run that decodes ({steps}) to prose of {words} {unit} "
            "(the decoded text is given with this finding)",
            file.path, p.line, p.column, snippet=line_text(text, p.line).strip()[:200],
            channel=Channel.INSTRUCTION, decoded=p.text[:2000]), role="hidden"))
    return out
