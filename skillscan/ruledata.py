"""Parsed rule data cached on disk, so that a fresh process does not re-parse the same YAML every run.

An entry is plain JSON data (never pickle: a cache directory must not become a code path, and
compiled regexes are never stored — callers compile after loading). Its key is a digest of the data
files' bytes, the skillscan version and the bytes of the code that turned them into data, so a rule
edit or a code change is a different key: an entry is never trusted across either. Entries are written
atomically (temp file + rename); an unreadable, corrupt or mismatched entry is ignored and rebuilt,
and an unwritable cache directory just means no cache.

Location: `$SKILLSCAN_CACHE_DIR/ruledata`, else `<user cache dir>/skillscan/ruledata`.
`SKILLSCAN_RULEDATA_CACHE=0` turns it off (every load parses)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.diskcache import atomic_write, cache_subdir

FORMAT = 1
MAX_ENTRIES = 64  # per namespace
MAX_AGE_S = 7 * 24 * 3600
DISABLE_ENV = "SKILLSCAN_RULEDATA_CACHE"

# what this process did (read by tests and bench/)
STATS: dict[str, int] = {"hits": 0, "builds": 0, "writes": 0}

_memo: dict[str, Any] = {}
_MISS = object()
_source_digests: dict[str, bytes] = {}


def cache_dir() -> Path | None:
    if os.environ.get(DISABLE_ENV, "").strip().lower() in {"0", "no", "off", "false"}:
        return None
    return cache_subdir("ruledata")


def _source_digest(path: str) -> bytes:
    """The bytes digest of one code file, once per process."""
    digest = _source_digests.get(path)
    if digest is None:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).digest()
        except OSError:
            digest = b"?"
        _source_digests[path] = digest
    return digest


def make_key(namespace: str, content_digest: str, code: Iterable[str] = ()) -> str:
    """The entry key: namespace, cache format, skillscan version, the code files' bytes and the data's digest."""
    from skillscan._version import __version__

    h = hashlib.sha256(f"{namespace}\0{FORMAT}\0{__version__}\0{content_digest}\0".encode())
    for path in (__file__, *code):
        h.update(_source_digest(path))
    return h.hexdigest()


def is_plain(value: Any, depth: int = 0) -> bool:
    """True when JSON gives `value` back exactly: dicts with str keys, lists, str, int, float, bool, None.
    (YAML can also produce dates, sets, bytes and non-string keys; those are not cached.)"""
    if depth > 200:
        return False
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if type(value) is list:
        return all(is_plain(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain(v, depth + 1) for k, v in value.items())
    return False


def _read(path: Path, key: str) -> tuple[bool, Any]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False, None
    if type(doc) is not dict or doc.get("format") != FORMAT or doc.get("key") != key or "data" not in doc:
        return False, None
    return True, doc["data"]


def _write(path: Path, key: str, data: Any) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "key": key, "data": data}, fh, ensure_ascii=False, separators=(",", ":"))

    if atomic_write(path, write, prefix=".rd-"):
        STATS["writes"] += 1


def _prune(directory: Path, namespace: str, keep: Path) -> None:
    """Each rule or code change writes new entries. When one is written, the namespace's entries older
    than MAX_AGE_S go, and the oldest beyond MAX_ENTRIES (several checkouts or versions may share the
    directory; a live entry that goes is just rebuilt once). Best effort."""
    import time

    size = len(namespace) + 1 + 64 + len(".json")
    try:
        entries = [(e.stat().st_mtime, e.path) for e in os.scandir(directory)
                   if len(e.name) == size and e.name.startswith(namespace + "-") and e.name.endswith(".json")
                   and e.path != str(keep)]
        entries.sort(reverse=True)
        cutoff = time.time() - MAX_AGE_S
        for index, (mtime, path) in enumerate(entries):
            if mtime < cutoff or index >= MAX_ENTRIES - 1:
                os.unlink(path)
    except OSError:
        pass


def cached(namespace: str, content_digest: str, build: Callable[[], Any], *, code: Iterable[str] = (),
           decode: Callable[[Any], Any] | None = None, memo: bool = True) -> Any:
    """`decode(build())` (decode defaults to the identity), from memory, else from the disk cache, else
    built and — when `build()` gave plain data — stored. An entry `decode` rejects (KeyError, IndexError,
    ValueError, TypeError, AttributeError) is treated as corrupt and rebuilt; an exception of `build`
    or of decoding fresh data propagates. With `memo`, the value is also kept for the rest of the process
    (callers share it: it must not be mutated); without, every call returns a fresh value."""
    key = make_key(namespace, content_digest, code)
    if memo and key in _memo:
        return _memo[key]
    base = cache_dir()
    path = base / f"{namespace}-{key}.json" if base is not None else None
    if path is not None:
        ok, data = _read(path, key)
        if ok:
            try:
                value = decode(data) if decode is not None else data
            except (KeyError, IndexError, ValueError, TypeError, AttributeError):
                value = _MISS  # a damaged entry of the right key: rebuilt below
            if value is not _MISS:
                STATS["hits"] += 1
                if memo:
                    _memo[key] = value
                return value
    data = build()
    STATS["builds"] += 1
    value = decode(data) if decode is not None else data
    if path is not None and is_plain(data):
        _write(path, key, data)
        _prune(path.parent, namespace, keep=path)
    if memo:
        _memo[key] = value
    return value


@lru_cache(maxsize=1)
def yaml_code() -> tuple[str, ...]:
    """The code a YAML parse depends on: our safe loader and PyYAML's version (its `__init__.py`),
    located without importing PyYAML (a cache hit must not pay for that import)."""
    from importlib.util import find_spec

    files = [str(Path(__file__).with_name("yamlsafe.py"))]
    spec = find_spec("yaml")
    if spec is not None and spec.origin:
        files.append(spec.origin)
    return tuple(files)


def load_yaml_file(path: Path) -> Any:
    """One rule-data YAML file, parsed with `skillscan.yamlsafe.load_yaml`, through the cache: a drop-in
    for `load_yaml(path.read_text(encoding="utf-8"))`. Each call returns fresh data."""
    return load_yaml_bytes(path.read_bytes())


def load_yaml_bytes(raw: bytes) -> Any:
    """`load_yaml(raw.decode("utf-8"))` through the cache (the errors of either propagate). Fresh data."""

    def build() -> Any:
        from skillscan.yamlsafe import load_yaml

        return load_yaml(raw.decode("utf-8"))

    return cached("yaml", hashlib.sha256(raw).hexdigest(), build, code=yaml_code(), memo=False)
