"""Roles computed once per document and shared: `assign_roles` is a pure function of (path, text,
referenced), so a result computed by the instructions engine in a worker process is the result the
decide stage would compute again in the main process for the same document. Each process keeps the
results it computed or received (bounded); a worker hands the ones it computed during a task back with
the task's findings (`drain`), and the main process adds them to its own (`seed`) before it decides.

`roles_of(path, text, referenced=None) -> DocumentRoles` — `assign_roles`, remembered.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable

from skillscan.analyzers.roles import DocumentRoles, assign_roles

MAX_ENTRIES = 4096  # documents remembered per process (a result is a few regions: small)
Key = tuple[str, str | None, int, bytes]

_known: OrderedDict[Key, DocumentRoles] = OrderedDict()
_fresh: dict[Key, DocumentRoles] = {}  # computed here since the last drain
_lock = threading.Lock()


def _key(path: str, text: str, referenced: str | None) -> Key:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    return (path, referenced, len(text), digest)


def _remember(key: Key, roles: DocumentRoles) -> None:
    _known[key] = roles
    _known.move_to_end(key)
    while len(_known) > MAX_ENTRIES:
        _known.popitem(last=False)


def roles_of(path: str, text: str, referenced: str | None = None) -> DocumentRoles:
    key = _key(path, text, referenced)
    with _lock:
        hit = _known.get(key)
    if hit is not None:
        return hit
    roles = assign_roles(path, text, referenced)
    with _lock:
        _remember(key, roles)
        if len(_fresh) < MAX_ENTRIES:
            _fresh[key] = roles
    return roles


def drain() -> list[tuple[Key, DocumentRoles]]:
    """The results computed in this process since the last drain (a worker returns them to the main process)."""
    with _lock:
        out = list(_fresh.items())
        _fresh.clear()
    return out


def seed(entries: Iterable[tuple[Key, DocumentRoles]]) -> None:
    """Results another process computed, known here from now on."""
    with _lock:
        for key, roles in entries:
            _remember(key, roles)
