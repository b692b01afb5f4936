"""Speed machinery of the instructions engine, kept beside the command analysis it serves (commands.py):
a bounded per-process memo of the shell findings of one command at one place."""

from __future__ import annotations

from collections.abc import Callable

from skillscan.model import Confidence, Finding

# Shell findings of a command at one place, kept per process: a registry repeats files verbatim (forks,
# successive versions, vendored skills) and the analysis is a function of these arguments alone (the
# capability map and the catalog are fixed for the process); findings are frozen. Bounded in entries, and
# only short commands are kept.
MEMO_MAX_COMMANDS = 4096
MEMO_MAX_COMMAND = 4096
_command_memo: dict[tuple[str, str, int, int, Confidence, str, str], tuple[Finding, ...]] = {}


def memoized(key: tuple[str, str, int, int, Confidence, str, str],
             compute: Callable[[], list[Finding]]) -> list[Finding]:
    """The findings for `key` (path, command, line, column, ceiling, source, dialect), computed once."""
    if len(key[1]) > MEMO_MAX_COMMAND:
        return compute()
    hit = _command_memo.get(key)
    if hit is None:
        hit = tuple(compute())
        _command_memo[key] = hit
        if len(_command_memo) > MEMO_MAX_COMMANDS:
            del _command_memo[next(iter(_command_memo))]  # the oldest entry
    return list(hit)
