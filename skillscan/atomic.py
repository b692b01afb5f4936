"""Best-effort atomic writes for skillscan's own caches: a temporary file beside the target, renamed
over it, and removed on any failure — a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


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
