"""The program a command runs behind its wrappers (`sudo -u x`, `env A=1`, `timeout 5`, `nohup`, `nice -n 5` …:
the `wrappers` of rules/capabilities/shell.yaml), read one way by the command analysis (programs.py, which also
reports each wrapper) and by the reading of what a pipeline stage prints (decode.stdout_payload).

- `prog_name(value)`: the program a command word names.
- `unwrap(values, wrappers) -> (found, start)`: `found` lists each wrapper as (index, name, entry); `start` is the
  index of the wrapped program's word (`len(values)` when there is none), or None when a wrapper only looks the
  program up (`command -v crontab` runs nothing). Every pass moves past a wrapper's name: no count bound is needed
  (a command has finitely many words), and none is silent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from skillscan.analyzers.shell.capmap import Program, normalise

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def prog_name(value: str | None) -> str:
    """The program a command word names: its last path part, lower-cased (`/usr/bin/Curl` → `curl`)."""
    if not value:
        return ""
    return value.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()


def unwrap(values: Sequence[str | None], wrappers: Mapping[str, Program]
           ) -> tuple[list[tuple[int, str, Program]], int | None]:
    found: list[tuple[int, str, Program]] = []
    i = 0
    while i < len(values):
        v = values[i]
        if v is None:
            break
        name = prog_name(v)
        w = wrappers.get(normalise(name))
        if w is None:
            break
        found.append((i, name, w))
        i += 1
        skip = w.skip_operands
        while i < len(values):
            a = values[i]
            if a is None:
                break
            if a in w.lookup_flags:
                return found, None
            if a.startswith("-") and a != "-":
                i += 2 if a in w.options_with_value else 1
                continue
            if w.assignments and _ASSIGNMENT.match(a):
                i += 1
                continue
            if skip:
                skip -= 1
                i += 1
                continue
            break
    return found, min(i, len(values))
