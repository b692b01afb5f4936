"""skillscan's own on-disk caches (analysis results, parsed rule data, compiled YARA rules, downloads):
where they live, and how an entry is written — atomically, a temporary file beside the target renamed
over it and removed on any failure, so a reader sees the old file or the new one, never half of one.

A cache entry decides what a later scan believes (a cached result is a verdict's findings; cached rule
data is the rules), so a cache directory someone else can write is never used: `trusted()` requires the
directory and the cache root, where they exist, to belong to this user and to be writable by nobody
else (as ssh treats ~/.ssh). Directories skillscan creates are private (0700). A directory refused so is
said once per process on stderr (`refuse`): the scan is complete without the cache, only slower, and the
user is told why."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "SKILLSCAN_CACHE_DIR"
_told = False  # whether this process has said that it refused a cache directory (`refuse`)


def cache_root() -> Path | None:
    """`$SKILLSCAN_CACHE_DIR`, else the platform's user cache directory for skillscan
    (`$XDG_CACHE_HOME/skillscan` or `~/.cache/skillscan` on Linux); None when there is no usable one
    (no home directory): then nothing is cached."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    try:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("skillscan", appauthor=False))
    except Exception:  # noqa: BLE001 — no home directory, exotic platform: run without a cache
        return None
    return root if root.is_absolute() else None


def not_private(path: Path) -> str | None:
    """Why `path` may not hold cache entries, in words for the user — None when it does not exist (skillscan
    creates it private) or is a directory (not a link) of this user that neither its group nor others may
    write."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"could not be examined ({exc.strerror or type(exc).__name__})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return f"belongs to another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        who = " and ".join(w for w, bit in (("its group", stat.S_IWGRP), ("others", stat.S_IWOTH))
                           if st.st_mode & bit)
        return f"is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def _private(path: Path) -> bool:
    return not_private(path) is None


def trusted(directory: Path, root: Path | None = None) -> bool:
    """Whether entries under `directory` (and `root`, the cache root above it) may be read and written:
    each, where it exists, is a private directory of this user (see the module's docstring)."""
    return _private(directory) and (root is None or _private(root))


def cache_subdir(name: str) -> Path | None:
    """The directory of one kind of cache entry under `cache_root()`; None (no cache) when the root
    or the directory is not `trusted()`."""
    root = cache_root()
    if root is None:
        return None
    sub = root / name
    if trusted(sub, root):
        return sub
    refuse(root if not _private(root) else sub)
    return None


def refuse(directory: Path) -> None:
    """Say on stderr, once per process, that the cache directory `directory` is not used, and which of the
    cases of `not_private` refused it. One clean line: control and invisible characters of the path are shown
    as escapes (report.sanitize.visible)."""
    global _told
    if _told:
        return
    _told = True
    from skillscan.report.sanitize import visible

    why = not_private(directory) or "changed while it was checked"
    line = (f"skillscan: cache not used: {visible(str(directory))} is not a directory private to this user: it "
            f"{visible(why)}; scanning without a cache. Use a directory of your own that only you can write "
            f"(chmod 700), or set {CACHE_ENV} to one.")
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # no usable stderr (closed, or None): nothing to say it on
        pass


def make_private_dir(directory: Path) -> None:
    """Create `directory` and its missing parents as private directories (0700; `Path.mkdir(parents=True)`
    would give the parents the default mode)."""
    missing = []
    for path in (directory, *directory.parents):
        if path.exists():
            break
        missing.append(path)
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def atomic_write(path: Path, write: Callable[[str], None], *, prefix: str = ".tmp-") -> bool:
    """Call `write(temporary_path)`, then rename the result to `path`. Returns False, leaving nothing
    behind, when anything fails: a cache that cannot be written is simply not written."""
    tmp = None
    try:
        make_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
        tmp = None
        return True
    except Exception:  # noqa: BLE001 — OSError, an engine's own save error, unserialisable data: no cache
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
