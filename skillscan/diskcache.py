"""skillscan's own on-disk caches (analysis results, parsed rule data, compiled YARA rules, downloads):
where they live, and how an entry is written — atomically, a temporary file beside the target renamed
over it and removed on any failure, so a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "SKILLSCAN_CACHE_DIR"


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


def cache_subdir(name: str) -> Path | None:
    """The directory of one kind of cache entry under `cache_root()`."""
    root = cache_root()
    return root / name if root is not None else None


def atomic_write(path: Path, write: Callable[[str], None], *, prefix: str = ".tmp-") -> bool:
    """Call `write(temporary_path)`, then rename the result to `path`. Returns False, leaving nothing
    behind, when anything fails: a cache that cannot be written is simply not written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
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
