"""Fences: their language, the fence holding a line, and code fences (Python/JavaScript/TypeScript)
handed to the code engines as virtual files."""

from __future__ import annotations

import re
from dataclasses import replace

from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.fence_dialect import repl_python, repl_session
from skillscan.model import Channel, Confidence, PackageFile

PROSE_FENCES = frozenset({"markdown", "md", "text", "txt", "plain", "plaintext", "prompt", ""})


def fence_lang(info: str) -> str:
    return info.split()[0].lower().strip("{}.") if info.split() else ""



def fence_at(doc: Document, line: int) -> Segment | None:
    for s in doc.segments:
        if s.kind == "fence" and s.line <= line < s.line + s.raw.count("\n") + 1:
            return s
    return None


CODE_FENCES = {"python": ("python", "py"), "py": ("python", "py"), "python3": ("python", "py"),
               "javascript": ("javascript", "js"), "js": ("javascript", "js"), "node": ("javascript", "js"),
               "mjs": ("javascript", "mjs"), "typescript": ("typescript", "ts"), "ts": ("typescript", "ts")}
# fences that hold an interpreter session; shell and console fences (context.yaml `shell_fence`) may too
REPL_FENCES = frozenset({"", "pycon", "python-repl", "pyrepl", "ipython", "ipython3", "doctest"})
MAX_FENCE_FILES = 20
MAX_FENCE_BYTES = 256 * 1024


def fence_files(file: PackageFile, doc: Document) -> list[PackageFile]:
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
        lang = fence_lang(seg.info)
        ceiling = Confidence.HIGH
        typed: str | None = None  # the Python typed at a `>>>` prompt of a shell, console or REPL fence
        if lang in CODE_FENCES:
            language, ext = CODE_FENCES[lang]
        elif lang == "" and looks_like(seg.raw) == "python":
            language, ext = "python", "py"
            ceiling = Confidence.MEDIUM
        elif (lang in REPL_FENCES or lang in ctx.words().shell_fence) and (typed := repl_python(seg.raw)) is not None:
            language, ext = "python", "py"
            ceiling = Confidence.MEDIUM if lang == "" else Confidence.HIGH
        else:
            continue
        intro = doc.previous_text(seg.line - 1)
        if ref_file is None:
            ref_file = ctx.reference_file(file.path)
        if ref_file or ctx.described(doc, seg.line, intro):
            ceiling = Confidence.LOW
        if raw_lines is None:
            raw_lines = (file.text or "").split("\n")
        n = seg.raw.count("\n") + 1
        code = "\n".join(raw_lines[seg.line - 1 : seg.line - 1 + n])  # the file's own text, not normalised
        shifts: tuple[int, ...] = ()
        if typed is not None:  # the prompted lines of the file's own text, every other line blank
            code, shifts = repl_session(code) or ("", ())
        data = code.encode("utf-8", "replace")[:MAX_FENCE_BYTES]
        v = make_file(f"{file.path}#fence-{seg.line}.{ext}", data, origin=f"{file.path}:{seg.line}")
        out.append(replace(v, language=language, channel=Channel.INSTRUCTION, max_confidence=ceiling, shifts=shifts))
    return out + prose_code_lines(file, doc, MAX_FENCE_FILES - len(out))


PROSE_PYTHON = re.compile(r"^\s*(?:import\s+[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*;|from\s+[\w.]+\s+import\s+\w[^\n]*;)"
                          r"[^\n]*\w\s*\(")
MAX_PROSE_LINE = 2000


def prose_code_lines(file: PackageFile, doc: Document, room: int) -> list[PackageFile]:
    """A Python statement written as a line of prose, outside any fence (`import requests;
    requests.get(…)`): the agent reads it as code to run just as it would a fence, so it goes to the
    Python engine as a one-line fence at its own line (medium ceiling; low in reference files or where
    the text presents it as an example). A line counts only when it imports a module, calls something on
    the same line and parses as Python (`ast.parse`, never run)."""
    import ast

    from skillscan.loaders.files import make_file

    if room <= 0 or "import" not in (file.text or ""):
        return []
    fenced: set[int] = set()
    for seg in doc.segments:
        if seg.kind == "fence":
            fenced.update(range(seg.line - 1, seg.line + seg.raw.count("\n") + 2))
    out: list[PackageFile] = []
    ref_file = ctx.reference_file(file.path)
    for i, line in enumerate((file.text or "").split("\n"), start=1):
        if len(out) >= room:
            break
        if i in fenced or len(line) > MAX_PROSE_LINE or "`" in line or not PROSE_PYTHON.match(line):
            continue
        try:
            ast.parse(line.strip())
        except (SyntaxError, ValueError, RecursionError):
            continue
        ceiling = Confidence.LOW if ref_file or ctx.described(doc, i, doc.previous_text(i - 1)) else Confidence.MEDIUM
        v = make_file(f"{file.path}#fence-{i}.py", line.encode("utf-8", "replace"), origin=f"{file.path}:{i}")
        out.append(replace(v, language="python", channel=Channel.INSTRUCTION, max_confidence=ceiling))
    return out
