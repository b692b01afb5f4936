"""The instructions analyzer: what a skill tells the agent (or the human) to do.

SKILL.md bodies, references/, commands/, agents/, rules files (.mdc, .cursorrules, CLAUDE.md,
GEMINI.md, AGENTS.md) and MCP tool/prompt descriptions in manifests. Text is normalised first
(zero-width removed, look-alike letters folded, Unicode Tag text decoded and scanned again); prose
detectors come from `rules/instructions/*.yaml`; commands in fences, inline code and "run: …"
sentences go to the shell analyzer on the `instruction` channel, with a lower ceiling when the
surrounding text marks them as examples or things to avoid.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from skillscan.analyzers.base import FileResult, finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions import mcp
from skillscan.analyzers.instructions.detectors import Match, run_detectors
from skillscan.analyzers.instructions.document import Document, Segment, parse_document
from skillscan.analyzers.normalize import normalize
from skillscan.catalog import get_catalog
from skillscan.model import (
    Capability,
    Channel,
    Confidence,
    Finding,
    Location,
    Package,
    PackageFile,
    RuleClass,
    Severity,
)

INSTRUCTION_NAMES = frozenset({".cursorrules", ".windsurfrules", ".clinerules", "claude.md", "gemini.md", "agents.md",
                               "copilot-instructions.md", "soul.md", "memory.md"})
TEXT_DIRS = frozenset({"references", "reference", "commands", "agents", "prompts", "rules", "instructions"})
MAX_TEXT = 8_000_000  # characters of one file read as instructions
MAX_SECTION = 200_000
URL = re.compile(r"https?://[^\s)>\]\"'`<，。]+", re.IGNORECASE)
HOST = re.compile(r"https?://(?:[^@/\s]*@)?(\[[^\]]+\]|[^/:\s?#]+)", re.IGNORECASE)
RUN_SENTENCE = re.compile(
    r"\b(?:run|execute|paste|type|enter|copy)\b[^:\n：]{0,80}[:：]\s*(?P<cmd>[^\n]+)|(?:运行|执行|粘贴|输入)[^:\n：]{0,30}[:：]\s*(?P<cmdzh>[^\n]+)",
    re.IGNORECASE)
DIALECTS = {"powershell": "powershell", "ps1": "powershell", "pwsh": "powershell", "ps": "powershell",
            "cmd": "batch", "bat": "batch", "batch": "batch"}
PIPELINE_HINT = re.compile(r"\||&&|https?://|\$\(|`|>\s*/|;\s*\w")
PIPELINE_CHARS = re.compile(r"[|&:$`>;]")  # one of them is in every PIPELINE_HINT match
SECRET_SCOPES = (
    (re.compile(r"ssh|id_(?:rsa|ed25519|ecdsa|dsa)", re.IGNORECASE), "ssh"),
    (re.compile(r"aws", re.IGNORECASE), "cloud:aws"),
    (re.compile(r"wallet|seed|mnemonic|recovery\s+phrase|助记词|钱包", re.IGNORECASE), "wallet"),
    (re.compile(r"browser|cookie|login\s+data|saved\s+passwords|浏览器", re.IGNORECASE), "browser"),
    (re.compile(r"keychain", re.IGNORECASE), "keychain"),
    (re.compile(r"git-credentials", re.IGNORECASE), "git-cred"),
    (re.compile(r"npmrc|pypirc", re.IGNORECASE), "pkg-registry-cred"),
    (re.compile(r"memory\.md|soul\.md|openclaw|clawdbot|mcp\.json|\.claude|codex/auth|claude_desktop", re.IGNORECASE), "agent-cred"),
    (re.compile(r"\.env\b", re.IGNORECASE), "dotenv"),
)


def _shell_api() -> tuple[Any, Any] | None:
    """The shell analyzer's command entry point, if that engine is installed."""
    try:
        from skillscan.analyzers.shell import CommandContext, analyze_command
    except (ImportError, AttributeError):
        return None
    return CommandContext, analyze_command


@dataclass(frozen=True)
class Place:
    """Where a match sits, for context decisions."""

    path: str
    kind: str
    line: int
    column: int
    sentence_before: str
    sentence: str
    heading: str
    line_text: str
    hidden: str = ""  # "" | "comment" | "tag" | "mcp"
    section_title: str = ""  # innermost heading below the document title (level 2+)
    intro: str = ""  # for fences: the lines that introduce it


# Shell findings of a command at one place, kept per process: a registry repeats files verbatim (forks,
# successive versions, vendored skills) and the analysis is a function of these arguments alone (the
# capability map and the catalog are fixed for the process); findings are frozen. Bounded in entries, and
# only short commands are kept.
MEMO_MAX_COMMANDS = 4096
MEMO_MAX_COMMAND = 4096
_command_memo: dict[tuple[str, str, int, int, Confidence, str, str], tuple[Finding, ...]] = {}


