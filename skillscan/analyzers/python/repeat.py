"""Python files seen again: registries repeat files verbatim (forked and vendored skills, successive
versions, shared helper scripts), and the Python engine's result for a file is a function of the file
alone — its path, text, whether it was cut at the parse cap or is a binary read as text, and the trust
context of a virtual file — never of the package around it. A process remembers the results of the
files it analysed (bounded in entries and in characters; a file above MAX_CHARS is analysed every time),
so a repeated file costs a dictionary lookup instead of a libcst parse and a walk."""

from __future__ import annotations

from collections.abc import Callable

from skillscan.analyzers.base import FileResult
from skillscan.memo import BoundedMemo
from skillscan.model import PackageFile

MAX_ENTRIES = 1024
MAX_CHARS = 500_000
BUDGET_CHARS = 8_000_000

Key = tuple[str, str, bool, bool, str | None, object, object]
_memo: BoundedMemo[Key, FileResult] = BoundedMemo(MAX_ENTRIES, BUDGET_CHARS)


def _key(file: PackageFile, context: str | None) -> Key | None:
    if file.text is None or len(file.text) > MAX_CHARS:
        return None
    return (file.path, file.text, file.truncated, file.virtual, context, file.channel, file.max_confidence)


def remembered(file: PackageFile, analyze: Callable[[PackageFile], FileResult], context: str | None = None
               ) -> FileResult:
    """`analyze(file)`, or the result it gave for the same file (and the same `context`: the engine's
    capability map) earlier in this process."""
    key = _key(file, context)
    if key is None:
        return analyze(file)
    hit = _memo.get(key)
    if hit is not None:
        return hit
    result = analyze(file)
    _memo.put(key, result, len(key[1]))
    return result
