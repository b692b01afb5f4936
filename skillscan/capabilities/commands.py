"""The one implementation of "which program does this command line run": words split as a POSIX shell
would (falling back to whitespace on unbalanced quotes), `VAR=value` assignments and the wrappers in
`WRAPPERS` skipped with their options (and `timeout`'s duration), the program's basename normalised
(`program_name`: lower-case, `.exe` dropped, `python3.11` → `python`, `nodejs` → `node`).

The shell engine goes further (its wrappers, with their option arities, are rule data in
rules/capabilities/shell.yaml); this is the one reading used for manifests, lifecycle scripts,
declarations and JavaScript command strings."""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from pathlib import PurePosixPath

# programs that run the command given as their operands
WRAPPERS = frozenset({"env", "sudo", "nohup", "exec", "command", "builtin", "time", "timeout", "nice", "stdbuf"})

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_DURATION = re.compile(r"\d+[smh]?")
_BIN_ALIASES = {"python3": "python", "nodejs": "node", "pip3": "pip", "pwsh": "powershell", "cmd.exe": "cmd",
                "powershell.exe": "powershell", "pwsh.exe": "powershell"}
_PY_VERSION = re.compile(r"^python3?(?:\.\d+)?$")


def words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


@lru_cache(maxsize=16384)
def program_name(name: str) -> str:
    """The normalised basename of a program (`/usr/bin/Python3.11` → `python`)."""
    base = PurePosixPath(name.replace("\\", "/").strip().strip("'\"")).name.lower() if name else name
    if base.endswith(".exe") and base not in _BIN_ALIASES:
        base = base[:-4]
    if _PY_VERSION.match(base):
        return "python"
    return _BIN_ALIASES.get(base, base)


def unwrap(argv: list[str]) -> list[str]:
    """argv without leading assignments and wrappers (with their options and `timeout`'s duration)."""
    while argv and (_ASSIGNMENT.match(argv[0]) or argv[0] in WRAPPERS):
        argv = argv[1:]
        while argv and argv[0].startswith("-"):  # env -i, nice -n 5, timeout -k 5 …
            argv = argv[1:]
        if argv and _DURATION.fullmatch(argv[0]):  # timeout 30 …
            argv = argv[1:]
    return argv


@lru_cache(maxsize=4096)
def program(command: str) -> str:
    """The program a command line runs, normalised; "" when there is none."""
    argv = unwrap(words(command))
    return program_name(argv[0]) if argv else ""
