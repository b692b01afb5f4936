"""Compiled regular expressions kept on disk between processes.

Every scan process compiles the same ~700 regexes (rule vocabularies, the instruction detectors,
the purpose and roles grammars): a third of the CPU of scanning one small skill, paid again in each
pool worker that compiles a detector set after the fork. Python's `re` turns a pattern into a list of
opcodes in pure Python (`re._parser.parse`, `re._compiler._code`) and hands that list to the C
engine (`_sre.compile`); only the last step is cheap. `install()` wraps `re._compiler.compile` so that
the opcode list of a `(pattern, flags)` seen by an earlier process is read from a file instead of
being computed again — the C engine receives exactly the arguments CPython computed then, so the
compiled pattern is the same.

Safety: the file is keyed by the exact Python build and the `_sre` opcode magic (another build
never reads it); its payload carries a BLAKE2b digest, and a file whose digest or format does not
check is ignored and rebuilt; `_sre.compile` itself validates the opcodes it is given (an invalid
list raises), and any entry it refuses is compiled the ordinary way and replaced. The file lives in
skillscan's cache directory (`$SKILLSCAN_CACHE_DIR` or the user cache; no directory, no file) and is
written atomically, merged with what other processes wrote meanwhile, at exit (`save()`; pool
workers call it after a task, since forked workers skip exit handlers). Only patterns whose ordinary
compile is slow (≥ 0.2 ms of this thread's CPU, not wall time — on a loaded machine every small pattern
would take that long by the clock and the file would never settle: the hundred or so vocabularies and grammars that hold nearly all of the compile
time) are kept, at most 500 new ones per process, so the many small patterns built while scanning
(escaped snippets, per-document words) neither grow the file nor make a process write it.

Each entry is stored as its own marshal blob (the file maps `(pattern, flags)` to bytes), and a blob is
unmarshalled only when its pattern is compiled: reading the file costs a copy of its bytes and the digest, not
rebuilding the opcode lists of every pattern any earlier process kept (a few thousand, some of them hundreds of
kilobytes of opcodes: 0.12 s of CPU per process when the file held them as lists, against ~700 patterns a scan
uses).

`install()` is idempotent and cheap: the file is read on the first compile after it."""

from __future__ import annotations

import _sre
import atexit
import hashlib
import marshal
import sys
import threading
import time
from pathlib import Path
from re import _compiler
from typing import Any

from skillscan import marshal_file

MAGIC = b"skillscan-re-2\n"  # format 2: each record is its own marshal blob
MAX_ENTRIES = 4_000  # past this the file keeps only the patterns the saving process used (see `_save`)
MAX_FRESH = 500  # patterns one process may add
# only patterns whose ordinary compile took this long are kept: the rule vocabularies and detector
# grammars (a few dozen, almost all of the compile time), not the many small patterns built at run time
MIN_SECONDS = 0.0002
# a process writes the file only when its new patterns took this long to compile together: a save reads,
# merges and writes the whole file (~20 ms of CPU for 700 patterns), and a few patterns change from one process
# to the next (built from a set in hash order, as libcst's tokenizer pattern is), so without this every process
# of a small scan would rewrite the file for patterns no later process asks for (issue 23)
SAVE_MIN_SECONDS = 0.02
_BUILD = hashlib.blake2b(f"{sys.version}|{sys.implementation.cache_tag}|{_sre.MAGIC}|{_sre.CODESIZE}".encode(),
                         digest_size=8).hexdigest()

Key = tuple[Any, int]  # (pattern str or bytes, flags as given)
Record = tuple[Any, ...]  # the `_sre.compile` arguments after the pattern
Blob = bytes  # a Record as marshal data, unmarshalled when its pattern is compiled

_original = _compiler.compile
_entries: dict[Key, Record | Blob] = {}  # read from the file (blobs until used) or compiled here
_fresh: dict[Key, Blob] = {}  # compiled here and not yet saved
_fresh_seconds = [0.0]  # what compiling them took
_used: set[Key] = set()  # read from the file by this process (forked workers inherit the parent's)
_loaded = False
_installed = False
_lock = threading.RLock()
_capture = threading.local()
_path_override: Path | None = None


