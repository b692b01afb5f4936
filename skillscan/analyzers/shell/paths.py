"""Paths and persistence: secret files read, files written (and those that persist: shell profiles,
agent configuration, services), redirections (including `/dev/tcp` connections), environment reads
and scheduled (`crontab`) commands."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from skillscan.analyzers.shell.agentwrite import OWN_KINDS, classify_write
from skillscan.analyzers.shell.capmap import base_name, parse_options
from skillscan.analyzers.shell.decode import prog_name, stdin_payload
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.rcsetting import RcSetting, rc_setting
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.grammar import store_phrase
from skillscan.capabilities.urls import operand_host as host_operand
from skillscan.lazyre import lazy
from skillscan.model import Capability, Channel, Confidence

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("shell-env-read", "shell-file-write", "shell-persistence", "shell-secret-file-read")

WRITERS_LAST = {"cp", "mv", "install", "ln", "rsync", "copy", "copy-item", "move-item", "xcopy", "robocopy"}
WRITERS_ALL = {"tee", "set-content", "add-content", "out-file", "touch"}
ALIASERS = {"ln", "cp", "mv"}  # make a path that stands for a credential file (paths._alias)
# options whose value is the key or configuration a copy over ssh authenticates with (as `ssh -i` does), not a
# file it sends: `scp -i ~/.ssh/deploy_key dist/app.tgz host:/srv/`
AUTH_OPTIONS = {"scp": frozenset({"-i", "-F", "-S", "-o"})}
MAX_ALIASES = 64


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


# the Windows profile folders a path names (cmd and PowerShell): group 1 or 2 set for the local one
_WINDOWS_FOLDER = lazy(r"(?i)%(LOCAL)?APPDATA%|\$env:(LOCAL)?APPDATA")


def _profile_folder(m: re.Match[str]) -> str:
    return "~/AppData/Local" if m.group(1) or m.group(2) else "~/AppData/Roaming"


def home_path(value: str) -> str:
    v = value.replace("\\", "/")
    if "%" in v or "$" in v:
        v = _WINDOWS_FOLDER.sub(_profile_folder, v)
    return _HOME_PREFIX.sub("~", v) if v[:1] in "/%$" or v[1:2] == ":" else v


_FILE_FIELD = lazy(r"^(?:[\w.\[\]-]{1,64}=)?[@<](?=[~/.$%A-Za-z])([^;]+)")  # @FILE, name=@FILE, name=<FILE
# a long option whose `=VALUE` names a file the command reads (sends, signs with, takes input from), not one it
# writes or leaves out
_READ_OPTION = lazy(r"file|data|body|key|cert|input|upload|post|form|identity|cred|netrc|attach")
_WRITE_OPTION = lazy(r"out|log|dest|target|save|exclude|ignore|dir")
# `[user@]host:path`: a path on another machine (scp, rsync), not a file this one reads
_REMOTE_OPERAND = lazy(r"^(?:[\w.-]+@)?[A-Za-z0-9][\w.-]+:(?!//)")
ARCHIVERS = {"tar", "bsdtar", "gtar"}
_FILE_OPTION = lazy(r"^(?:-[A-Za-z]*f|--file)$")
_OLD_STYLE_FILE = lazy(r"^[A-Za-z]*f[A-Za-z]*$")


def _archive_named(values: list[str | None], i: int) -> bool:
    """values[i] is the archive's own name: after `-f`/`-czf`/`--file`, or after an old-style
    first operand with f (`tar czf out.tgz …`)."""
    prev = values[i - 1] or ""
    return bool(_FILE_OPTION.match(prev) or (i == 2 and _OLD_STYLE_FILE.match(prev)))


def carried_paths(key: str, values: list[str | None]) -> list[str]:
    """Files a command reads that are not plain operands: uploaded form fields and request bodies
    (`curl -F f=@FILE`, `--data-binary @FILE`), and an archiver's operands relative to its `-C DIR`
    (`tar -C ~ -czf out.tgz .aws .kube` reads ~/.aws and ~/.kube)."""
    out: list[str] = []
    for v in values[:256]:
        m = _FILE_FIELD.match(v) if v else None
        if m and m.group(1) != "-":
            out.append(m.group(1))
        elif v and v.startswith("--") and "=" in v:  # `wget --post-file=~/.netrc`, `--key-file=…`, `--upload-file=…`
            name, value = v.split("=", 1)
            if value and _READ_OPTION.search(name) and not _WRITE_OPTION.search(name):
                out.append(value)
    if key in ARCHIVERS:
        base: str | None = None
        skip = False
        for i, v in enumerate(values[:256]):
            if v is None or skip:
                skip = False
                continue
            if v == "-C" or v == "--directory":
                base = values[i + 1] if i + 1 < len(values) else None
                skip = True
            elif v.startswith("--directory="):
                base = v.split("=", 1)[1]
            elif base and i > 1 and not v.startswith(("-", "/", "~", "$")) and not _archive_named(values, i):
                out.append(base.rstrip("/") + "/" + v.removeprefix("./"))
    return out


# options whose value names files a command leaves out (a pattern, not a file it reads)
EXCLUDE_OPTIONS = frozenset({"--exclude", "--exclude-dir", "--exclude-from", "--ignore", "--ignore-pattern",
                             "--skip"})

class PathsMixin(AnalyzerBase):
    # paths: secrets read, persistence writes
    def _paths(self, cmd: Cmd, key: str, args: list[Word], values: list[str | None], frame: Frame) -> None:
        reads = key not in self.cm.path_neutral
        how = key
        if not reads and key in self.cm.path_reading:  # `git add -f .env`: the file's content goes into the repository
            sub = self._subcommand(key, values)
            if sub in self.cm.path_reading[key]:
                reads, how = True, f"{key} {sub}"
        ops = [v for v in values if v and not v.startswith("-")]
        # what `cp .env.example .env` or `tee .env` only writes is not read (`-t DIR` names the target elsewhere)
        written_only = set(ops[-1:] if key in WRITERS_LAST and len(ops) >= 2 and not any(
            v in ("-t", "--target-directory") or (v or "").startswith("--target-directory=") for v in values)
            else ops if key in WRITERS_ALL else [])
        # `openssl pkcs12 -export -out site.pfx`: the value of `-out` is the file the command writes
        written_only |= {values[i + 1] for i, v in enumerate(values[:-1]) if v in ("-out", "--out") and values[i + 1]}
        auth = AUTH_OPTIONS.get(key, frozenset())
        written_only |= {values[i + 1] for i, v in enumerate(values[:-1]) if v in auth and values[i + 1]}
        # `aws s3 sync DIR s3://… --exclude ".env"`, `rsync --exclude=.ssh`: a pattern of
        # files the command leaves out is not a file it reads
        written_only |= {values[i + 1] for i, v in enumerate(values[:-1]) if v in EXCLUDE_OPTIONS and values[i + 1]}
        written_only |= {v.split("=", 1)[1] for v in values if v and "=" in v and v.split("=", 1)[0] in EXCLUDE_OPTIONS}
        written_as = {w.value: w.raw.strip("'\"") for w in args[:256] if w.value and w.raw != w.value}
        # after `cd ~` (`cd "$HOME"`) a relative operand is a file of the home directory: `tar czf b.tgz .ssh .aws`
        at_home = [f"~/{v.removeprefix('./')}" for v in ops[:256] if self.run.cwd in ("~", "~/") and
                   not v.startswith(("/", "~", "$", "%")) and "://" not in v and not _REMOTE_OPERAND.match(v)
                   and v not in written_only] if reads else []
        for v in [*values[:256], *carried_paths(key, values), *at_home]:
            if not v or len(v) > 4096 or v in written_only or _REMOTE_OPERAND.match(v):
                continue
            hp = home_path(v)
            if reads:  # a path under %APPDATA% / $env:LOCALAPPDATA is also named as the line writes it
                raw = written_as.get(v, v)
                self._secret(cmd, hp, frame, how, raw if _WINDOWS_FOLDER.search(raw) else None)
        if key in ALIASERS:
            self._alias(ops, frame.at(cmd.row, cmd.col)[0])
        elif key in ARCHIVERS:
            named = [v for i, v in enumerate(values) if v and i > 0 and _archive_named(values, i)]
            inputs = [v for i, v in enumerate(values) if v and not v.startswith("-") and v not in named and
                      not (i > 0 and _archive_named(values, i)) and not (i == 1 and _OLD_STYLE_FILE.match(v))]
            if named and named[0] != "-":
                self._alias([*inputs, *carried_paths(key, values), named[0]], frame.at(cmd.row, cmd.col)[0],
                            "an archive of")
        if key in WRITERS_LAST or key in WRITERS_ALL or key == "sed":
            sources: list[str] = []
            if key in WRITERS_LAST:
                targets = ops[-1:] if len(ops) >= 2 else []
                sources = [home_path(o) for o in ops[:-1]]
            elif key == "sed":
                targets = ops[1:] if any(v and re.fullmatch(r"-[a-zA-Z]*i.*|--in-place.*", v) for v in values) else []
            else:
                targets = ops
            for t in targets:
                if not _REMOTE_OPERAND.match(t):  # `rsync -a DIR host:dir` writes on another machine
                    self._write(cmd, home_path(t), frame, key, sources)

    def _subcommand(self, key: str, values: list[str | None]) -> str | None:
        """The first operand after a program's options (`git -C repo add f` → `add`); `values` are the
        command's arguments, without the program."""
        prog = self.cm.lookup(key)
        parsed = parse_options(values[:64], prog.options_with_value if prog else frozenset())
        return (values[parsed.operands[0]] or "").lower() if parsed.operands else None

    def _secret(self, cmd: Cmd, path: str, frame: Frame, how: str, written: str | None = None) -> None:
        if self.cm.env_dump_paths is not None and self.cm.env_dump_paths.search(path):
            self.run.add(frame, cmd, "shell-env-read", ["env.read[*]"], say("env-dump", how=how, path=path))
            return
        original, at, made = self.run.secret_aliases.get(path.rstrip("/"), (None, 0, ""))
        kind = self._secret_kind(original or path)
        if kind is None:
            return
        rule = kind[1] or "shell-secret-file-read"
        store = store_phrase(kind[0])
        message = say("secret-read-alias", how=how, path=path, original=original, store=store, line=at, made=made) \
            if original else say("secret-read-written", how=how, written=written, path=path, store=store) if written \
            else say("secret-read", how=how, path=path, store=store)
        self.run.add(frame, cmd, rule, [Capability("secrets.read", kind[0]),
                                        Capability("fs.read", path_scope(original or path))], message,
                     related=[at] if original else ())

    def _secret_kind(self, path: str) -> tuple[str, str | None] | None:
        """(credential kind, rule of its pattern) of a path that names a credential store, else None."""
        if self.cm.secret_any is not None and not self.cm.secret_any.search(path):
            return None
        for pr in self.cm.secret_paths:
            if pr.pattern.search(path):
                if pr.value == "dotenv" and re.search(r"\.(example|sample|template|dist)$", path):
                    return None
                return pr.value, pr.rule
        return None

    def _alias(self, ops: list[str], line: int, made: str = "a link to or copy of") -> None:
        """`ln -s SECRET LINK`, `cp SECRET COPY`, `mv SECRET NEW`, `tar czf OUT.tgz SECRET`: later reads of LINK
        (or of DIR/NAME when the target is a directory, or of the archive) read the credential file; `ln -s
        SECRET` alone links it into the working directory under its own name. Values computed at run time are
        not followed."""
        sources, target = (ops[:-1], ops[-1]) if len(ops) >= 2 else (ops, ".")
        ht = home_path(target).rstrip("/")
        if len(self.run.secret_aliases) >= MAX_ALIASES or "$" in ht or "*" in ht:
            return
        for src in sources:
            hs = home_path(src).rstrip("/")
            original = self.run.secret_aliases.get(hs, (hs, line, made))[0]
            if "$" in hs or "*" in hs or self._secret_kind(original) is None:
                continue
            name = PurePosixPath(hs).name
            for alias in (ht, f"{ht}/{name}") if ht not in ("", ".") else (name, f"./{name}"):
                if alias != original:
                    self.run.secret_aliases[alias] = (original, line, made)

    def _write(self, cmd: Cmd, path: str, frame: Frame, how: str, sources: Sequence[str] = ()) -> None:
        if path in ("/dev/null", "/dev/stdout", "/dev/stderr", "-") or path.startswith("/dev/fd/"):
            return
        self._index_config_write(cmd, path, frame)
        scope = path_scope(path)
        rule = next((pr for pr in self.cm.persist_paths if pr.pattern.search(path)), None) \
            if self.cm.persist_any is None or self.cm.persist_any.search(path) else None
        if rule is not None and rule.value == "agent-config":
            self._agent_write(cmd, path, scope, frame, how, sources)
            return
        setting = rc_setting(cmd, self._as_written) if rule is not None and rule.value == "shell-rc" else None
        if rule is not None and setting is not None:
            self._rc_setting(cmd, path, scope, frame, how, setting, [Capability("persist", rule.value),
                                                                     Capability("fs.write", scope)])
            return
        self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)], say("file-write", how=how, scope=scope))
        if rule is None:
            return
        caps = [Capability("persist", rule.value), Capability("fs.write", scope)]
        self.run.add(frame, cmd, "shell-persistence", caps, say("persist-write", how=how, path=path, kind=rule.value))

    def _agent_write(self, cmd: Cmd, path: str, scope: str, frame: Frame, how: str, sources: Sequence[str]) -> None:
        """A write into a host agent's tree, said as what it is: the package installing or updating itself
        (or its own state), another package's entry, the agent's settings, memory or credentials."""
        unmask = self._as_written
        loc = classify_write(unmask(path), [unmask(s) for s in sources])
        if loc.kind in OWN_KINDS or loc.kind == "none":
            what = loc.reason if loc.kind in OWN_KINDS else say("agent-tree-other")
            self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)],
                         say("file-write-agent-tree", how=how, scope=scope, what=what))
            return
        self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)],
                     say("file-write", how=how, scope=scope))
        entry = loc.entry if loc.kind == "other-skill" and loc.entry and not loc.entry.startswith("*") \
            else PurePosixPath(path).name
        caps = [Capability("persist", "agent-config"), Capability("fs.write", scope),
                Capability("agent.config.write", entry)]
        self.run.add(frame, cmd, "shell-persistence", caps, say("agent-tree-persist", how=how, path=path, reason=loc.reason))

    def _made_in(self, dirs: Sequence[str]) -> bool:
        """Whether the script wrote a file into one of `dirs` (a program it put there, then put first on PATH, is a
        hijack, not an installed tool), or wrote too many files to tell."""
        wanted = [home_path(d).rstrip("/") + "/" for d in dirs]
        return self.run.made_over or any(home_path(m).startswith(w) for m in self.run.made for w in wanted)

    def _rc_setting(self, cmd: Cmd, path: str, scope: str, frame: Frame, how: str, setting: RcSetting,
                    caps: list[Capability]) -> None:
        """An environment setting added to a shell profile: the user's configuration when a document
        offers it with a value the user fills in or as an installed tool's bin directory put on PATH;
        persistence otherwise (code, or an instruction the agent can run as written)."""
        said = say("rc-setting", how=how, setting=setting.describe(), path=path)
        # a key the user fills in, or an installed tool's bin directory put on PATH (one this script wrote no file
        # into), offered in a document: the user's configuration (fs.write alone: no persist claim)
        tool_path = setting.tool_path and not self._made_in(setting.dirs)
        if (setting.placeholder or tool_path) and self.run.ctx.channel is Channel.INSTRUCTION:
            why = say("rc-setting-user", said=said) if setting.placeholder else say("rc-setting-tool-path", said=said)
            self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)], why, role="user-command")
            return
        self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", scope)],
                     say("file-write", how=how, scope=scope))
        self.run.add(frame, cmd, "shell-persistence", caps, say("rc-setting-persist", said=said))

    def _redirects(self, cmd: Cmd, frame: Frame) -> None:
        name = prog_name(cmd.words[0].value) if cmd.words and cmd.words[0].value else ""
        for r in cmd.redirects:
            if r.target is None or r.op in ("<<", "<<-", "<<<"):
                continue
            value = r.target.value
            if value is None:
                if r.op in (">", ">>", "&>", "&>>", ">|"):
                    self.run.add(frame, cmd, "shell-file-write", [Capability("fs.write", "*")],
                                 say("file-write-dynamic"))
                    # `> "$VENV/pip.conf"`: the directory is computed, the file's name is written out
                    self._index_config_write(cmd, r.target.raw.strip("\"'"), frame)
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
                                 say("dev-tcp-shell", device=value),
                                 confidence=None if interactive else Confidence.MEDIUM)
                else:
                    self.run.add(frame, cmd, "shell-network-egress", [Capability("net.egress", host)],
                                 say("dev-tcp-egress", device=value))
                continue
            if r.op in (">", ">>", "&>", "&>>", ">|", ">&") and not re.fullmatch(r"\d+|-", value):
                self.run.made_file(value)
                self._write(cmd, home_path(value), frame, name or "redirect")
            elif r.op in ("<", "<>"):
                self._secret(cmd, home_path(value), frame, name or "redirect")

    def _env_reads(self, cmd: Cmd, frame: Frame) -> None:
        for name in dict.fromkeys(cmd.env_reads):
            if not name.isupper() and not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                continue
            if name in self.cm.ignored_env:
                continue
            caps = [Capability("env.read", name)]
            if self.cm.credential_env is not None and self.cm.credential_env.search(name):
                caps.append(Capability("secrets.read", f"env:{name}"))
            self.run.add(frame, cmd, "shell-env-read", caps, say("env-read", name=name))

    _CRON_LINE = lazy(r"^\s*(?:@\w+|(?:\S+\s+){5})(.+)$")

    def _cron_lines(self, cmd: Cmd, frame: Frame) -> None:
        """`echo '*/5 * * * * curl … | sh' | crontab -`: the scheduled commands are commands too."""
        pl = stdin_payload(cmd)
        if pl is None or not pl.text:
            return
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        for line in pl.text.splitlines()[:64]:
            m = self._CRON_LINE.match(line)
            if m and not line.lstrip().startswith("#"):
                self.text(m.group(1), Frame(frame.line, frame.column, frame.depth + 1, "bash", pin, frame.decoded))
