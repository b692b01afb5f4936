"""Commands → findings with capabilities. One `Run` per analyze_command/analyze_argv call; decoded
and nested command texts (`sh -c '…'`, `eval`, `echo … | base64 -d | sh`, PowerShell
-EncodedCommand) are analysed recursively in a `Frame` that maps positions back into the file.

The analysis is split by meaning: nested interpreters (nested.py), downloads and remote code
(downloads.py), paths and persistence (paths.py), capability-map application (programs.py); this
module dispatches one command to them and holds the public entry points."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from skillscan.analyzers.shell.capmap import Capmap, base_name, load_capmap, normalise
from skillscan.analyzers.shell.decode import FETCHERS, prog_name
from skillscan.analyzers.shell.dns import DnsMixin
from skillscan.analyzers.shell.documents import DocumentsMixin
from skillscan.analyzers.shell.downloads import DownloadsMixin
from skillscan.analyzers.shell.envflow import EnvFlowMixin
from skillscan.analyzers.shell.messages import program_message, say
from skillscan.analyzers.shell.nested import PS_IEX, NestedMixin
from skillscan.analyzers.shell.paths import PathsMixin, home_path, path_scope
from skillscan.analyzers.shell.pathvar import PathVarMixin
from skillscan.analyzers.shell.pkgindex import PkgIndexMixin
from skillscan.analyzers.shell.programs import ProgramsMixin
from skillscan.analyzers.shell.state import (
    MAX_ARGV,
    MAX_DEPTH,
    MAX_HITS,
    MAX_TOTAL_CHARS,
    SNIPPET,
    CommandContext,
    Frame,
    Run,
    mask_placeholders,
)
from skillscan.analyzers.shell.calls import MAX_CALL_DEPTH, MAX_OUTPUT
from skillscan.analyzers.shell.syntax import (
    HOME_VARS,
    MAX_COMMANDS,
    MAX_EXPANSIONS,
    MAX_NEST,
    MAX_NODES,
    MAX_ARRAY,
    MAX_TEXT,
    MAX_VIA,
    parse_script,
)
from skillscan.analyzers.shell.winshell import (
    MAX_BLOCK_CHARS,
    MAX_BLOCK_DEPTH,
    MAX_LOOP_PASSES,
    MAX_LOOP_VALUES,
    PS_FETCH,
    parse_windows,
)
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.urls import host_of
from skillscan.capabilities.urls import operand_host as host_operand
from skillscan.lazyre import lazy
from skillscan.model import Capability, Finding

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("shell-exec", "shell-background-process")

__all__ = ["MAX_DEPTH", "MAX_HITS", "MAX_TOTAL_CHARS", "CommandContext", "analyze_argv", "analyze_command",
           "analyze_command_decoded", "analyze_command_inline", "home_path", "host_of", "host_operand", "mask_placeholders", "path_scope"]

# PowerShell cmdlet aliases (not processes; their capabilities come from the map)
PS_ALIASES = {"iwr", "irm", "iex", "gci", "gc", "sc", "ac", "ls", "dir", "cat", "type", "cd", "sl", "echo", "write",
              "rm", "del", "ri", "cp", "copy", "mv", "move", "ni", "md", "mkdir", "saps", "start", "sleep", "select",
              "where", "foreach", "%", "?", "ft", "fl", "oh", "measure", "sort", "tee", "curl", "wget"}
EVAL = {"eval"}
SOURCE = {"source", "."}


PROGRAM_NAME = lazy(r"^\.?[A-Za-z0-9_][A-Za-z0-9_.+@-]*$")
HTTP_VERBS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"}
PROSE_WORD = lazy(r"^[A-Za-z][a-z']*[,.;:]?$")
NOT_PROGRAM_CHAR = lazy(r"[\s\"'{}\[\]<>]")


def _plausible_program(value: str, name: str, args: list[Word]) -> bool:
    """Reject argv0 that is not a program name: JSON keys, HTTP request lines, braces (Markdown
    fences of other languages fed in as shell)."""
    if not name or not PROGRAM_NAME.match(name) or name.isdigit():
        return False
    if len(name) > 2 and name.startswith("_") and name.endswith("_"):
        return False  # a masked placeholder (`<file content>`) or Markdown emphasis (`_file_content_`)
    if NOT_PROGRAM_CHAR.search(value) or "://" in value:  # a URL is an address, never a program to run
        return False
    return not (value in HTTP_VERBS and args and args[0].value and args[0].value.startswith(("/", "http")))


def _prose_like(words: list[Word], ctx: CommandContext) -> bool:
    """A sentence, not a command (`Run the tests before you push.`) — only outside script files."""
    if ctx.source == "script" or len(words) < 4:
        return False
    first = words[0].value or ""
    if not (first[:1].isupper() and first.isalpha() and not first.isupper()):
        return False
    rest = [w.value or "" for w in words[1:]]
    wordy = sum(1 for w in rest if PROSE_WORD.match(w) and w[:1].islower())
    return wordy >= max(3, (len(rest) * 3) // 4) and not any(w.startswith("-") or "/" in w for w in rest)


def program_tail(word: Word, depth: int = 0) -> str | None:
    """The program a command word names when only its directory is unknown: the literal last path segment of
    `"$VENV/bin/pip"`, or of the value assigned to a variable the word is (`PIP="$VENV/bin/pip"` … `"$PIP"`,
    followed 4 deep); None when the name itself is computed."""
    raw = word.raw.strip("\"'")
    if len(raw) > 512:  # a program path is a short word
        return None
    if re.fullmatch(r"\$\{?\w+\}?", raw) and len(word.via) == 1 and depth < 4:
        return program_tail(word.via[0][1], depth + 1)
    m = re.fullmatch(r"[^\s;|&<>()`]*\$\{?\w+\}?[^\s;|&<>()`$]*/([A-Za-z][\w.+-]{0,40})", raw)
    return m.group(1) if m else None


# ---- the analysis ------------------------------------------------------------------------------


class _Analyzer(NestedMixin, DownloadsMixin, PathsMixin, ProgramsMixin, DnsMixin, EnvFlowMixin, PathVarMixin,
                DocumentsMixin, PkgIndexMixin):
    def __init__(self, run: Run) -> None:
        self.run = run
        self.cm = run.capmap
        self.texts: list[str] = []  # every text analysed in this run (assignments seen by dns.py)

    # entry points
    def text(self, text: str, frame: Frame) -> None:
        if not text.strip():
            return
        if frame.depth > MAX_DEPTH:
            self.run.skip(frame, say("bound-nesting", limit=MAX_DEPTH))
            return
        if len(text) > self.run.budget:
            self.run.skip(frame, say("bound-budget", limit=f"{MAX_TOTAL_CHARS:,}"))
            if self.run.budget <= 0:
                return
        text = text[: self.run.budget]
        self.run.budget -= len(text)
        if len(self.texts) < 64:
            self.texts.append(text)
        if frame.dialect == "bash":
            if self.run.ctx.source != "script":
                text = mask_placeholders(text, self.run.written)
            script = parse_script(text, self.run.env if frame.depth == 0 and self.run.env else None)
            cmds, cut = script.commands, script.truncated
            self._path_settings(script.settings, frame)
            self._index_settings(script.settings, frame)
            if script.expansions_cut:
                self.run.skip(frame, say("bound-expansions", limit=f"{MAX_EXPANSIONS:,}"))
            if script.via_cut:
                self.run.skip(frame, say("bound-via", limit=MAX_VIA))
            if script.arrays_cut:
                self.run.skip(frame, say("bound-array", limit=MAX_ARRAY))
            if script.calls_cut:
                self.run.skip(frame, say("bound-calls", limit=MAX_CALL_DEPTH))
            if script.outputs_cut:
                self.run.skip(frame, say("bound-output", limit=f"{MAX_OUTPUT:,}"))
        else:
            said: list[str] = []
            cmds = parse_windows(text, frame.dialect, said)
            if "via" in said:
                self.run.skip(frame, say("bound-via", limit=MAX_VIA))
            if "blocks" in said:
                self.run.skip(frame, say("bound-ps-blocks", limit=MAX_BLOCK_DEPTH, chars=f"{MAX_BLOCK_CHARS:,}"))
            if "loop" in said:
                self.run.skip(frame, say("bound-ps-loop", limit=MAX_LOOP_VALUES))
            if "passes" in said:
                self.run.skip(frame, say("bound-ps-passes", limit=MAX_LOOP_PASSES))
            cut = len(text) > MAX_TEXT or len(cmds) >= MAX_COMMANDS
            if frame.dialect == "powershell":
                self._ps_facts(text, frame)
        if cut:
            self.run.skip(frame, say("bound-parse", chars=f"{MAX_TEXT:,}", nodes=f"{MAX_NODES:,}",
                                     commands=f"{MAX_COMMANDS:,}", nest=MAX_NEST))
        for cmd in cmds:
            if len(self.run.hits) >= MAX_HITS:
                self.run.skip(frame, say("bound-hits", limit=f"{MAX_HITS:,}"), cmd.row, cmd.col)
                break
            self.command(cmd, frame)

    # one command
    def command(self, cmd: Cmd, frame: Frame) -> None:
        self._redirects(cmd, frame)
        self._cmd_path(cmd, frame)
        self._env_reads(cmd, frame)
        if cmd.function:  # the script's own function: its body's commands are what runs (syntax._follow_call)
            return
        if cmd.expression:
            self._ps_expression(cmd, frame)
            return
        words = cmd.words[:MAX_ARGV]
        if len(cmd.words) > MAX_ARGV:
            self.run.skip(frame, say("bound-argv", limit=f"{MAX_ARGV:,}"), cmd.row, cmd.col)
        if not words:
            return
        i = self._unwrap(cmd, words, frame)
        if i >= len(words):
            return
        pw = words[i]
        args = words[i + 1:]
        tail = program_tail(pw) if pw.value is None else None
        if tail is not None and self.cm.lookup(normalise(tail)) is not None:
            pw = replace(pw, value=tail)  # `"$VENV/bin/pip" install …`: the directory is unknown, the program is not
        if pw.value is None or not pw.value.strip():
            self._dynamic_program(cmd, pw, frame)
            return
        name = prog_name(pw.value)
        if not _plausible_program(pw.value, name, args) or _prose_like(words[i:], self.run.ctx):
            return
        key = normalise(name)
        if frame.dialect != "bash":
            key = key.lower()
        if cmd.background:
            self.run.add(frame, cmd, "shell-background-process", ["proc.daemon"],
                         say("background", name=name))
        if key in EVAL or (frame.dialect == "powershell" and key in PS_IEX):
            self._eval(cmd, name, args, frame)
            return
        if key in SOURCE:
            self._source(cmd, args, frame)
            return
        if key not in self.cm.builtins and not (frame.dialect == "powershell" and
                                                 (re.fullmatch(r"[a-z]+-[a-z]+", key) or key in PS_ALIASES)):
            self.run.add(frame, cmd, "shell-exec", [Capability("proc.exec", name)], say("exec", name=name))
        self._downloaded_exec(cmd, pw, frame)
        values = [w.value for w in args]
        prog = self.cm.lookup(key) or self.cm.lookup(base_name(key))
        if prog is not None:
            self._program(cmd, name, prog, args, values, frame)
        self._package_index(cmd, key, name, values, frame)
        bkey = base_name(key)
        if key in self.cm.shells or bkey in self.cm.shells:
            self._shell(cmd, name, args, frame)
        elif key in self.cm.interpreters or bkey in self.cm.interpreters:
            self._interpreter(cmd, name, self.cm.interpreters.get(key) or self.cm.interpreters[bkey], args, frame)
        if key in FETCHERS or key in ("certutil", "bitsadmin"):
            self._record_download(key, args, values)
        self._track_outputs(cmd, key, values, frame)
        if key == "crontab":
            self._cron_lines(cmd, frame)
        self._track_git_cd(key, values)
        self._git_push_remote(cmd, key, args, frame)
        if key not in self.cm.inert:
            self._paths(cmd, key, args, values, frame)
            self._miner_args(cmd, name, values, frame)
            self._dns_exfil(cmd, key, name, args, frame)
            self._documents(cmd, key, name, args, values, frame)
            self._env_upload(cmd, frame)
        self._pipeline_shell(cmd, key, args, frame)

    def _ps_facts(self, text: str, frame: Frame) -> None:
        """PowerShell expressions the tokenizer does not see (psfacts.py, rules/capabilities/powershell.yaml)."""
        from skillscan.analyzers.shell.psfacts import facts

        lines = text.split("\n")
        cut: list[str] = []
        for f in facts(text, cut):
            line = lines[f.row] if f.row < len(lines) else ""
            cmd = Cmd(words=[], row=f.row, col=f.col, text=line.strip())
            self.run.add(frame, cmd, f.rule, list(f.capabilities), f.message)
        for why in cut:
            self.run.skip(frame, say("bound-psfacts", why=why))

    def _ps_expression(self, cmd: Cmd, frame: Frame) -> None:
        """A PowerShell expression statement runs no program: a fetch in it (`$r = (iwr url).Content`,
        `(New-Object Net.WebClient).DownloadString(url)`) reaches the host and yields text, which runs only
        where a later `iex` / `&` is given it (nested.py reads the variable or the pipeline for that)."""
        for w in cmd.words:
            m = PS_FETCH.search(w.raw) if w.payload is not None and w.payload.url else None
            if m is not None and w.payload is not None and w.payload.url:  # not a variable holding a fetched value
                host = host_of(w.payload.url) if w.payload.url != "*" else "*"
                self.run.add(frame, cmd, "shell-network-egress", [Capability("net.egress", host)],
                             program_message("shell-network-egress", m.group(0), {"host": host}))
                return

    def _dynamic_program(self, cmd: Cmd, pw: Word, frame: Frame) -> None:
        if pw.payload is not None and (pw.payload.url or pw.payload.decoders):
            self._payload(cmd, pw.payload, frame, "bash", say("how-substitution"))
            return
        if pw.value is None and pw.raw.startswith(("$(", "`", '"$(')):
            self.run.add(frame, cmd, "shell-dynamic-command", ["proc.shell"],
                         say("dynamic-program"))



# ---- public entry points ------------------------------------------------------------------------

MAX_COMMAND_CHARS = 1024 * 1024


def _read(run: Run, command: str, frame: Frame) -> None:
    if len(command) > MAX_COMMAND_CHARS:
        run.skip(frame, say("bound-command-chars", limit=f"{MAX_COMMAND_CHARS:,}", size=f"{len(command):,}"))
    _Analyzer(run).text(command[:MAX_COMMAND_CHARS], frame)


def analyze_command(command: str, ctx: CommandContext, *, capmap: Capmap | None = None,
                    dialect: str = "bash") -> list[Finding]:
    """Findings for a shell command string (multi-line is fine) found at `ctx`."""
    return analyze_command_decoded(command, ctx, capmap=capmap, dialect=dialect)[0]


def analyze_command_decoded(command: str, ctx: CommandContext, *, capmap: Capmap | None = None,
                            dialect: str = "bash") -> tuple[list[Finding], list[tuple[int, str, str]]]:
    """`analyze_command` plus the hidden commands it decoded and executed: [(line, dialect, text)]."""
    if not isinstance(command, str) or not command.strip():
        return [], []
    run = Run(ctx, capmap or load_capmap())
    _read(run, command, Frame(max(1, ctx.line), max(1, ctx.column), 0, dialect))
    return run.findings(), run.decoded_texts


def analyze_command_inline(command: str, ctx: CommandContext, *, capmap: Capmap | None = None,
                           dialect: str = "bash", env: dict[str, Word] | None = None
                           ) -> tuple[list[Finding], list[tuple[int, str, str]]]:
    """`analyze_command` plus the interpreters' inline programs it met (`python -c CODE`, `node -e
    CODE`, decoded or not), [(line, language, code)], for the code engines to read as files. `env`: the
    variables a file the script sources assigns (analyzers/shell/sourced.py)."""
    if not isinstance(command, str) or not command.strip():
        return [], []
    run = Run(ctx, capmap or load_capmap(), env=dict(env or {}))
    _read(run, command, Frame(max(1, ctx.line), max(1, ctx.column), 0, dialect))
    return run.findings(), run.inline_code


_ARGV_VAR = lazy(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _expand_argv_item(value: str, reads: list[str]) -> str | None:
    """MCP/hook hosts expand `${VAR}` in argv; anchors become scope prefixes, other variables make
    the word unknown (and are environment reads)."""
    if "$" not in value:
        return value
    unknown = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unknown
        name = m.group(1) or m.group(2)
        if name in HOME_VARS:
            return HOME_VARS[name]
        if name != "UNRESOLVED":
            reads.append(name)
        unknown = True
        return ""

    out = _ARGV_VAR.sub(sub, value)
    return None if unknown else out


def analyze_argv(argv: Sequence[str], ctx: CommandContext, *, capmap: Capmap | None = None) -> list[Finding]:
    """Findings for an exec-style argv (subprocess lists, MCP command + args): no shell parsing of the
    words themselves; `sh -c 'string'` and interpreters' inline code are still analysed."""
    items = [str(a) for a in list(argv)[:MAX_ARGV] if a is not None]
    if not items or not items[0].strip():
        return []
    run = Run(ctx, capmap or load_capmap())
    analyzer = _Analyzer(run)
    frame = Frame(max(1, ctx.line), max(1, ctx.column), 0, "bash")
    if len(argv) > MAX_ARGV:
        run.skip(frame, say("bound-argv", limit=f"{MAX_ARGV:,}"))
    text = " ".join(items)
    reads: list[str] = []
    words = [Word(_expand_argv_item(v, reads), v, 0, 0) for v in items]
    cmd = Cmd(words=words, row=0, col=0, text=text[:SNIPPET], env_reads=reads)
    analyzer.command(cmd, frame)
    return run.findings()