class InstructionsAnalyzer:
    name = "instructions"

    def applies(self, file: PackageFile) -> bool:
        # every text file: instruction files are read in full, any other (code, config) only for hidden
        # Unicode (Tag-block text, bidi controls), which a model reads wherever it sits
        return not file.is_binary and file.text is not None

    @staticmethod
    def instruction_file(file: PackageFile) -> bool:
        if file.language == "markdown":
            return True
        path = PurePosixPath(file.path.split("#", 1)[0])
        name = path.name.lower()
        if name in INSTRUCTION_NAMES or mcp.is_manifest(file.path):
            return True
        return file.language == "text" and (any(p.lower() in TEXT_DIRS for p in path.parts[:-1])
                                            or name.endswith(".prompt") or (file.virtual and file.size < 1_000_000))

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        text = (file.text or "")[:MAX_TEXT]
        if not self.instruction_file(file):
            return FileResult(tuple(_dedupe(_hidden_unicode_only(file.path, text))))
        if mcp.is_manifest(file.path) and file.language == "json":
            return FileResult(tuple(self._manifest(file.path, text)))
        doc = parse_document(file.path, text, markdown=file.language == "markdown" and not file.truncated)
        findings = _dedupe(self._document(package, file, doc))
        return FileResult(tuple(findings), tuple(_fence_files(file, doc)))

    # ---- documents -------------------------------------------------------------------------------

    def _document(self, package: Package, file: PackageFile, doc: Document, *,
                  followed: bool = False) -> list[Finding]:
        out: list[Finding] = []
        out += _unicode_findings(doc)
        ref_file = ctx.reference_file(file.path) and not followed
        prose_like = [s for s in doc.segments if s.kind in ("prose", "heading", "html", "table")
                      or (s.kind == "fence" and _fence_lang(s.info) in PROSE_FENCES)]
        if prose_like:
            # one pass over every prose-like block (a fence of Markdown/text is text the agent is told to
            # write or read, e.g. a CLAUDE.md to create), each at its own lines: bounded work per file
            view, starts, bounds = _prose_view(doc, prose_like)
            for m in run_detectors(view.text, "prose", bounds):
                line = view.line_at(m.start)
                i = bisect_right(starts, line) - 1
                src = prose_like[i] if i >= 0 else prose_like[0]
                out += self._report(doc, view, m, ref_file=ref_file, src=src)
        in_view = {id(s) for s in prose_like}
        for seg in doc.segments:
            if id(seg) in in_view:
                continue
            for m in run_detectors(seg.text, seg.kind):
                out += self._report(doc, seg, m, ref_file=ref_file)
            if seg.kind == "comment":
                for m in run_detectors(seg.text, "section"):
                    out += self._report(doc, seg, m, ref_file=ref_file)
        for section in doc.sections:
            first, text = doc.section_view(section)
            text = text[:MAX_SECTION]
            seg = Segment("section", first, text, text, heading=section.path)
            for m in run_detectors(text, "section"):
                out += self._report(doc, seg, m, ref_file=ref_file)
        for hidden in doc.normalized.hidden:
            decoded = normalize(hidden.text).text
            seg = Segment("hidden", hidden.line, decoded, decoded, column=hidden.column)
            for kind in ("hidden", "section"):
                for m in run_detectors(decoded, kind):
                    out += self._report(doc, seg, m, ref_file=False, decoded=hidden.text)
            out += self._commands_in(doc, seg, decoded, Confidence.HIGH, "prose")
        out += self._commands(doc, ref_file=ref_file)
        out += _harvest(doc, out)
        out += _tampering(doc, out)
        # one store read or one configuration write is evidence, not yet an attack: it is reported a step
        # lower (review, not block) once harvesting and tampering have been judged from the full-strength reads
        return [replace(f, confidence=ctx.lower(f.confidence)) if f.rule_id in SINGLE_EVIDENCE else f for f in out]

    def _place(self, doc: Document, seg: Segment, m: Match, src: Segment | None = None) -> Place:
        line = seg.line_at(m.start)
        start_of_line = seg.text.rfind("\n", 0, m.start) + 1
        column = (m.start - start_of_line + 1) if seg.kind not in ("frontmatter", "hidden") else seg.column
        before, sentence = ctx.sentence_around(seg.text, m.start, m.end)
        if len(m.parts) > 1:  # a combo: the whole stretch its parts cover, in full lines
            lo = seg.text.rfind("\n", 0, m.span[0]) + 1
            hi = seg.text.find("\n", m.span[1])
            sentence = seg.text[lo : hi if hi >= 0 else len(seg.text)][:4000]
        if src is not None:
            seg = Segment(src.kind, src.line, "", "", src.info, src.heading, src.column)
        line_text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
        hidden = {"comment": "comment", "hidden": "tag"}.get(seg.kind, "")
        section = doc.heading_at(line) if seg.kind != "frontmatter" else None
        title = section.heading if section is not None and (section.level > 1 or ctx.reference_file(doc.path)) else ""
        intro = doc.previous_text(seg.line - 1) if seg.kind == "fence" else ""
        return Place(doc.path, seg.kind, line, column, before, sentence, seg.heading or doc.heading_path(line),
                     line_text, hidden, title, intro)

    def _report(self, doc: Document, seg: Segment, m: Match, *, ref_file: bool,
                decoded: str | None = None, src: Segment | None = None) -> list[Finding]:
        rule = get_catalog().rule(m.detector.rule)
        place = self._place(doc, seg, m, src)
        if src is not None:  # kind, fence info and heading of the block the match sits in
            seg = Segment(src.kind, src.line, "", "", src.info, src.heading, src.column)
        confidence = m.pattern.confidence if m.pattern.confidence is not None else rule.confidence
        severity = m.pattern.severity if m.pattern.severity is not None else rule.severity
        reasons = _description_reasons(doc, place, m, seg)
        if "negated" in reasons and rule.rule_class is RuleClass.CAPABILITY:
            return []  # "never read ~/.ssh": no evidence of the capability at all
        notes: list[str] = []
        if reasons:
            confidence = Confidence.LOW
            notes.append("lowered: " + ", ".join(reasons))
        else:
            if ref_file and not place.hidden:
                confidence = ctx.lower(confidence)
                notes.append("lowered: reference file")
        if place.hidden == "comment":
            confidence = ctx.raise_(confidence)
            notes.append("hidden in an HTML comment")
        if place.hidden == "tag":
            confidence = ctx.raise_(confidence)
            notes.append("hidden in invisible Unicode Tag characters")
        if place.line in doc.normalized.changed_lines and not place.hidden and _obfuscated(doc, place.line):
            confidence = ctx.raise_(confidence) if not reasons else confidence
            notes.append("obfuscated with invisible or look-alike characters")
        quote = " ".join(m.text.split())[:160]
        detail = m.pattern.message.format(secret=_secret_name(m, place.sentence), payload=_payload_name(m)) \
            if m.pattern.message else ""
        message = f"{rule.title}: {detail or '“' + quote + '”'}"
        if place.heading and seg.kind == "section":
            message += f" (section “{place.heading[:60]}”)"
        if notes:
            message += f" [{'; '.join(notes)}]"
        return [finding(
            rule.id, message, doc.path, place.line, place.column, snippet=place.line_text.strip() or quote,
            capabilities=_capabilities(m, place.sentence), channel=Channel.INSTRUCTION, confidence=confidence,
            severity=severity, decoded=decoded,
        )]

    # ---- commands --------------------------------------------------------------------------------

    def _commands(self, doc: Document, *, ref_file: bool) -> list[Finding]:
        out: list[Finding] = []
        w = ctx.words()
        for seg in doc.segments:
            if seg.kind == "fence":
                info = seg.info.split()[0].lower().strip("{}.") if seg.info.split() else ""
                body = _strip_prompts(seg.raw, info)
                looks = bool(body.strip()) and bool(w.command_start.match(_first_line(body)))
                if info in w.shell_fence:
                    ceiling = Confidence.HIGH
                elif info == "" and looks:
                    ceiling = Confidence.MEDIUM
                elif info in w.output_fence and looks and info in ("text", "txt", "plain", "plaintext", "output", "out",
                                                                      "log", "example", "sample", "stdout", "result"):
                    ceiling = Confidence.LOW
                else:
                    continue
                if ceiling != Confidence.LOW and (ref_file or _described(doc, seg.line, doc.previous_text(seg.line - 1))):
                    ceiling = Confidence.LOW
                dialect = DIALECTS.get(info, "bash")
                out += self._analyze(doc.path, body, seg.line, 1, ceiling, "fence", dialect)
            elif seg.kind in ("prose", "heading", "html", "comment"):
                ceiling = Confidence.MEDIUM if seg.kind != "comment" else Confidence.HIGH
                if ref_file:
                    ceiling = Confidence.LOW
                for line, code in seg.inline_code:
                    if w.command_start.match(code) and " " in code.strip():
                        c = Confidence.LOW if ceiling == Confidence.LOW or _described(doc, line, doc.lines[line - 1]) \
                            else ceiling
                        column = max(1, doc.lines[line - 1].find(code) + 1) if 0 < line <= len(doc.lines) else 1
                        out += self._analyze(doc.path, code, line, column, c, "inline")
                out += self._commands_in(doc, seg, seg.raw, ceiling, "prose")
        return out

    def _commands_in(self, doc: Document, seg: Segment, text: str, ceiling: Confidence, source: str) -> list[Finding]:
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
            c = Confidence.LOW if ceiling == Confidence.LOW or _described(doc, line, m.group(0)) else ceiling
            out += self._analyze(doc.path, cmd, line, 1, c, "inline")
        if not PIPELINE_CHARS.search(text):
            return out
        for i, raw in enumerate(text.split("\n")):
            line = seg.line + i
            stripped = raw.strip().lstrip(">-*+ ").strip()
            if line in seen or not stripped or "`" in raw or not PIPELINE_HINT.search(stripped):
                continue
            if not w.command_start.match(stripped) or len(stripped.split()) < 2:
                continue
            c = Confidence.LOW if ceiling == Confidence.LOW or _described(doc, line, raw) else ceiling
            out += self._analyze(doc.path, stripped, line, 1, c, "inline")
        return out

    def _analyze(self, path: str, command: str, line: int, column: int, ceiling: Confidence, source: str,
                 dialect: str = "bash") -> list[Finding]:
        if len(command) > MEMO_MAX_COMMAND:
            return self._analyze_uncached(path, command, line, column, ceiling, source, dialect)
        key = (path, command, line, column, ceiling, source, dialect)
        hit = _command_memo.get(key)
        if hit is None:
            hit = tuple(self._analyze_uncached(path, command, line, column, ceiling, source, dialect))
            _command_memo[key] = hit
            if len(_command_memo) > MEMO_MAX_COMMANDS:
                del _command_memo[next(iter(_command_memo))]  # the oldest entry
        return list(hit)

    def _analyze_uncached(self, path: str, command: str, line: int, column: int, ceiling: Confidence, source: str,
                          dialect: str = "bash") -> list[Finding]:
        api = _shell_api()
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

    # ---- MCP manifests ---------------------------------------------------------------------------

    def _manifest(self, path: str, text: str) -> list[Finding]:
        data = mcp.load_json(text)
        if data is None:
            return []
        out: list[Finding] = []
        for where, value in mcp.descriptions(data):
            line = mcp.line_of_string(text, value)
            norm = normalize(value)
            doc = Document(path, norm, tuple(text.split("\n")), (), ())
            seg = Segment("mcp", line, norm.text, norm.text, heading=where)
            for m in run_detectors(norm.text, "mcp") + run_detectors(norm.text, "prose"):
                out.append(self._report_mcp(doc, seg, m, where))
            for hidden in norm.hidden:
                decoded = normalize(hidden.text).text
                out.append(finding(
                    "hidden-unicode-tag-instructions",
                    f"{where} carries hidden Unicode Tag text: “{hidden.text[:120]}”", path, line,
                    snippet=where, channel=Channel.INSTRUCTION, decoded=hidden.text))
                hseg = Segment("mcp", line, decoded, decoded, heading=where)
                for m in run_detectors(decoded, "mcp") + run_detectors(decoded, "hidden"):
                    out.append(self._report_mcp(doc, hseg, m, where, decoded=hidden.text))
            if norm.bidi:
                out.append(finding("bidi-control-characters",
                                   f"{where} contains bidirectional control characters ({norm.bidi[0][2]})", path, line,
                                   snippet=where, channel=Channel.INSTRUCTION))
        return _dedupe(out)

    def _report_mcp(self, doc: Document, seg: Segment, m: Match, where: str, decoded: str | None = None) -> Finding:
        rule = get_catalog().rule(m.detector.rule)
        confidence = m.pattern.confidence if m.pattern.confidence is not None else rule.confidence
        severity = m.pattern.severity if m.pattern.severity is not None else rule.severity
        if decoded is not None:
            confidence = ctx.raise_(confidence)
        quote = " ".join(m.text.split())[:160]
        return finding(rule.id, f"{rule.title}: “{quote}” in {where}", doc.path, seg.line, snippet=quote,
                       capabilities=_capabilities(m), channel=Channel.INSTRUCTION, confidence=confidence,
                       severity=severity, decoded=decoded)


