"""The Python engine ("python"): one libcst parse and one visitor pass per file (imports and aliases,
literal resolution, API → capability map from `rules/capabilities/python.yaml`, decoded literal
payloads as virtual files, intra-module data flow, behaviour checks). Files libcst cannot or must
not take (syntax errors, Python 2, nesting deeper than is safe, over the parse cap) get a token-level
pass for the same capabilities at lower confidence. Scanned code is never imported or run."""

from __future__ import annotations

import gc
import sys
from dataclasses import replace
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from skillscan.analyzers.base import FileResult, finding
from skillscan.analyzers.python.capmap import CapMap, load_capmap
from skillscan.analyzers.python.names import MAX_DECODED, MAX_EVENTS
from skillscan.model import Channel, Confidence, Finding, Package, PackageFile, SharedFile

RULE_IDS: tuple[str, ...] = ("py-unparsed-file",)

if TYPE_CHECKING:
    from skillscan.analyzers.python.events import Event, Result

__all__ = ["PythonAnalyzer", "analyze_source"]

RECURSION_LIMIT = 12_000
FLATTEN_DEPTH = 60  # skillscan.analyzers.python.flatten.FLATTEN_DEPTH, without importing it up front


def _shell_module() -> Any | None:
    try:
        from skillscan.analyzers import shell

        if hasattr(shell, "analyze_argv") and hasattr(shell, "CommandContext"):
            return shell
    except ImportError:
        return None
    return None


def analyze_source(text: str, path: str, capmap: CapMap, *, truncated: bool = False,
                   shared: Mapping[str, SharedFile] | None = None) -> tuple[Result, list[Finding], str]:
    """(result, shell-analyzer findings, mode) for one Python text; mode is `cst` or why the token
    pass ran instead (`syntax`, `depth`, `size`, `crash`). `shared`: the values the package's other files
    offer it (`Package.shared_values`)."""
    # libcst and the visitor load only when a scan meets Python: a skill of Markdown alone never pays for them
    from skillscan.analyzers.python import prefilter
    from skillscan.analyzers.python.flatten import flatten_deep
    from skillscan.analyzers.python.tokens import MAX_CHAIN, MAX_INDENT, scan_tokens, token_pass
    from skillscan.analyzers.python.visitor import ModuleVisitor, walk

    shell = _shell_module()
    original = text
    # the pre-filter (prefilter.py): a file whose words no family reads keeps its tokens for the second half
    maybe = None if truncated else prefilter.candidate(text, capmap)
    scan = scan_tokens(text, keep=maybe is not None)
    if maybe is not None and scan.too_deep:
        scan = scan_tokens(text, keep=False)  # the depth verdict's own measures, as every other file gets them
    mode = "cst"
    if truncated:
        mode = "size"
    elif scan.cut:  # neither the depth measures nor the pre-filter saw the whole file: no parse, and said so
        mode = "tokens"
    elif scan.too_deep:
        mode = "depth"
        flat = flatten_deep(text) if scan.max_chain <= MAX_CHAIN and scan.max_indent <= MAX_INDENT else None
        if flat is not None and not scan_tokens(flat.text, keep=False).too_deep:
            text, mode = flat.text, f"flattened:{flat.spans}:{flat.first_line}"
    if mode == "cst" and maybe is not None and _quiet(text, maybe, scan):
        from skillscan.analyzers.python.events import Result

        return Result(), [], mode  # what the parse and the walk would give: no family can report here
    if mode == "cst" or mode.startswith("flattened:"):
        import libcst as cst

        collecting = gc.isenabled()
        if collecting:  # the parse makes no garbage, only live nodes: the collector's passes over them are
            gc.disable()  # wasted (a fifth of the parse of a 700 KB file, growing with the file)
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, ValueError, RecursionError, MemoryError):
            module = None
            mode = "syntax"
        except Exception:  # noqa: BLE001 - parser internals on hostile input
            module = None
            mode = "syntax"
        finally:
            if collecting:
                gc.enable()
        if module is not None:
            old = sys.getrecursionlimit()
            if old < RECURSION_LIMIT:
                sys.setrecursionlimit(RECURSION_LIMIT)
            try:
                visitor = ModuleVisitor(module, text, path, capmap, shell, shared=shared)
                walk(visitor, module)
                return visitor.result, visitor.shell_findings, mode
            except RecursionError:
                mode = "depth"
            finally:
                sys.setrecursionlimit(old)
    result, found = token_pass(original, path, capmap, None, shell, Confidence.LOW)
    return result, found, mode


