"""Python files seen again: registries repeat files verbatim (forked and vendored skills, successive
versions, shared helper scripts), and the Python engine's result for a file is a function of the file
alone — its path, text, whether it was cut at the parse cap or is a binary read as text, and the trust
context of a virtual file — never of the package around it. A process remembers the results of the
files it analysed (bounded in entries and in characters; a file above MAX_CHARS is analysed every time),
so a repeated file costs a dictionary lookup instead of a libcst parse and a walk."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from skillscan.analyzers.base import FileResult
from skillscan.model import PackageFile

MAX_ENTRIES = 1024
MAX_CHARS = 500_000
BUDGET_CHARS = 8_000_000

Key = tuple[str, str, bool, bool, str | None, object, object]
_memo: OrderedDict[Key, FileResult] = OrderedDict()
_chars = 0
_lock = threading.Lock()


def _key(file: PackageFile, context: str | None) -> Key | None:
    if file.text is None or len(file.text) > MAX_CHARS:
        return None
    return (file.path, file.text, file.truncated, file.virtual, context, file.channel, file.max_confidence)


def remembered(file: PackageFile, analyze: Callable[[PackageFile], FileResult], context: str | None = None
               ) -> FileResult:
    """`analyze(file)`, or the result it gave for the same file (and the same `context`: the engine's
    capability map) earlier in this process."""
    global _chars
    key = _key(file, context)
    if key is None:
        return analyze(file)
    with _lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
            return hit
    result = analyze(file)
    with _lock:
        if key not in _memo:
            _memo[key] = result
            _chars += len(key[1])
        while len(_memo) > MAX_ENTRIES or _chars > BUDGET_CHARS:
            old, _ = _memo.popitem(last=False)
            _chars -= len(old[1])
    return result