FOLLOW = re.compile(
    r"\b(?:follow|run|execute|complete|perform|apply|obey|carry\s+out|do)\b[^\n]{0,60}?\b(?:instructions|steps|commands|"
    r"setup|procedure|guide|checklist|directions|tasks)\b[^\n]{0,40}?\b(?:in|from|at|of|listed\s+in|described\s+in)\s+"
    r"\[?`?(?P<target>[\w./-]+\.(?:md|txt|mdc))|(?:按照|遵循|执行|完成)[^\n]{0,30}?(?P<targetzh>[\w./-]+\.(?:md|txt))"
    r"|\b(?:follow|execute|run|apply|obey)\s+(?:the\s+|all\s+)?(?:of\s+)?\[?`?(?P<target2>[\w./-]+\.(?:md|txt|mdc))",
    re.IGNORECASE)


class InstructionLinksAnalyzer:
    """A document that tells the agent to follow another file of the package carries that file's
    instructions with it: a reference file that is *followed* is analysed as instructions, without the
    reference-file discount, and its findings point back (related location) at the sentence that sends
    the agent there. Runs on the whole package (main process); only followed reference files are read."""

    name = "instructions-links"

    def analyze_package(self, package: Package) -> list[Finding]:
        import posixpath

        analyzer = InstructionsAnalyzer()
        out: list[Finding] = []
        done: set[str] = set()
        # a match counts only when it names a reference file of the package: the last part of its target
        # is that file's name, so a document naming none of them has nothing to follow
        names = {posixpath.basename(g.path) for g in package.files if ctx.reference_file(g.path) and analyzer.applies(g)}
        if not names:
            return out
        for f in package.files:
            if f.is_binary or f.text is None or f.language != "markdown" or ctx.reference_file(f.path):
                continue
            low = f.text[:MAX_TEXT].lower()
            if ".md" not in low and ".txt" not in low:  # every FOLLOW match names a .md/.mdc/.txt file
                continue
            if not any(name in f.text[:MAX_TEXT] for name in names):
                continue
            for m in FOLLOW.finditer(f.text[:MAX_TEXT]):
                target = _resolve(f.path, m.group("target") or m.group("targetzh") or m.group("target2") or "")
                if not target or target in done or not ctx.reference_file(target):
                    continue
                tf = package.file(target)
                if tf is None or tf.text is None or not analyzer.applies(tf):
                    continue
                done.add(target)
                line = f.text.count("\n", 0, m.start()) + 1
                via = Location(f.path, line, 1, snippet=" ".join(m.group(0).split())[:200])
                out += _stronger_when_followed(analyzer, package, tf, via)
        return out