def _parses(text: str) -> bool:
    """The text parses as Python (CPython's own parser, never run): a file the pre-filter skips must be one
    libcst's parse would take, or the full analysis would have said `py-unparsed-file`."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: only whether it parses is asked
            ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
        return False
    return True


def _quiet(text: str, maybe: Any, scan: Any) -> bool:
    """The pre-filter's second half over a file whose every token was read without error (a scan cut at
    MAX_TOKENS or restarted after an error may hide a trigger), not too deep, that parses."""
    from skillscan.analyzers.python import prefilter

    return not scan.cut and not scan.too_deep and not scan.errors and prefilter.quiet(maybe, scan.tokens) and \
        _parses(text)


def skipped(text: str, capmap: CapMap) -> bool:
    """Whether `analyze_source` skips the parse and the walk of this (untruncated) text (tests, bench)."""
    from skillscan.analyzers.python import prefilter
    from skillscan.analyzers.python.tokens import scan_tokens

    maybe = prefilter.candidate(text, capmap)
    return maybe is not None and _quiet(text, maybe, scan_tokens(text, keep=True))


class PythonAnalyzer:
    name = "python"

    def __init__(self, capmap_path: str | None = None) -> None:
        self.capmap_path = capmap_path

    def applies(self, file: PackageFile) -> bool:
        # binary-looking .py files (NUL bytes) are read token by token rather than skipped
        return file.language == "python"

    def warm(self) -> None:
        """Load what every file needs (libcst, the visitor, the capability map) — called before the pool
        forks when several workers would each load it (skillscan/analyze.py)."""
        import libcst  # noqa: F401

        from skillscan.analyzers.python import flatten, tokens, visitor  # noqa: F401

        load_capmap(self.capmap_path)

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        from skillscan.analyzers.python.repeat import remembered

        from skillscan.analyzers.shared_values import digest, relevant

        # a function of the file and of the values of the package's other files it can reach (the memo's context):
        # a file seen before in this process with the same values is not re-parsed
        shared = relevant(package.shared_values, file.text)
        context = f"{self.capmap_path}|{digest(shared)}" if shared else self.capmap_path
        return remembered(file, lambda f: self._analyze_file(package, f, shared), context)

    def _analyze_file(self, package: Package, file: PackageFile,
                      shared: Mapping[str, SharedFile] | None = None) -> FileResult:
        if shared is None:
            from skillscan.analyzers.shared_values import relevant

            shared = relevant(package.shared_values, file.text)
        from skillscan.loaders.files import make_file

        capmap = load_capmap(self.capmap_path)
        if file.text is None:
            text = file.data[: 2 * 1024 * 1024].decode("utf-8", "replace").replace("\x00", " ")
            result, shell_found, mode = analyze_source(text, file.path, capmap, truncated=True)
            mode = "binary"
        else:
            text = file.text
            result, shell_found, mode = analyze_source(text, file.path, capmap, truncated=file.truncated,
                                                      shared=shared)
        findings = [self._finding(e) for e in result.events]
        findings.extend(shell_found)
        findings.extend(_bounds(file.path, result.dropped))
        # a documentation snippet (a code fence) is often a fragment: reading it token by token is expected
        snippet_in_docs = file.virtual and file.channel is Channel.INSTRUCTION and mode == "syntax"
        if mode.startswith("flattened:"):  # parsed in full but for the deepest brackets: say what was left out
            _, spans, line = mode.split(":")
            findings.append(finding("analysis-incomplete", f"{file.path}: {spans} bracket expression(s) nested "
                                    f"deeper than {FLATTEN_DEPTH} levels (the first on line {line}) were not "
                                    "analysed; the rest of the file was", file.path, int(line), 1))
        elif mode != "cst" and not snippet_in_docs:
            from skillscan.analyzers.python import tokens

            why = {"syntax": "it does not parse as Python 3 (Python 2 or a syntax error)",
                   "depth": "it is nested too deeply for a safe parse",
                   "size": "it is larger than the parse cap",
                   "tokens": f"it has more than {tokens.MAX_TOKENS:,} tokens (the tokens past that were not read)",
                   "binary": "it is not valid text (NUL bytes or a binary encoding)"}.get(mode, mode)
            findings.append(finding("py-unparsed-file", f"{file.path} was read token by token because {why}; "
                                    "its capabilities are reported at low confidence", file.path, 1, 1,
                                    snippet=(text.splitlines() or [""])[0][:200]))
        virtual = []
        for n, p in enumerate(result.payloads, start=1):
            vf = make_file(f"{file.path}#decoded-{n}", p.data, origin=f"{file.path}:{p.location.line}")
            if p.language in ("python", "shell", "javascript", "powershell"):
                vf = replace(vf, language=p.language)
            virtual.append(vf)
        return FileResult(tuple(findings), tuple(virtual))

    @staticmethod
    def _finding(e: Event) -> Finding:
        f = finding(e.rule_id, e.message, e.location.path, e.location.line, e.location.column,
                    snippet=e.location.snippet, capabilities=e.capabilities, confidence=e.confidence,
                    severity=e.severity, related=e.related, decoded=e.decoded)
        return f if e.flow is None else replace(f, flow=e.flow)


def _bounds(path: str, dropped: dict[str, int]) -> list[Finding]:
    """A bound of the engine that left something out, said as analysis-incomplete."""
    out = []
    if dropped.get("findings"):
        out.append(finding("analysis-incomplete", f"{path}: more than {MAX_EVENTS:,} findings in one file; "
                           f"{dropped['findings']:,} more were not recorded", path, 1, 1))
    if dropped.get("decoded"):
        out.append(finding("analysis-incomplete", f"{path}: more than {MAX_DECODED} encoded payloads in one file; "
                           "the rest were not decoded or analysed", path, 1, 1))
    if dropped.get("runner-params"):
        from skillscan.analyzers.python.checks.data_command import MAX_PARAMS

        out.append(finding("analysis-incomplete", f"{path}: {dropped['runner-params']:,} parameter(s) of functions that "
                           f"run commands and take more than {MAX_PARAMS} were not followed as what they run "
                           "(py-runs-data-command)", path, 1, 1))
    if dropped.get("loop-values"):
        from skillscan.analyzers.python.loops import MAX_LOOP_NEST, MAX_LOOP_NODES, MAX_LOOP_VALUES

        line = dropped.get("loop-values-line", 1)
        out.append(finding("analysis-incomplete", f"{path}: {dropped['loop-values']:,} known value(s) of `for` loops "
                           f"whose body hands the value to a call (the first such loop on line {line}) were not "
                           f"followed through the body: at most {MAX_LOOP_VALUES} values a loop, "
                           f"{MAX_LOOP_NODES:,} nodes walked again a file and {MAX_LOOP_NEST} nested loops are "
                           "followed value by value", path, line, 1))
    return out
