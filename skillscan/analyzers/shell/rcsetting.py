"""What a command adds to a shell profile (`~/.bashrc`, `~/.zshrc`, …) when that is only environment
settings: `export NAME=value` lines (an API key the user pastes in, a PATH entry for an installed
tool). `rc_setting(cmd) -> RcSetting | None` reads the text the command writes (an `echo`/`printf`
argument, a here-document, the upstream stage of `tee`); None when it writes anything else — a command,
an alias, a `source`, a function, text computed at run time — which stays plain persistence.

`RcSetting` (frozen): `names` (the variables set, in order), `placeholder` (True when a value is a
placeholder the user fills in: `your_key`, `<token>`, `YOUR_API_KEY`, `xxx…`, `...`), `tool_path` (True
when every setting is a `PATH` that keeps `$PATH` and adds only installed tools' `bin` directories in the
user's home or under /usr/local or /opt: `export PATH="$HOME/.local/bin:$PATH"`, the last step of most CLI
installers) with those directories in `dirs`, and `describe()` — the fact for a message ("the environment setting `export LANGSMITH_API_KEY=…`")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from skillscan.analyzers.shell.decode import stdout_payload
from skillscan.analyzers.shell.words import Cmd

MAX_LINES = 16
_EXPORT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$")
# a value with a command substitution, backquote, process substitution or a `;`/`&`/`|` runs code
_RUNS = re.compile(r"\$\(|`|<\(|[;&|]")
_PLACEHOLDER = re.compile(
    r"^(?:<[^<>]+>|\{\{?[^{}]+\}\}?|\[[^\[\]]+\]|(?i:your[-_ ]?\w*|my[-_]\w*(?:key|token|secret)\w*|"
    r"(?:api[-_]?)?key[-_]?here|token[-_]?here|changeme|replace[-_]?me\w*|placeholder|xxx+\w*|\*{3,}|\.{3}|…)|"
    r"[A-Za-z]+[-_](?:xxx+|\.\.\.|…)\w*)$")


@dataclass(frozen=True)
class RcSetting:
    names: tuple[str, ...]
    placeholder: bool
    tool_path: bool = False
    dirs: tuple[str, ...] = ()  # the bin directories a tool-path setting adds, as written

    def describe(self) -> str:
        shown = ", ".join(f"`export {n}=…`" for n in self.names[:3]) + (" …" if len(self.names) > 3 else "")
        return f"the environment setting{'s' if len(self.names) > 1 else ''} {shown}"


# a tool's bin directory: in the user's home (`$HOME/.cargo/bin`, `~/go/bin`, `$HOME/.local/bin`) or under
# /usr/local or /opt — never a temporary, shared-memory or relative directory
_TOOL_BIN = re.compile(r"^(?:(?:\$HOME|\$\{HOME\}|~)(?:/[\w.+-]+){0,3}|/usr/local(?:/[\w.+-]+){0,2}|/opt(?:/[\w.+-]+){1,3})/bin/?$")
_PATH_SELF = re.compile(r"^\$(?:PATH|\{PATH\})$")


def _tool_dirs(name: str, value: str) -> list[str] | None:
    """The directories `PATH=<tool bin dirs>:$PATH` (or `$PATH:<dirs>`) adds — the shell's search path kept,
    tools' bin directories added — else None."""
    parts = value.split(":")
    if name != "PATH" or not any(_PATH_SELF.match(p) for p in parts):
        return None
    added = [p for p in parts if not _PATH_SELF.match(p)]
    return added if added and all(_TOOL_BIN.match(p) is not None and ".." not in p for p in added) else None


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def settings_of(text: str) -> RcSetting | None:
    """The environment settings a profile text consists of, or None if it holds anything else."""
    names: list[str] = []
    placeholder = False
    dirs: list[str] | None = []
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines or len(lines) > MAX_LINES:
        return None
    for ln in lines:
        m = _EXPORT.match(ln)
        if m is None:
            return None
        name, raw = m.group(1), m.group(2)
        value = _unquote(raw)
        if _RUNS.search(raw) or name in ("PROMPT_COMMAND", "BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH",
                                          "PYTHONSTARTUP", "NODE_OPTIONS", "ZDOTDIR", "DYLD_INSERT_LIBRARIES"):
            return None  # a value that runs code, or a variable whose value makes the shell or a loader run code
        names.append(name)
        placeholder = placeholder or bool(value and _PLACEHOLDER.match(value.strip()))
        added = _tool_dirs(name, value.strip()) if dirs is not None else None
        dirs = dirs + added if dirs is not None and added is not None else None
    return RcSetting(tuple(names), placeholder, dirs is not None, tuple(dirs or ()))


def rc_setting(cmd: Cmd, as_written: Callable[[str], str] = str) -> RcSetting | None:
    """The environment settings `cmd` writes to a file, when that is all it writes (`as_written` restores
    the documentation placeholders the parser masked, `<token>`)."""
    payload = stdout_payload(cmd)
    if payload is None or payload.text is None or payload.decoders:
        return None
    return settings_of(as_written(payload.text))
