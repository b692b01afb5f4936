"""A directory put first on PATH (`PATH=/app/shims:$PATH`, `export PATH="/tmp/x:${PATH}"`): every program
the shell looks up afterwards is searched there before the system's directories, so a `python3` or `git`
placed there runs instead of the real one. The test here is shared by the shell analyzer (assignments in
commands) and the instructions analyzer (the same assignment written in prose).

A directory is judged outside the package when it is absolute and under a world-writable temporary root
(`/tmp/`, `/var/tmp/`, `/dev/shm/`) or a data/mount root (`/app/`, `/data/`, `/mnt/`, `/workspace/`,
`/srv/`, `/root/`) — there not inside a tool's own dot-directory (`/app/.venv/bin`) and not an
installation's own `bin`/`sbin` (`/root/go/bin`: where an installer puts its programs; `/opt/` is not such a
root at all). `$HOME/…`, `~/…` and relative directories are the user's or the package's own."""

from __future__ import annotations

import re

from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word

RULE_IDS: tuple[str, ...] = ("shell-path-hijack",)

PREPEND = re.compile(
    r"(?<![\w$])PATH=[\"']?(?P<dir>/[\w.@%+-]+(?:/[\w.@%+-]+)*)/?(?::/[\w.@%+/-]*)*[\"']?:[\"']?\$\{?PATH\b")
_TEMP = ("tmp", "var/tmp", "dev/shm")
_MOUNT = ("app", "data", "mnt", "workspace", "srv", "root")


def outside_dir(directory: str) -> str | None:
    """`directory` (absolute, as written) when it is outside the package in the sense above, else None."""
    d = directory.rstrip("/")
    parts = d.strip("/").split("/")
    if not parts or not parts[0] or any(p in ("", ".", "..") for p in parts):
        return None
    rest = "/".join(parts)
    if any(rest == r or rest.startswith(r + "/") for r in _TEMP):
        return d  # anyone can write there, hidden directories included
    if any(p.startswith(".") for p in parts):
        return None
    if parts[0] in _MOUNT and len(parts) > 1 and parts[-1] not in ("bin", "sbin"):
        return d
    return None


def prepended(value: str) -> str | None:
    """The outside directory a PATH assignment's value (`/app/shims:$PATH`, unexpanded) puts first, if any."""
    m = PREPEND.match("PATH=" + value)
    return outside_dir(m.group("dir")) if m else None


class PathVarMixin(AnalyzerBase):
    """PATH settings of a script: statements (`export PATH=…`, `PATH=…`) and a command's own (`PATH=… cmd`)."""

    def _path_settings(self, settings: list[tuple[str, Word]], frame: Frame) -> None:
        for name, word in settings:
            if name == "PATH":
                self._path_value(Cmd([], word.row, word.col, f"{name}={word.raw}"), word, frame)

    def _cmd_path(self, cmd: Cmd, frame: Frame) -> None:
        for name, word in cmd.assigns:
            if name == "PATH":
                self._path_value(cmd, word, frame)

    def _path_value(self, cmd: Cmd, word: Word, frame: Frame) -> None:
        directory = prepended(word.raw)
        if directory is not None:
            self.run.add(frame, cmd, "shell-path-hijack", [], say("path-prepend", dir=directory),
                         row=word.row, col=word.col)
