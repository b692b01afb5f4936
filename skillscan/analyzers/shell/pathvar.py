"""A directory put first on PATH (`PATH=/app/shims:$PATH`, `export PATH="/tmp/x:${PATH}"`): every program
the shell looks up afterwards is searched there before the system's directories, so a `python3` or `git`
placed there runs instead of the real one. The test here is shared by the shell analyzer (assignments in
commands) and the instructions analyzer (the same assignment written in prose).

A directory is judged outside the package when it is absolute and under a world-writable temporary root
(`/tmp/`, `/var/tmp/`, `/dev/shm/`) or a data/mount root (`/app/`, `/data/`, `/mnt/`, `/workspace/`,
`/srv/`, `/root/`), not inside a tool's own dot-directory (`/app/.venv/bin`) and — outside the temporary
roots — not an installation's own `bin`/`sbin` (`/root/go/bin`, `/opt/tool/bin`: where an installer puts
its programs). `$HOME/…`, `~/…` and relative directories are the user's or the package's own."""

from __future__ import annotations

import re

PREPEND = re.compile(
    r"(?<![\w$])PATH=[\"']?(?P<dir>/[\w.@%+-]+(?:/[\w.@%+-]+)*)/?(?::/[\w.@%+/-]*)*[\"']?:[\"']?\$\{?PATH\b")
_TEMP = ("tmp", "var/tmp", "dev/shm")
_MOUNT = ("app", "data", "mnt", "workspace", "srv", "root")


def outside_dir(directory: str) -> str | None:
    """`directory` (absolute, as written) when it is outside the package in the sense above, else None."""
    d = directory.rstrip("/")
    parts = d.strip("/").split("/")
    if not parts or not parts[0] or any(p.startswith(".") or p in ("", "..") for p in parts):
        return None
    rest = "/".join(parts)
    if any(rest == r or rest.startswith(r + "/") for r in _TEMP):
        return d
    if parts[0] in _MOUNT and len(parts) > 1 and parts[-1] not in ("bin", "sbin"):
        return d
    return None


def prepended(value: str) -> str | None:
    """The outside directory a PATH assignment's value (`/app/shims:$PATH`, unexpanded) puts first, if any."""
    m = PREPEND.match("PATH=" + value)
    return outside_dir(m.group("dir")) if m else None