class _Recorder:
    """Stands in for the `_sre` module inside `re._compiler`: passes every call through, and keeps the
    arguments of `compile` for the thread that is compiling."""

    def __init__(self) -> None:
        # `_sre`'s other names as plain attributes: re's code generator reads some of them per character
        self.__dict__.update({k: getattr(_sre, k) for k in dir(_sre) if not k.startswith("__") and k != "compile"})

    def __getattr__(self, name: str) -> Any:
        return getattr(_sre, name)

    @staticmethod
    def compile(pattern: Any, *args: Any) -> Any:
        # (flags, code, groups, groupindex, indexgroup) in CPython 3.11–3.13; kept as plain data whatever they are
        rx = _sre.compile(pattern, *args)
        _capture.args = args  # made plain data only when the compile is slow enough to be kept
        return rx


def _plain(value: Any) -> Any:
    """`value` with int subclasses (opcode constants, `RegexFlag`) as plain ints, so marshal can store it."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value  # anything else makes the save fail (nothing written), never the compile


def cache_path() -> Path | None:
    if _path_override is not None:
        return _path_override
    return marshal_file.cache_file("regex", f"re-{_BUILD}.bin")


def _read(path: Path | None) -> dict[Key, Blob]:
    """The entries of the file at `path`, each record still a marshal blob; {} when the file is missing,
    foreign or corrupt."""
    data = marshal_file.read(path, MAGIC)
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if _well_formed(k, v)}


def _well_formed(key: Any, rec: Any) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], (str, bytes)) and isinstance(key[1], int)
            and isinstance(rec, bytes))


def _record(value: Record | Blob) -> Record | None:
    """A stored entry as `_sre.compile` arguments; None when its blob is not a record."""
    if not isinstance(value, bytes):
        return value
    try:
        rec = marshal.loads(value)
    except (EOFError, ValueError, TypeError):
        return None
    return rec if isinstance(rec, tuple) else None


def _load() -> None:
    global _loaded
    with _lock:
        if not _loaded:
            _loaded = True
            _entries.update(_read(cache_path()))


def _compile(p: Any, flags: int = 0) -> Any:
    if not isinstance(p, (str, bytes)) or flags & _compiler.SRE_FLAG_DEBUG:
        return _original(p, flags)
    if not _loaded:
        _load()
    key = (p, int(flags))
    stored = _entries.get(key)
    rec = _record(stored) if stored is not None else None
    if rec is not None:
        try:
            rx = _sre.compile(p, *rec)
            _used.add(key)
            _entries[key] = rec
            return rx
        except Exception:  # noqa: BLE001 — an entry the engine refuses: compiled afresh and replaced below
            rec = None
    _capture.args = None
    started = time.thread_time()
    rx = _original(p, flags)
    spent = time.thread_time() - started
    slow = spent >= MIN_SECONDS
    args = _capture.args
    _capture.args = None
    if args is not None and slow and len(_fresh) < MAX_FRESH:
        args = tuple(_plain(a) for a in args)
        try:
            blob = marshal.dumps(args)
        except ValueError:  # not plain data after all: compiled, never kept
            return rx
        with _lock:
            _entries[key] = args
            _fresh[key] = blob
            _fresh_seconds[0] += spent
    return rx


def install() -> None:
    """Route `re` compiles through the on-disk opcode cache (once per process; forked workers inherit it)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        _compiler._sre = _Recorder()  # type: ignore[attr-defined]
        _compiler.compile = _compile
    atexit.register(save)


def save() -> bool:
    """Write the entries compiled here since the last save, merged with the file as it is now. Returns
    whether anything was written; never raises (a cache that cannot be written is not written)."""
    try:
        return _save()
    except Exception:  # noqa: BLE001
        return False


def _save() -> bool:
    with _lock:
        if not _fresh or _fresh_seconds[0] < SAVE_MIN_SECONDS:
            return False
        fresh = dict(_fresh)
        _fresh.clear()
        _fresh_seconds[0] = 0.0
    path = cache_path()
    if path is None:
        return False
    with _lock:
        used = set(_used)
    merged = marshal_file.merge(_read(path), fresh, used, MAX_ENTRIES)
    return marshal_file.write(path, MAGIC, merged, prefix=".re-")