def _resolve(base: str, target: str) -> str:
    import posixpath

    target = target.strip("`[]()")
    if not target or "://" in target:
        return ""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith("..") or not joined:
        joined = posixpath.normpath(target)
    return "" if joined.startswith("..") else joined


def _stronger_when_followed(analyzer: InstructionsAnalyzer, package: Package, f: PackageFile,
                            via: Location) -> list[Finding]:
    """Findings the followed file gets when read as instructions that the per-file pass reported weaker."""
    text = (f.text or "")[:MAX_TEXT]
    doc = parse_document(f.path, text, markdown=f.language == "markdown" and not f.truncated)
    before = {(x.rule_id, x.location.line, tuple(map(str, x.capabilities))): x.confidence
              for x in analyzer._document(package, f, doc)}
    out: list[Finding] = []
    for x in analyzer._document(package, f, doc, followed=True):
        key = (x.rule_id, x.location.line, tuple(map(str, x.capabilities)))
        if key in before and x.confidence <= before[key]:
            continue
        out.append(replace(x, message=f"{x.message} (followed from {via.path}:{via.line})",
                           related=x.related + (via,)))
    return out


# ---- helpers ---------------------------------------------------------------------------------------


def _prose_view(doc: Document, segs: list[Segment]) -> tuple[Segment, list[int], Any]:
    """The given blocks' text at their own lines, every other line blank; and a function giving the
    character range of the block around an offset."""
    counts = [s.text.count("\n") for s in segs]
    if all(segs[i].line > segs[i - 1].line + counts[i - 1] for i in range(1, len(segs))):
        text, ranges = _joined_view(segs, counts)
    else:  # blocks out of order or overlapping: later ones overwrite earlier lines
        text, ranges = _placed_view(segs)
    starts = [r[0] for r in ranges]

    def bounds(offset: int) -> tuple[int, int]:
        i = max(0, bisect_right(starts, offset) - 1)
        return ranges[i]

    return Segment("prose", segs[0].line, text, text), [s.line for s in segs], bounds


