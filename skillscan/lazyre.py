"""Regexes compiled on first use.

A short scan touches a fraction of the ~300 regexes defined at module level and in rule data, and
compiling all of them cost every process tens of milliseconds at start-up. `LazyRegex` keeps the
pattern text and compiles on the first attribute a caller asks for (`search`, `match`, `sub`,
`flags`…); it then stores the compiled pattern's methods on itself, so later calls cost what a plain
`re.Pattern`'s do. A bad pattern raises `re.error` at first use — only for patterns that are fixed
in the code or were validated before (rule data checks its regexes when it is loaded uncached)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_FORWARDED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
              "flags", "groups", "groupindex")


class LazyRegex:
    # set on first use (declared for type checkers; not class attributes, so `__getattr__` sees them missing)
    search: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    fullmatch: Callable[..., re.Match[str] | None]
    finditer: Callable[..., Iterator[re.Match[str]]]
    findall: Callable[..., list[Any]]
    sub: Callable[..., str]
    subn: Callable[..., tuple[str, int]]
    split: Callable[..., list[Any]]
    scanner: Callable[..., Any]
    flags: int
    groups: int
    groupindex: Mapping[str, int]
    compiled: re.Pattern[str]

    def __init__(self, pattern: str, flags: int = 0, compiled: re.Pattern[str] | None = None) -> None:
        self.pattern = pattern
        self._flags = flags
        if compiled is not None:
            self._bind(compiled)

    def _bind(self, rx: re.Pattern[str]) -> None:
        for name in _FORWARDED:
            setattr(self, name, getattr(rx, name))
        self.compiled = rx

    def __getattr__(self, name: str) -> Any:
        # only reached for attributes not set yet: compile, then every forwarded name is set
        if name.startswith("__") or name not in (*_FORWARDED, "compiled"):
            raise AttributeError(name)
        self._bind(re.compile(self.pattern, self._flags))
        return self.__dict__[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyRegex) and (other.pattern, other._flags) == (self.pattern, self._flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self._flags))

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyRegex, (self.pattern, self._flags))

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r}{', ' + str(self._flags) if self._flags else ''})"


def lazy(pattern: str, flags: int = 0) -> LazyRegex:
    """`re.compile`, deferred to first use."""
    return LazyRegex(pattern, flags)
