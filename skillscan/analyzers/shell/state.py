"""The state of one command analysis: where a command is (`CommandContext`), the nested frame a text
is analysed in (`Frame`, mapping positions back into the file), and the hits one call records (`Run`).
`AnalyzerBase` is what the rule families (nested.py, downloads.py, paths.py, programs.py) share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from skillscan.analyzers.base import finding
from skillscan.analyzers.shell.capmap import Capmap
from skillscan.analyzers.shell.decode import MAX_DECODED
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.catalog import get_catalog
from skillscan.lazyre import lazy
from skillscan.model import Capability, Channel, Confidence, Finding, Flow, Location, Severity

if TYPE_CHECKING:
    from skillscan.analyzers.shell.decode import Payload
    from skillscan.analyzers.shell.words import Word

PLACEHOLDER = lazy(r"(?<![<$])<([A-Za-z][A-Za-z0-9_ .:/|-]{0,60}[A-Za-z0-9_])>(?![>&(])")
_NOT_WORD = lazy(r"[^A-Za-z0-9_]")


def mask_placeholders(text: str, written: dict[str, str] | None = None) -> str:
    """Documentation placeholders (`--scope <team>`, `--priority <Low|High>`, `id_ed25519_<name>.pub`)
    would parse as redirections and pipes; keep each as one word of the same length (`_Low_High_`), so
    positions do not move and no part of it becomes a command, a redirect target or a path. `written`
    receives masked → as written, so that messages can show the placeholder as the text has it."""
    if "<" not in text:
        return text

    def mask(m: re.Match[str]) -> str:
        masked = "_" + _NOT_WORD.sub("_", m.group(1)) + "_"
        if written is not None and len(written) < 256:
            written[masked] = m.group(0)
        return masked

    return PLACEHOLDER.sub(mask, text)


MAX_DEPTH = 4  # nested command texts (sh -c inside eval inside a decoded payload …)
MAX_TOTAL_CHARS = 2 * 1024 * 1024  # all text analysed by one call, nested texts included
MAX_HITS = 5000
MAX_ARGV = 10_000
MAX_MADE = 256  # files a script writes, remembered so that a data query of one is not taken as the author's own
SNIPPET = 300


@dataclass(frozen=True)
class CommandContext:
    path: str  # package-relative file the command is in
    line: int = 1  # 1-based line of the command's first character in that file
    column: int = 1
    channel: Channel = Channel.CODE
    max_confidence: Confidence = Confidence.HIGH  # callers lower this for examples/reference prose
    source: str = "script"  # script | hook | mcp | install | load-time | fence | inline | code


@dataclass(frozen=True)
class Frame:
    line: int
    column: int
    depth: int = 0
    dialect: str = "bash"  # bash | powershell | batch
    pin: tuple[int, int, str] | None = None  # decoded text: every finding goes to the command that decoded it
    decoded: str | None = None

    def at(self, row: int, col: int) -> tuple[int, int]:
        if self.pin is not None:
            return self.pin[0], self.pin[1]
        if row == 0:
            return self.line, self.column + col
        return self.line + row, col + 1


@dataclass
class Hit:
    rule: str
    caps: list[Capability]
    message: str
    line: int
    column: int
    snippet: str
    severity: Severity | None = None
    confidence: Confidence | None = None
    decoded: str | None = None
    role: str | None = None  # set only where the command's own text decides who it is for (a value to fill in)
    flow: Flow | None = None  # what a request carries (analyzers/shell/requests.py)
    related: list[int] = field(default_factory=list)  # lines of the commands the finding also rests on


@dataclass
class Run:
    ctx: CommandContext
    capmap: Capmap
    hits: dict[tuple[str, int, str | None], Hit] = field(default_factory=dict)
    budget: int = MAX_TOTAL_CHARS
    downloads: dict[str, str] = field(default_factory=dict)
    decoded_texts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, dialect, text)
    inline_code: list[tuple[int, str, str]] = field(default_factory=list)  # (line, language, code) of `python -c` …
    decoded_files: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    clones: dict[str, str] = field(default_factory=dict)  # directory → repository URL (git clone)
    remotes: dict[str, str] = field(default_factory=dict)  # git remote name → URL (`git remote add NAME URL`)
    literal_files: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path → (text, line, column)
    made: set[str] = field(default_factory=set)  # files the script writes (redirects, `-o` targets), as written
    made_over: bool = False  # more than MAX_MADE: any file may be one the script wrote (`made_file`)
    # a link, copy or archive of a credential file (`ln -s ~/.ssh/id_rsa k`, `tar czf a.tgz ~/.aws`) → (the file
    # it stands for, the line of the command that made it, what that command made of it)
    secret_aliases: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    running: set[str] = field(default_factory=set)
    cwd: str | None = None
    written: dict[str, str] = field(default_factory=dict)  # masked placeholder → as the text writes it
    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)  # what a bound left out → first place
    env: dict[str, Word] = field(default_factory=dict)  # variables a package file the script sources assigns
    # the script's variables with a value known statically, by name (pkgindex.MAX_VARS of them): what an unquoted
    # here-document the script writes fills in (`index-url = $INDEX`)
    values: dict[str, str] = field(default_factory=dict)

    def skip(self, frame: Frame, why: str, row: int = 0, col: int = 0) -> None:
        """A bound cut the analysis short: reported (analysis-incomplete) once per reason, where it first bit."""
        self.skipped.setdefault(why, frame.at(row, col))

    def made_file(self, path: str) -> None:
        """The script writes the file `path` (as written); past MAX_MADE files, `made_over` is set: no file read
        later can be told apart from one the script wrote (`written_files`)."""
        if path in self.made:
            return
        if len(self.made) < MAX_MADE:
            self.made.add(path)
        else:
            self.made_over = True

    def written_files(self, frame: Frame, cmd: Cmd) -> set[str] | None:
        """The files this script downloaded or wrote before (a data query of one is not of a fixed source), or
        None past MAX_MADE: every file may be one, which is said (analysis-incomplete) where it is asked."""
        if self.made_over:
            self.skip(frame, say("bound-made", limit=MAX_MADE), cmd.row, cmd.col)
            return None
        return set(self.downloads) | set(self.literal_files) | self.made

    # -- recording -----------------------------------------------------------------
    def add(self, frame: Frame, cmd: Cmd, rule: str, caps: Sequence[Capability | str], message: str,
            severity: Severity | str | None = None, confidence: Confidence | str | None = None,
            decoded: str | None = None, row: int | None = None, col: int | None = None,
            role: str | None = None, flow: Flow | None = None, related: Sequence[int] = ()) -> None:
        if len(self.hits) >= MAX_HITS:
            self.skip(frame, say("bound-hits", limit=f"{MAX_HITS:,}"), cmd.row, cmd.col)
            return
        for masked, original in self.written.items() if "_" in message else ():
            message = message.replace(masked, original)
        line, column = frame.at(cmd.row if row is None else row, cmd.col if col is None else col)
        snippet = frame.pin[2] if frame.pin is not None else (cmd.stmt or cmd.text)
        snippet = " ".join(snippet.split())[:SNIPPET]
        decoded = decoded if decoded is not None else frame.decoded
        key = (rule, line, decoded)  # one finding per rule and line: a second command there joins it
        parsed = [c if isinstance(c, Capability) else Capability.parse(c) for c in caps]
        sev = Severity.parse(severity) if isinstance(severity, str) else severity
        conf = Confidence.parse(confidence) if isinstance(confidence, str) else confidence
        old = self.hits.get(key)
        if old is None:
            self.hits[key] = Hit(rule, parsed, message, line, column, snippet, sev, conf, decoded, role, flow,
                                 list(related))
            return
        old.related.extend(n for n in related if n not in old.related)
        if flow is not None:
            old.flow = flow if old.flow is None else merge_flows(old.flow, flow)
        if old.role != role:
            old.role = None  # another command on the line: the line's role is the document's
        for c in parsed:
            if c not in old.caps:
                old.caps.append(c)
        stronger = sev is not None and (old.severity is None or sev > old.severity)
        if message not in old.message.split("; ") and old.message.count("; ") < 3:
            old.message = f"{message}; {old.message}" if stronger else f"{old.message}; {message}"
        if stronger:
            old.severity = sev
        if conf is not None and old.confidence is not None and conf > old.confidence:
            old.confidence = conf

    def findings(self) -> list[Finding]:
        catalog = get_catalog()
        out = []
        for h in self.hits.values():
            rule = catalog.rule(h.rule)
            conf = h.confidence if h.confidence is not None else rule.confidence
            conf = min(conf, self.ctx.max_confidence)
            f = finding(h.rule, h.message, self.ctx.path, h.line, h.column, snippet=h.snippet,
                        capabilities=sorted(set(h.caps), key=str), channel=self.ctx.channel,
                        confidence=conf, severity=h.severity, decoded=h.decoded[:MAX_DECODED] if h.decoded else None)
            if h.role is not None or h.flow is not None:
                f = replace(f, role=h.role if h.role is not None else f.role, flow=h.flow)
            if h.related:
                f = replace(f, related=tuple(Location(self.ctx.path, n) for n in h.related))
            out.append(f)
        for why, (line, column) in self.skipped.items():
            out.append(finding("analysis-incomplete", say("incomplete", path=self.ctx.path, why=why), self.ctx.path,
                               line, column, channel=self.ctx.channel))
        return out


def merge_flows(a: Flow, b: Flow) -> Flow:
    """Two values one command sends: a file's content before named variables, every name, and the sink
    facts both share (else None)."""
    source = a.source if a.source == b.source or a.source == "file" else b.source
    return Flow(source, tuple(dict.fromkeys(a.names + b.names)), a.sink, a.host if a.host == b.host else None,
                a.part if a.part == b.part else None, a.service if a.service == b.service else None,
                tuple(dict.fromkeys(a.carriers + b.carriers)))


class AnalyzerBase:
    """What every family mixin of the analyzer (infer._Analyzer) relies on: the run and its map, and
    the entry points of the other families (declared here for the type checker only)."""

    run: Run
    cm: Capmap

    def _as_written(self, text: str) -> str:
        """A value with its documentation placeholders as the text writes them (`_name_` → `<name>`)."""
        for masked, original in self.run.written.items() if "_" in text else ():
            text = text.replace(masked, original)
        return text

    if TYPE_CHECKING:
        def text(self, text: str, frame: Frame) -> None: ...
        def command(self, cmd: Cmd, frame: Frame) -> None: ...
        def _payload(self, cmd: Cmd, pl: Payload, frame: Frame, dialect: str | None, how: str) -> None: ...
        def _decoded(self, cmd: Cmd, text: str, decoders: tuple[str, ...], frame: Frame, dialect: str | None,
                     how: str) -> None: ...
        def _code_word(self, cmd: Cmd, word: Word, dialect: str, how: str, frame: Frame,
                       is_eval: bool = False) -> None: ...
        def _remote(self, cmd: Cmd, url: str, frame: Frame, message: str, download: bool = False) -> None: ...
        def _run_file(self, cmd: Cmd, path: str, frame: Frame, how: str, dialect: str | None = "bash") -> None: ...
        def _secret(self, cmd: Cmd, path: str, frame: Frame, how: str) -> None: ...
        def _write(self, cmd: Cmd, path: str, frame: Frame, how: str) -> None: ...
        def _is_download(self, value: str) -> str | None: ...
        def _index_config_write(self, cmd: Cmd, path: str, frame: Frame) -> None: ...
