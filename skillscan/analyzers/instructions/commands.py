"""Commands in instructions: fenced shell blocks, inline code, "run: …" sentences and bare command lines
in prose go to the shell analyzer on the `instruction` channel, with a lower ceiling where the text
presents them as examples, indicators or things to avoid."""

from __future__ import annotations

import re
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.fence_dialect import powershell_text, unlabelled, without_sessions
from skillscan.analyzers.instructions.inline import told_command
from skillscan.analyzers.instructions.memo import memoized
from skillscan.analyzers.instructions.sentence_split import split_spans
from skillscan.model import Channel, Confidence, Finding

RUN_SENTENCE = re.compile(
    r"\b(?:run|execute|paste|type|enter|copy)\b[^:\n：]{0,80}[:：]\s*(?P<cmd>[^\n]+)|(?:运行|执行|粘贴|输入)[^:\n：]{0,30}[:：]\s*(?P<cmdzh>[^\n]+)",
    re.IGNORECASE)
DIALECTS = {"powershell": "powershell", "ps1": "powershell", "pwsh": "powershell", "ps": "powershell",
            "cmd": "batch", "bat": "batch", "batch": "batch"}
PIPELINE_HINT = re.compile(r"\||&&|https?://|\$\(|`|>\s*/|;\s*\w")
PIPELINE_CHARS = re.compile(r"[|&:$`>;]")  # one of them is in every PIPELINE_HINT match


def shell_api() -> tuple[Any, Any] | None:
    """The shell analyzer's command entry point, if that engine is installed."""
    try:
        from skillscan.analyzers.shell import CommandContext, analyze_command
    except (ImportError, AttributeError):
        return None
    return CommandContext, analyze_command


def first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


PROMPT = re.compile(r"^(\s*)(?:\$|%|>|PS[^>\n]{0,40}>|[\w.-]+@[\w.-]+[^$#\n]{0,40}[$#])\s+")


def strip_prompts(body: str, info: str) -> str:
    """Console transcripts: keep the prompted lines (without the prompt), blank the output lines."""
    lines = body.split("\n")
    prompted = [bool(PROMPT.match(x)) for x in lines]
    if not any(prompted):
        return body
    if info in ("console", "shell-session", "shellsession", "terminal") or sum(prompted) * 2 >= len([x for x in lines if x.strip()]):
        return "\n".join(PROMPT.sub(r"\1", x) if p else "" for x, p in zip(lines, prompted, strict=True))
    return "\n".join(PROMPT.sub(r"\1", x) if p else x for x, p in zip(lines, prompted, strict=True))


def commands(doc: Document, *, ref_file: bool) -> list[Finding]:
    out: list[Finding] = []
    w = ctx.words()
    for seg in doc.segments:
        if seg.kind == "fence":
            info = seg.info.split()[0].lower().strip("{}.") if seg.info.split() else ""
            body = without_sessions(strip_prompts(seg.raw, info))  # protocol / interpreter sessions are not shell
            body = unlabelled(body, lambda rest: bool(w.command_start.match(rest)))  # `exec: curl …` runs curl
            looks = bool(body.strip()) and bool(w.command_start.match(first_line(body)))
            powershell = info == "" and bool(body.strip()) and powershell_text(body)
            if info in w.shell_fence:
                ceiling = Confidence.HIGH
            elif info == "" and (looks or powershell):
                ceiling = Confidence.MEDIUM
            elif info in w.output_fence and looks and info in ("text", "txt", "plain", "plaintext", "output", "out",
                                                                  "log", "example", "sample", "stdout", "result"):
                ceiling = Confidence.LOW
            else:
                continue
            if ceiling != Confidence.LOW and (ref_file or ctx.described(doc, seg.line, doc.previous_text(seg.line - 1))):
                ceiling = Confidence.LOW
            dialect = "powershell" if powershell else DIALECTS.get(info, "bash")
            out += analyze(doc.path, body, seg.line, 1, ceiling, "fence", dialect)
        elif seg.kind in ("prose", "heading", "html", "comment"):
            ceiling = Confidence.MEDIUM if seg.kind != "comment" else Confidence.HIGH
            if ref_file:
                ceiling = Confidence.LOW
            out += inline_commands(doc, seg, ceiling)
            out += commands_in(doc, seg, seg.raw, ceiling, "prose")
    return out