def _joined_view(segs: list[Segment], counts: list[int]) -> tuple[str, list[tuple[int, int]]]:
    """`_placed_view` for blocks in line order that do not overlap: each block's text, the blank lines
    between two blocks as that many line breaks."""
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    pos = 0
    end_line = segs[0].line - 1  # the last line taken so far
    for s, n in zip(segs, counts, strict=True):
        if parts:
            gap = "\n" * (s.line - end_line)
            parts.append(gap)
            pos += len(gap)
        parts.append(s.text)
        ranges.append((pos, pos + len(s.text)))
        pos += len(s.text)
        end_line = s.line + n
    return "".join(parts), ranges


def _placed_view(segs: list[Segment]) -> tuple[str, list[tuple[int, int]]]:
    """The view line by line: every block's lines put at their place, the view's text and each block's
    character range."""
    first = segs[0].line
    last = max(s.line + s.text.count("\n") for s in segs)
    lines = [""] * (last - first + 1)
    for s in segs:
        for i, text in enumerate(s.text.split("\n")):
            lines[s.line - first + i] = text
    text = "\n".join(lines)
    line_start = [0]
    for ln in lines:
        line_start.append(line_start[-1] + len(ln) + 1)
    ranges = []
    for s in segs:
        a = s.line - first
        b = min(len(lines), a + s.text.count("\n") + 1)
        ranges.append((line_start[a], line_start[b] - 1))
    return text, ranges


PROSE_FENCES = frozenset({"markdown", "md", "text", "txt", "plain", "plaintext", "prompt", ""})


def _fence_lang(info: str) -> str:
    return info.split()[0].lower().strip("{}.") if info.split() else ""


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


PROMPT = re.compile(r"^(\s*)(?:\$|%|>|PS[^>\n]{0,40}>|[\w.-]+@[\w.-]+[^$#\n]{0,40}[$#])\s+")


