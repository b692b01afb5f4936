"""The instructions analyzer: one file read as instructions. The work is done by the modules beside it:
hidden Unicode (unicode.py), prose detectors and their reporting (detectors.py, reporting.py), views of
the document (views.py), commands (commands.py), correlations (correlations.py), code fences
(fences.py), MCP manifests (mcp.py)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from pathlib import PurePosixPath

from skillscan.analyzers.base import FileResult, finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions import mcp
from skillscan.analyzers.instructions.commands import commands, commands_in
from skillscan.analyzers.instructions.correlations import SINGLE_EVIDENCE, harvest, tampering
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document, Segment, parse_document
from skillscan.analyzers.instructions.fences import PROSE_FENCES, fence_files, fence_lang
from skillscan.analyzers.instructions.hidden import hidden_findings
from skillscan.analyzers.instructions.hidden_sentences import hidden_sentences, tag_sentences
from skillscan.analyzers.instructions.hookconfig import hook_configs
from skillscan.analyzers.instructions.html_prose import with_html_prose
from skillscan.analyzers.instructions.latex_hidden import applies as latex_applies
from skillscan.analyzers.instructions.latex_hidden import latex_hidden
from skillscan.analyzers.instructions.limits import MAX_SECTION, MAX_TEXT
from skillscan.analyzers.instructions.lookalike import lookalike_links
from skillscan.analyzers.instructions.mcp_sentences import mcp_sentences
from skillscan.analyzers.instructions.payloads import config_payloads
from skillscan.analyzers.instructions.prerequisites import prerequisite_links
from skillscan.analyzers.instructions.remote_run import remote_script_runs
from skillscan.analyzers.instructions.reporting import dedupe, report, report_mcp
from skillscan.analyzers.instructions.sabotage_grammar import aimed_at_agent, new_document
from skillscan.analyzers.instructions.sentence_detectors import sentence_findings
from skillscan.analyzers.instructions.shipped_credential import shipped_credentials
from skillscan.analyzers.instructions.trace_removal import trace_removal
from skillscan.analyzers.instructions.unicode import hidden_unicode_only, unicode_findings
from skillscan.analyzers.instructions.views import prose_view
from skillscan.analyzers.markdown_blocks import forget as forget_blocks
from skillscan.analyzers.normalize import normalize
from skillscan.analyzers.roles_share import roles_of
from skillscan.model import Channel, Confidence, Finding, Package, PackageFile

INSTRUCTION_NAMES = frozenset({".cursorrules", ".windsurfrules", ".clinerules", "claude.md", "gemini.md", "agents.md",
                               "copilot-instructions.md", "soul.md", "memory.md"})
TEXT_DIRS = frozenset({"references", "reference", "commands", "agents", "prompts", "rules", "instructions"})


def with_roles(path: str, text: str, findings: list[Finding], referenced: str | None = None) -> list[Finding]:
    """Each instruction finding with the role of the line it cites (skillscan/analyzers/roles.py: document
    structure, the file's place, and `referenced` — how SKILL.md refers to the file). The document is
    read for roles only when it gave findings."""
    if not any(f.channel is Channel.INSTRUCTION and f.location.path == path for f in findings):
        return findings
    roles = roles_of(path, text, referenced)  # computed once per document (roles_share.py)

    def role(line: int) -> str:
        # framing a sentence as quoted or negated inside an instruction file does not make it context
        # (DESIGN.md "Permit and decide"): the agent still reads it as part of its instructions
        r = roles.role_at(line)
        return "agent-instruction" if r == "quoted" and roles.base == "agent-instruction" else r

    def keep(f: Finding) -> str:
        # a command whose own text is for the user (a value the user fills in) stays `user-command` in an
        # instruction; text a rendered page hides stays `hidden` (hidden_sentences.py); reference, quoted or
        # test text stays what the document makes it
        if f.role == "hidden":
            return "hidden"
        r = role(f.location.line)
        return "user-command" if f.role == "user-command" and r == "agent-instruction" else r

    return [replace(f, role=keep(f))
            if f.channel is Channel.INSTRUCTION and f.location.path == path else f for f in findings]


class InstructionsAnalyzer:
    name = "instructions"

    def applies(self, file: PackageFile) -> bool:
        # every text file: instruction files are read in full, any other (code, config) only for hidden
        # Unicode (Tag-block text, bidi controls), which a model reads wherever it sits
        return not file.is_binary and file.text is not None

    @staticmethod
    def warm() -> None:
        """Compile the detector set — called before the pool forks when several workers would each compile
        it (skillscan/analyze.py)."""
        from skillscan.analyzers.instructions.detectors import detector_set

        detector_set()

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
        # a file the package's instructions tell the agent to follow is read as instructions by links.py,
        # with the sentence that sends the agent there: each of its findings is reported once, there
        followed = package.followed is not None and file.path in package.followed
        if not self.instruction_file(file):
            if followed:
                return FileResult(())
            # a LaTeX file's text hidden when typeset (white text, \phantom) is read as hidden instructions
            hidden = latex_hidden(package, file) if latex_applies(file) else []
            # and its Unicode Tag text by every sentence detector, as hidden text
            tags = tag_sentences(package, file.path, text)
            return FileResult(tuple(dedupe(hidden_unicode_only(file.path, text) + hidden + tags)))
        if mcp.is_manifest(file.path) and file.language == "json":
            return FileResult(tuple(self._manifest(package, file.path, text)))
        doc = parse_document(file.path, text, markdown=file.language == "markdown", oversized=file.truncated)
        if followed:
            forget_blocks()
            return FileResult((), tuple(fence_files(file, doc)))
        findings = with_roles(file.path, text, dedupe(self._document(package, file, doc)))
        forget_blocks()  # the document's block tokens were kept for its roles only (markdown_blocks.py)
        return FileResult(tuple(findings), tuple(fence_files(file, doc)))

    # ---- documents -------------------------------------------------------------------------------

    def _document(self, package: Package, file: PackageFile, doc: Document, *,
                  followed: bool = False) -> list[Finding]:
        new_document()  # cue answers are shared by this document's detectors, not kept across documents
        out: list[Finding] = []
        if doc.bound:  # a Markdown file too large for the parser: its structure was not read (no line has a role)
            out.append(finding("analysis-incomplete", doc.bound, doc.path, 1))
        out += unicode_findings(doc)
        ref_file = ctx.reference_file(file.path) and not followed
        prose_like = [s for s in doc.segments if s.kind in ("prose", "heading", "html", "table")
                      or (s.kind == "fence" and fence_lang(s.info) in PROSE_FENCES)]
        if prose_like:
            # one pass over every prose-like block (a fence of Markdown/text is text the agent is told to
            # write or read, e.g. a CLAUDE.md to create), each at its own lines: bounded work per file
            view, starts, bounds = prose_view(doc, prose_like)
            for m in run_detectors(view.text, "prose", bounds):
                line = view.line_at(m.start)
                i = bisect_right(starts, line) - 1
                src = prose_like[i] if i >= 0 else prose_like[0]
                out += report(doc, view, m, ref_file=ref_file, src=src)
        in_view = {id(s) for s in prose_like}
        for seg in doc.segments:
            if id(seg) in in_view:
                continue
            for m in run_detectors(seg.text, seg.kind):
                out += report(doc, seg, m, ref_file=ref_file)
            if seg.kind == "comment":
                for m in run_detectors(seg.text, "section"):
                    out += report(doc, seg, m, ref_file=ref_file)
        for section in doc.sections:
            first, text = doc.section_view(section)
            text = text[:MAX_SECTION]
            seg = Segment("section", first, text, text, heading=section.path)
            for m in run_detectors(text, "section"):
                out += report(doc, seg, m, ref_file=ref_file)
        for hidden in doc.normalized.hidden:
            decoded = normalize(hidden.text).text
            seg = Segment("hidden", hidden.line, decoded, decoded, column=hidden.column)
            for kind in ("hidden", "section"):
                for m in run_detectors(decoded, kind):
                    out += report(doc, seg, m, ref_file=False, decoded=hidden.text)
            out += commands_in(doc, seg, decoded, Confidence.HIGH, "prose")
        out += commands(doc, ref_file=ref_file)
        out += prerequisite_links(doc)
        out += remote_script_runs(doc)
        out += trace_removal(doc)
        out += shipped_credentials(doc)
        out += hidden_findings(doc)
        out += lookalike_links(doc)
        out += config_payloads(doc)
        out += hook_configs(doc, ref_file=ref_file)
        # the sentence detectors: on prose aimed at the agent all of them (sabotage without a command, judged
        # against the stated purpose), elsewhere only those marked `everywhere` (sentence_detectors.py)
        aimed = aimed_at_agent(file.path, followed)
        # text a rendered page hides first: on a tie with the same sentence read as prose, its finding says so
        # an HTML block's shown text (a one-line `<details>`, `<p>`) is read as the paragraph it reads as
        out += hidden_sentences(package, doc, out, aimed=aimed) + sentence_findings(
            package, with_html_prose(doc), out, aimed=aimed)
        out += harvest(doc, out)
        out += tampering(doc, out)
        # one store read or one configuration write is evidence, not yet an attack: it is reported a step
        # lower (review, not block) once harvesting and tampering have been judged from the full-strength reads
        return [replace(f, confidence=ctx.lower(f.confidence)) if f.rule_id in SINGLE_EVIDENCE else f for f in out]

    # ---- MCP manifests ---------------------------------------------------------------------------

    def _manifest(self, package: Package, path: str, text: str) -> list[Finding]:
        data = mcp.load_json(text)
        if data is None:
            return []
        out: list[Finding] = []
        described = []  # (JSON path, line, text) of each description: read by the sentence detectors too
        found = mcp.descriptions(data)
        for where, value in found.items:
            line = mcp.line_of_string(text, value)
            norm = normalize(value)
            described.append((where, line, norm))
            doc = Document(path, norm, tuple(text.split("\n")), (), ())
            seg = Segment("mcp", line, norm.text, norm.text, heading=where)
            for m in run_detectors(norm.text, "mcp") + run_detectors(norm.text, "prose"):
                out.append(report_mcp(doc, seg, m, where))
            for hidden in norm.hidden:
                decoded = normalize(hidden.text).text
                out.append(finding(
                    "hidden-unicode-tag-instructions",
                    f"{where} carries hidden Unicode Tag text: “{hidden.text[:120]}”", path, line,
                    snippet=where, channel=Channel.INSTRUCTION, decoded=hidden.text))
                hseg = Segment("mcp", line, decoded, decoded, heading=where)
                for m in run_detectors(decoded, "mcp") + run_detectors(decoded, "hidden"):
                    out.append(report_mcp(doc, hseg, m, where, decoded=hidden.text))
            if norm.bidi:
                out.append(finding("bidi-control-characters",
                                   f"{where} contains bidirectional control characters ({norm.bidi[0][2]})", path, line,
                                   snippet=where, channel=Channel.INSTRUCTION))
        out += mcp_sentences(package, path, text, described)
        if found.capped:
            out.append(finding("analysis-incomplete", f"{path}: only the first {mcp.MAX_STRINGS:,} descriptions were "
                               "read as instructions; the rest of the manifest was not checked", path, 1,
                               channel=Channel.INSTRUCTION))
        if found.too_deep:
            out.append(finding("analysis-incomplete", f"{path}: {found.too_deep:,} object(s) or array(s) nested deeper "
                               f"than {mcp.MAX_DEPTH} levels were not searched for descriptions", path, 1,
                               channel=Channel.INSTRUCTION))
        return dedupe(out)
