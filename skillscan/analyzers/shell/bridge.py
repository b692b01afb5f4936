"""The bridge from commands to the code engines: interpreters' inline programs (`python -c CODE`,
`node -e CODE`, with CODE decoded when a decoder hid it) found by the shell analyzer in a script, a
Markdown fence or a command the host runs (hook, MCP/LSP server, install or lifecycle script) are
read as files of their language by every file engine (the Python engine's decoders catch
`exec(base64.b64decode(…))` and `exec(bytes.fromhex(…))`; YARA reads the text). Their findings are
placed on the line of the command that holds the program."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from skillscan.analyzers.base import FileAnalyzer, finding
from skillscan.analyzers.shell.messages import say
from skillscan.loaders.files import make_file
from skillscan.model import Channel, Finding, Package, PackageFile

# The file engines, handed in by the analyzer registry (skillscan/analyzers/__init__.py): the shell room
# imports no engine above it, and the Python engine (which reads subprocess commands through the shell
# analyzer) does not import itself back through here.
Engines = Callable[[], Sequence[FileAnalyzer]]

SUFFIX = {"python": "py", "javascript": "js"}
ENGINES = ("python", "js-decode", "yara")  # the file engines that read one file on their own
MAX_DEPTH = 2  # virtual files of virtual files (a decoded payload inside the inline program)
MAX_FILES = 32  # inline programs (and what they decode to) read for one command text


def inline_files(path: str, inline: Sequence[tuple[int, str, str]]) -> list[tuple[int, PackageFile]]:
    """(line, virtual file) for each inline program found in the command text of `path`."""
    out = []
    for n, (line, language, code) in enumerate(inline[:MAX_FILES], start=1):
        vf = make_file(f"{path}#inline-{n}.{SUFFIX.get(language, 'txt')}", code.encode("utf-8", "replace"),
                       origin=f"{path}:{line}")
        out.append((line, replace(vf, language=language)))
    return out


def read_inline(package: Package, path: str, inline: Sequence[tuple[int, str, str]], file_engines: Engines,
                channel: Channel | None = None) -> list[Finding]:
    """The file engines' findings on the inline programs of `path`, each on its command's line."""
    if not inline:
        return []
    engines = [a for a in file_engines() if getattr(a, "name", "") in ENGINES]
    if not engines:
        return [_incomplete(path, inline[0][0], channel, say("bound-no-engines", count=len(inline)))]
    queue = [(vf, 0, line) for line, vf in inline_files(path, inline)]
    out: list[Finding] = []
    seen = 0
    dropped: list[int] = [line for line, _, _ in inline[MAX_FILES:]]  # lines of the programs not read
    while queue:
        vf, depth, line = queue.pop(0)
        for engine in engines:
            if not engine.applies(vf):
                continue
            result = engine.analyze_file(package, vf)
            for f in result.findings:
                where = replace(f.location, path=path, line=line, column=1, end_line=None, end_column=None)
                out.append(replace(f, location=where, channel=channel or f.channel))
            for v in result.virtual_files:
                seen += 1
                if depth + 1 < MAX_DEPTH and seen <= MAX_FILES:
                    queue.append((v, depth + 1, line))
                else:
                    dropped.append(line)
    if dropped:
        out.append(_incomplete(path, min(dropped), channel, say("bound-inline-files", count=len(dropped),
                                                                files=MAX_FILES, depth=MAX_DEPTH - 1)))
    return out


def _incomplete(path: str, line: int, channel: Channel | None, why: str) -> Finding:
    return finding("analysis-incomplete", say("incomplete", path=path, why=why), path, line,
                   channel=channel or Channel.CODE)
