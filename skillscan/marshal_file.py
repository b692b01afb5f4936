"""One file format for the process caches that hold `marshal` data (compiled regexes, compiled dataclass
methods): a magic line naming the format, a BLAKE2b digest of the payload, the payload. A file whose magic or
digest does not check, or whose payload does not unmarshal, reads as nothing, so a foreign or damaged file is
rebuilt rather than trusted. The files live only in skillscan's private cache directory (`diskcache`)."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Set
from pathlib import Path
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

DIGEST_SIZE = 32


def cache_file(subdir: str, name: str) -> Path | None:
    """`name` in skillscan's cache directory `subdir`, or None when there is no private cache directory."""
    from skillscan.diskcache import cache_subdir

    sub = cache_subdir(subdir)
    return sub / name if sub is not None else None


def read(path: Path | None, magic: bytes) -> Any:
    """The object stored at `path`, or None when the file is missing, foreign or corrupt."""
    if path is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(magic)
    if not blob.startswith(magic) or len(blob) < head + DIGEST_SIZE:
        return None
    view = memoryview(blob)  # no copy of a payload of megabytes
    digest, payload = view[head : head + DIGEST_SIZE], view[head + DIGEST_SIZE :]
    if hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def merge(stored: dict[K, V], fresh: dict[K, V], used: Set[K], max_entries: int) -> dict[K, V]:
    """`stored` (the file as it is now) with this process's `fresh` entries, at most `max_entries` of them.
    When the two do not fit, the stored entries this process did not read (`used`) go first: some keys change
    from one process to the next (a pattern or a class built from a set in hash order) and no later process
    asks for them, while emptying the file would make the next process compile every stable entry again. If
    what this process read and compiled still does not fit, the oldest read entries (earliest in the file) go."""
    if len(stored.keys() | fresh.keys()) > max_entries:
        stored = {k: v for k, v in stored.items() if k in used and k not in fresh}
        room = max_entries - len(fresh)
        if len(stored) > room:
            stored = dict(list(stored.items())[len(stored) - room :]) if room > 0 else {}
    merged = dict(stored)
    merged.update(fresh)
    return merged


def write(path: Path, magic: bytes, data: Any, *, prefix: str) -> bool:
    """Store `data` at `path` atomically; False (nothing written) when it cannot be."""
    payload = marshal.dumps(data)
    blob = magic + hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() + payload
    from skillscan.diskcache import atomic_write

    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(blob), prefix=prefix)
