"""The bytecode engine ("bytecode"): compiled Python (`.pyc`, `.pyo`) is read, never loaded or run.

The project's own reader (`marshal_strings.py`) walks the marshal stream of any Python version for
its string objects — the code's names (imports, attributes, called functions) and its string
constants — without `marshal.loads`. What they show is reported on the compiled file: network
hosts of URL constants, credential files named by path constants (read when the code opens files;
sent when it also has a network client's sending call and URLs), constants that are shell commands
(analysed by the shell analyzer), and names that run decoded or dynamic code (`exec` with
`b64decode`, `system`, `socket` …)."""

from __future__ import annotations

from skillscan.analyzers.base import FileResult, finding
from skillscan.analyzers.bytecode.marshal_strings import MAX_PYC_BYTES, MAX_STRINGS, read_pyc
from skillscan.analyzers.bytecode.signals import signals
from skillscan.model import Confidence, Finding, Package, PackageFile

RULE_IDS: tuple[str, ...] = ("pyc-bytecode-content",)
MAX_COMMANDS = 32  # string constants that read as shell commands, analysed per file

__all__ = ["BytecodeAnalyzer"]


class BytecodeAnalyzer:
    name = "bytecode"

    def applies(self, file: PackageFile) -> bool:
        return file.path.lower().endswith((".pyc", ".pyo")) and file.origin is None

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        pyc = read_pyc(file.data)
        out: list[Finding] = []
        if pyc is None:
            return FileResult()
        if pyc.truncated:
            out.append(finding("analysis-incomplete", f"bytecode read only the first {MAX_PYC_BYTES} bytes of "
                               f"{file.path}", file.path))
        if pyc.strings_capped:
            out.append(finding("analysis-incomplete", f"bytecode read only the first {MAX_STRINGS:,} distinct strings "
                               f"of {file.path}: its later names and constants were not examined", file.path))
        if len(pyc.commands) > MAX_COMMANDS:
            out.append(finding("analysis-incomplete", f"bytecode of {file.path} holds {len(pyc.commands):,} string "
                               f"constants that read as shell commands: only the first {MAX_COMMANDS} were analysed",
                               file.path))
        for sig in signals(pyc, file.path):
            out.append(finding("pyc-bytecode-content", sig.message, file.path, 1, snippet=sig.snippet,
                               capabilities=sig.capabilities, severity=sig.severity,
                               confidence=Confidence.MEDIUM))
        out.extend(shell_findings(file.path, pyc.commands))
        return FileResult(findings=tuple(out))


def shell_findings(path: str, commands: list[str]) -> list[Finding]:
    """Constants that are shell commands, through the shell analyzer (at medium confidence at most:
    a constant is not proof the command runs)."""
    if not commands:
        return []
    from skillscan.analyzers.shell import CommandContext, analyze_command

    ctx = CommandContext(path=path, line=1, column=1, max_confidence=Confidence.MEDIUM, source="code")
    out: list[Finding] = []
    for c in commands[:MAX_COMMANDS]:
        out.extend(analyze_command(c, ctx))
    return out