def _strip_prompts(body: str, info: str) -> str:
    """Console transcripts: keep the prompted lines (without the prompt), blank the output lines."""
    lines = body.split("\n")
    prompted = [bool(PROMPT.match(x)) for x in lines]
    if not any(prompted):
        return body
    if info in ("console", "shell-session", "shellsession", "terminal") or sum(prompted) * 2 >= len([x for x in lines if x.strip()]):
        return "\n".join(PROMPT.sub(r"\1", x) if p else "" for x, p in zip(lines, prompted, strict=True))
    return "\n".join(PROMPT.sub(r"\1", x) if p else x for x, p in zip(lines, prompted, strict=True))


def _described(doc: Document, line: int, text: str) -> bool:
    """Whether a command at `line` is introduced as an example, an indicator or something to avoid."""
    w = ctx.words()
    if w.describe_sentence.search(text) or w.negation.search(text):
        return True
    heading = doc.heading_path(line)
    return bool(heading) and _reference_heading(heading)


@lru_cache(maxsize=1024)
def _reference_heading(heading: str) -> bool:
    """Whether a heading path reads as reference material (the same headings come up for many commands)."""
    return bool(ctx.words().reference_heading.search(heading))


def _fence_at(doc: Document, line: int) -> Segment | None:
    for s in doc.segments:
        if s.kind == "fence" and s.line <= line < s.line + s.raw.count("\n") + 1:
            return s
    return None


def _description_reasons(doc: Document, place: Place, m: Match, seg: Segment) -> list[str]:
    w = ctx.words()
    reasons: list[str] = []
    if place.section_title and w.reference_heading.search(place.section_title):
        reasons.append(f"section “{place.section_title[:60]}”")
    if w.describe_sentence.search(place.sentence):
        reasons.append("described as an example or indicator")
    if m.detector.negatable and w.negation.search(place.sentence_before):
        reasons.append("negated")
    if seg.kind == "table":
        reasons.append("in a table")
    if seg.kind == "fence" and place.intro and w.describe_sentence.search(place.intro):
        reasons.append("fence introduced as an example or indicator list")
    if seg.kind == "section":
        if place.line_text.lstrip().startswith("|"):
            reasons.append("in a table")
        fence = _fence_at(doc, place.line)
        if fence is not None:
            lang = _fence_lang(fence.info)
            intro = doc.previous_text(fence.line - 1)
            if lang in w.output_fence and lang not in w.shell_fence:
                reasons.append(f"in a `{lang}` fence")
            elif intro and (w.describe_sentence.search(intro) or w.negation.search(intro)):
                reasons.append("fence introduced as an example or something to avoid")
    if seg.kind in ("prose", "html") and place.line_text:
        first = m.text.split("\n", 1)[0].strip()
        col = place.line_text.find(first[:40]) if first else -1
        if col >= 0 and ctx.quoted(place.line_text, col, col + len(first)):
            reasons.append("quoted")
    if place.hidden:
        return [r for r in reasons if r != "quoted"]
    return reasons


def _obfuscated(doc: Document, line: int) -> bool:
    return line in doc.normalized.obfuscated_lines


def _unicode_findings(doc: Document) -> list[Finding]:
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


def _hidden_unicode_only(path: str, text: str) -> list[Finding]:
    """Tag-block text and bidi controls in a file that is not an instruction file (source, config)."""
    if HIDDEN_CHARS.search(text) is None:
        return []
    norm = normalize(text)
    lines = norm.text.split("\n")
    doc = Document(path, replace(norm, zero_width=()), tuple(lines), (), ())
    out = _unicode_findings(doc)
    for hidden in norm.hidden:
        decoded = normalize(hidden.text).text
        for kind in ("hidden", "section"):
            for m in run_detectors(decoded, kind):
                rule = get_catalog().rule(m.detector.rule)
                confidence = ctx.raise_(m.pattern.confidence if m.pattern.confidence is not None else rule.confidence)
                out.append(finding(rule.id, f"{rule.title}: “{' '.join(m.text.split())[:160]}” "
                                   "[hidden in invisible Unicode Tag characters]", path, hidden.line, hidden.column,
                                   snippet=lines[hidden.line - 1].strip()[:200], capabilities=_capabilities(m),
                                   channel=Channel.INSTRUCTION, confidence=confidence, decoded=hidden.text))
    return out