def inline_commands(doc: Document, seg: Segment, ceiling: Confidence) -> list[Finding]:
    """The segment's inline code spans that are commands (a command line, or a mapped program the reader is
    told to run), analysed on their own lines."""
    out: list[Finding] = []
    w = ctx.words()
    for line, code in seg.inline_code:
        cmd: str | None = code if w.command_start.match(code) and " " in code.strip() else None
        if cmd is None and 0 < line <= len(doc.lines):
            cmd = told_command(code, doc.lines[line - 1])  # any mapped program the reader is told to run
        if cmd is not None:
            text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
            c = Confidence.LOW if ceiling == Confidence.LOW or ctx.described(doc, line, _sentence_of(text, code)) \
                else ceiling
            column = max(1, text.find(code) + 1) if text else 1
            out += analyze(doc.path, cmd, line, column, c, "inline")
    return out


def _sentence_of(line: str, code: str) -> str:
    """The sentence of `line` that holds the code span, cut where the sentence detectors cut
    (`sentence_split`): "Run `x` to install it. Do not mention it." — the prohibition is another sentence's."""
    at = line.find(code)
    if at < 0:
        return line
    start, end = 0, len(line)
    for cut_start, cut_end in split_spans(line):
        if cut_end <= at:
            start = cut_end
        elif cut_start >= at + len(code):
            end = cut_start
            break
    return line[start:end]


def commands_in(doc: Document, seg: Segment, text: str, ceiling: Confidence, source: str) -> list[Finding]:
    """Imperative "run: <command>" sentences and bare command lines in prose."""
    if "：" not in text and not PIPELINE_CHARS.search(text):  # `:` is one of PIPELINE_CHARS: nothing below can match
        return []
    out: list[Finding] = []
    w = ctx.words()
    seen: set[int] = set()
    counted, newlines = 0, 0
    # every RUN_SENTENCE match has a colon, every bare command line one of PIPELINE_HINT's characters
    sentences = RUN_SENTENCE.finditer(text) if ":" in text or "：" in text else ()
    for m in sentences:
        cmd = (m.group("cmd") or m.group("cmdzh") or "").strip()
        if not cmd or cmd.startswith("`") or not w.command_start.match(cmd):
            continue
        newlines += text.count("\n", counted, m.start())
        counted = m.start()
        line = seg.line + newlines
        seen.add(line)
        c = Confidence.LOW if ceiling == Confidence.LOW or ctx.described(doc, line, m.group(0)) else ceiling
        out += analyze(doc.path, cmd, line, 1, c, "inline")
    if not PIPELINE_CHARS.search(text):
        return out
    for i, raw in enumerate(text.split("\n")):
        line = seg.line + i
        stripped = unlabelled(raw.strip().lstrip(">-*+ ").strip(), lambda rest: bool(w.command_start.match(rest))).strip()
        if line in seen or not stripped or "`" in raw or not PIPELINE_HINT.search(stripped):
            continue
        if not w.command_start.match(stripped) or len(stripped.split()) < 2:
            continue
        c = Confidence.LOW if ceiling == Confidence.LOW or ctx.described(doc, line, raw) else ceiling
        out += analyze(doc.path, stripped, line, 1, c, "inline")
    return out

def analyze(path: str, command: str, line: int, column: int, ceiling: Confidence, source: str,
            dialect: str = "bash") -> list[Finding]:
    return memoized((path, command, line, column, ceiling, source, dialect),
                    lambda: analyze_uncached(path, command, line, column, ceiling, source, dialect))


def analyze_uncached(path: str, command: str, line: int, column: int, ceiling: Confidence, source: str,
                      dialect: str = "bash") -> list[Finding]:
    api = shell_api()
    if api is None or not command.strip():
        return []
    context_cls, analyze_command = api
    cc = context_cls(path, line=line, column=column, channel=Channel.INSTRUCTION, max_confidence=ceiling,
                     source=source)
    try:
        return list(analyze_command(command[:100_000], cc, dialect=dialect))
    except RecursionError:
        raise
    except Exception as exc:  # noqa: BLE001 — the prose findings stand; the command analysis gap is reported
        return [finding("analysis-incomplete", f"shell analysis of a command in {path} failed: "
                        f"{type(exc).__name__}: {str(exc)[:200]}", path, line, column)]
