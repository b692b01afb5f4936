"""Compiled dataclass methods kept on disk between processes.

`@dataclass` writes the source of each generated method (`__init__`, `__repr__`, `__eq__`, the frozen
`__setattr__`, …) as text and compiles it with `exec` when the class is defined: ~2,000 compiles for the
~370 dataclasses one scan defines (skillscan's own and libcst's nodes), a third of the CPU of scanning
one small skill (issue 23). The text depends only on the class's shape (field names, options), never on
the values involved (defaults and types are passed in as arguments), so the code object compiled from a
given text is the same in every process of one Python build. `install()` puts a stand-in for `exec` in
the `dataclasses` module's namespace (it looks `exec` up there before the builtins): a text seen by an
earlier process is run from the code object stored then, and any other is compiled exactly as `exec`
compiles it (`compile(text, "<string>", "exec")`, no inherited flags) and kept for the next process.
The function objects, and so the classes, are the same as without it.

Safety: the file is keyed by the exact Python build and its bytecode magic number (another build never
reads it), carries a BLAKE2b digest of its payload (a file that does not check is ignored and rebuilt),
and lives in skillscan's cache directory, which is used only when it is private to this user
(`diskcache.trusted`, as for the cached rule data and results): stored code is as trusted as the
interpreter's own `__pycache__`. Only text mapped to code (`str` → code object) is read; anything else in
the file makes it ignored. The file is written atomically at exit, merged with what other processes wrote,
and only when this process compiled texts the file did not hold; at most MAX_ENTRIES texts are kept.

`install()` is idempotent; the file is read on the first dataclass defined after it."""

from __future__ import annotations

import _frozen_importlib_external
import atexit
import builtins
import dataclasses
import hashlib
import marshal
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

from skillscan import marshal_file

MAGIC = b"skillscan-dc-1\n"
MAX_ENTRIES = 6_000  # texts kept in the file (one scan defines ~2,000)
_BUILD = hashlib.blake2b(f"{sys.version}|{sys.implementation.cache_tag}|{marshal.version}|"
                         f"{_frozen_importlib_external.MAGIC_NUMBER.hex()}".encode(), digest_size=8).hexdigest()

_entries: dict[str, CodeType] = {}
_fresh: dict[str, CodeType] = {}  # compiled here and not yet saved
_used: set[str] = set()  # read from the file by this process (forked workers inherit the parent's)
_loaded = False
_installed = False
_lock = threading.RLock()
_path_override: Path | None = None
STATS = {"hits": 0, "compiled": 0}


def cache_path() -> Path | None:
    if _path_override is not None:
        return _path_override
    return marshal_file.cache_file("dataclass", f"dc-{_BUILD}.bin")


def _read(path: Path | None) -> dict[str, CodeType]:
    """The entries of the file at `path`; {} when it is missing, foreign or corrupt."""
    data = marshal_file.read(path, MAGIC)
    if not isinstance(data, dict) or not all(type(k) is str and type(v) is CodeType for k, v in data.items()):
        return {}
    return data


def _load() -> None:
    global _loaded
    with _lock:
        if not _loaded:
            _loaded = True
            _entries.update(_read(cache_path()))


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:  # noqa: A002
    """`exec` as `dataclasses` calls it, with the compile of a text read from the cache when it can be."""
    if type(source) is not str:
        return builtins.exec(source, globals, locals)
    if globals is None:  # plain `exec` would take the calling frame's globals: the `dataclasses` module's
        globals = vars(dataclasses)  # noqa: A001
    if not _loaded:
        _load()
    code = _entries.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        STATS["compiled"] += 1
        with _lock:
            if len(_fresh) < MAX_ENTRIES:
                _entries[source] = _fresh[source] = code
    else:
        STATS["hits"] += 1
        _used.add(source)
    return builtins.exec(code, globals, locals)


def install() -> None:
    """Route the compiles of `dataclasses` through the cache (once per process; forked workers inherit it)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(save)


def save() -> bool:
    """Write the texts compiled here since the last save, merged with the file as it is now. Returns whether
    anything was written; never raises (a cache that cannot be written is not written)."""
    try:
        return _save()
    except Exception:  # noqa: BLE001
        return False


def _save() -> bool:
    with _lock:
        if not _fresh:
            return False
        fresh = dict(_fresh)
        _fresh.clear()
    path = cache_path()
    if path is None:
        return False
    with _lock:
        used = set(_used)
    merged = marshal_file.merge(_read(path), fresh, used, MAX_ENTRIES)
    return marshal_file.write(path, MAGIC, merged, prefix=".dc-")