def _urls(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out += [u.rstrip(".,;:!?)") for u in URL.findall(t)]
    return list(dict.fromkeys(out))


def _capabilities(m: Match, sentence: str = "") -> list[Capability]:
    caps: list[Capability] = []
    texts = (m.text, *m.parts, sentence)
    full = _urls((sentence, *m.parts))
    urls = [next((f for f in full if f.startswith(u)), u) for u in _urls((m.text, *m.parts))] or full
    rule = m.detector.rule
    if m.pattern.capability:
        caps.append(_pattern_capability(m))
    if rule in ("remote-instruction-follow", "fake-prerequisite-command", "password-protected-archive-lure"):
        url = m.groups.get("url") or (urls[0] if urls else "*")
        url = next((f for f in full if f.startswith(url)), url) if url != "*" else url
        caps.append(Capability("code.remote", url.rstrip(".,;:!?)")))
    if rule == "fake-prerequisite-command":
        caps.append(Capability("proc.shell"))
    if rule in ("credential-exfiltration-instruction", "mcp-tool-poisoning"):
        joined = " ".join(texts)
        for pattern, scope in SECRET_SCOPES:
            if pattern.search(joined):
                caps.append(Capability("secrets.read", scope))
                break
        for u in urls:
            host = HOST.match(u)
            if host:
                caps.append(Capability("net.egress", host.group(1).lower()))
    return list(dict.fromkeys(caps))


def _secret_name(m: Match, sentence: str = "") -> str:
    first = " ".join((m.parts[0] if m.parts else m.text, sentence))
    for pattern, scope in SECRET_SCOPES:
        if pattern.search(first):
            return {"ssh": "SSH keys", "cloud:aws": "AWS credentials", "wallet": "wallet secrets",
                    "browser": "browser passwords/cookies", "keychain": "keychain items", "git-cred": "git credentials",
                    "pkg-registry-cred": "package-registry tokens", "agent-cred": "agent memory/config files",
                    "dotenv": ".env secrets"}[scope]
    return "secrets"


def _payload_name(m: Match) -> str:
    joined = " ".join(m.parts)
    if re.search(r"base64", joined, re.IGNORECASE):
        return "decodes a base64 blob into a shell"
    if re.search(r"iex|Invoke-Expression", joined, re.IGNORECASE):
        return "downloads a PowerShell script and runs it"
    if re.search(r"https?://\d{1,3}(?:\.\d{1,3}){3}", joined):
        return "downloads a script from a raw IP address and runs it"
    return "downloads a script and pipes it to a shell"


def _pattern_capability(m: Match) -> Capability:
    """The capability a detector pattern declares; `{name}` takes a regex group (a path's last part)."""
    def sub(g: re.Match[str]) -> str:
        name = g.group(1)
        value = m.groups.get(name) or next((v for k, v in m.groups.items() if k.startswith(name)), "") or "*"
        value = value.strip().strip("`'\"()")
        return PurePosixPath(value).name or value or "*"

    return Capability.parse(re.sub(r"\{(\w+)\}", sub, m.pattern.capability))


# ---- harvesting and tampering: assembled from the capability matches of one document -----------------

STORE_READ = "secret-store-read-instruction"
HARVEST = "credential-harvest-instruction"
CONFIG_WRITE = ("agent-config-write-instruction", "agent-memory-write-instruction")
TAMPERING = "agent-config-tampering-instruction"
SINGLE_EVIDENCE = (STORE_READ, "agent-config-write-instruction")
HARVEST_WINDOW = 40  # lines: the stores of one harvesting list or procedure sit close together
TAMPER_FENCE_GAP = 4  # lines between a write instruction and the fence holding the written text
TAMPER_TERMS = "<<config_weaken>>|<<agent_directive>>"


def _harvest(doc: Document, findings: list[Finding]) -> list[Finding]:
    """Reads of two or more distinct credential stores within a few lines of each other: a harvesting
    procedure. Its confidence is that of the second-strongest store read (context discounts carry over)."""
    reads = sorted((f for f in findings if f.rule_id == STORE_READ and f.location.path == doc.path),
                   key=lambda f: f.location.line)
    best: Finding | None = None
    best_conf: Confidence | None = None
    best_kinds: list[str] = []
    for i, first in enumerate(reads):
        by_kind: dict[str, Finding] = {}
        for f in reads[i:]:
            if f.location.line - first.location.line > HARVEST_WINDOW:
                break
            for c in f.capabilities:
                if c.kind == "secrets.read" and (c.scope not in by_kind or f.confidence > by_kind[c.scope].confidence):
                    by_kind[c.scope] = f
        if len(by_kind) < 2:
            continue
        ranked = sorted(by_kind.values(), key=lambda f: f.confidence, reverse=True)
        conf = min(ranked[1].confidence, ctx.raise_(get_catalog().rule(HARVEST).confidence))
        if best_conf is None or conf > best_conf:
            best, best_conf, best_kinds = first, conf, sorted(by_kind)
    if best is None or best_conf is None:
        return []
    caps = [Capability("secrets.read", k) for k in best_kinds]
    lowered = " [lowered: the reads are described, not instructed]" if best_conf < Confidence.MEDIUM else ""
    return [finding(HARVEST, f"{get_catalog().rule(HARVEST).title}: tells the agent to read {len(best_kinds)} "
                    f"distinct credential stores ({', '.join(best_kinds)}){lowered}", doc.path, best.location.line,
                    best.location.column, snippet=best.location.snippet, capabilities=caps,
                    channel=Channel.INSTRUCTION, confidence=best_conf)]


def _fence_after(fences: list[Segment], starts: list[int], line: int) -> Segment | None:
    """The fence holding `line`, or the one opening within a few lines after it (fences sorted by line)."""
    i = bisect_right(starts, line) - 1
    if i >= 0 and line < fences[i].line + fences[i].raw.count("\n") + 1:
        return fences[i]
    nxt = fences[i + 1] if i + 1 < len(fences) else None
    return nxt if nxt is not None and line < nxt.line - 1 <= line + TAMPER_FENCE_GAP else None


def _tampering(doc: Document, findings: list[Finding]) -> list[Finding]:
    """A write to agent configuration or memory whose written text (the instruction line and the fence
    right after it) weakens the agent's safety or speaks to future agent sessions."""
    from skillscan.analyzers.instructions.detectors import term_regex

    terms = term_regex(TAMPER_TERMS)
    writes = [f for f in findings if f.rule_id in CONFIG_WRITE and f.location.path == doc.path][:MAX_PER_RULE * 4]
    if not writes:
        return []
    fences = sorted((s for s in doc.segments if s.kind == "fence"), key=lambda s: s.line)
    starts = [s.line for s in fences]
    out: list[Finding] = []
    for f in writes:
        line = f.location.line
        text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
        fence = _fence_after(fences, starts, line)
        written = text + "\n" + (fence.raw[:MAX_SECTION] if fence is not None else "")
        hit = terms.search(written)
        if hit is None:
            continue
        what = " ".join(hit.group(0).split())[:80]
        target = ", ".join(str(c) for c in f.capabilities)
        out.append(finding(TAMPERING, f"{get_catalog().rule(TAMPERING).title}: the text written to {target} "
                           f"contains “{what}”", doc.path, line, f.location.column, snippet=f.location.snippet,
                           capabilities=list(f.capabilities), channel=Channel.INSTRUCTION,
                           confidence=f.confidence))
    return out


# ---- code fences: handed to the code engines as virtual files ------------------------------------------

CODE_FENCES = {"python": ("python", "py"), "py": ("python", "py"), "python3": ("python", "py"),
               "javascript": ("javascript", "js"), "js": ("javascript", "js"), "node": ("javascript", "js"),
               "mjs": ("javascript", "mjs"), "typescript": ("typescript", "ts"), "ts": ("typescript", "ts")}
MAX_FENCE_FILES = 20
MAX_FENCE_BYTES = 256 * 1024


def _fence_files(file: PackageFile, doc: Document) -> list[PackageFile]:
    """Python/JavaScript/TypeScript fences (and unlabelled fences that read as Python) as virtual files
    for the code engines, with the same confidence ceiling their shell commands would get: high for a
    code fence in the instructions, medium unlabelled, low in reference files or where the text
    presents the code as an example, an indicator or something to avoid."""
    from skillscan.analyzers.decode import looks_like
    from skillscan.loaders.files import make_file

    if "#fence-" in file.path:
        return []
    ref_file: bool | None = None
    raw_lines: list[str] | None = None  # split when the first code fence is met
    out: list[PackageFile] = []
    for seg in doc.segments:
        if len(out) >= MAX_FENCE_FILES:
            break
        if seg.kind != "fence" or not seg.raw.strip():
            continue
        lang = _fence_lang(seg.info)
        ceiling = Confidence.HIGH
        if lang in CODE_FENCES:
            language, ext = CODE_FENCES[lang]
        elif lang == "" and looks_like(seg.raw) == "python":
            language, ext = "python", "py"
            ceiling = Confidence.MEDIUM
        else:
            continue
        intro = doc.previous_text(seg.line - 1)
        if ref_file is None:
            ref_file = ctx.reference_file(file.path)
        if ref_file or _described(doc, seg.line, intro):
            ceiling = Confidence.LOW
        if raw_lines is None:
            raw_lines = (file.text or "").split("\n")
        n = seg.raw.count("\n") + 1
        code = "\n".join(raw_lines[seg.line - 1 : seg.line - 1 + n])  # the file's own text, not normalised
        data = code.encode("utf-8", "replace")[:MAX_FENCE_BYTES]
        v = make_file(f"{file.path}#fence-{seg.line}.{ext}", data, origin=f"{file.path}:{seg.line}")
        out.append(replace(v, language=language, channel=Channel.INSTRUCTION, max_confidence=ceiling))
    return out


MAX_PER_RULE = 25  # findings of one rule in one file; the first ones carry the verdict


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, path, line) of this engine's rules: the strongest. Findings of other
    engines (shell, for commands) pass through untouched."""
    best: dict[tuple[str, str, int], Finding] = {}
    order: list[tuple[str, str, int]] = []
    passthrough: list[Finding] = []
    for f in findings:
        if f.engine != "instructions":
            passthrough.append(f)
            continue
        key = (f.rule_id, f.location.path, f.location.line)
        if key not in best:
            best[key] = f
            order.append(key)
        elif (f.confidence, f.severity, f.decoded is not None) > (best[key].confidence, best[key].severity,
                                                                    best[key].decoded is not None):
            best[key] = f
    kept: list[Finding] = []
    per_rule: dict[tuple[str, str], int] = {}
    for k in order:
        f = best[k]
        n = per_rule.get((f.rule_id, f.location.path), 0)
        if n < MAX_PER_RULE:
            kept.append(f)
        per_rule[(f.rule_id, f.location.path)] = n + 1
    return kept + passthrough


__all__ = ["InstructionLinksAnalyzer", "InstructionsAnalyzer"]
