"""A per-process memo bounded in entries and in characters, least recently used out first, safe across
threads. Registries repeat files verbatim (licences, templates, vendored or forked skills), so the engines
remember what they computed for a text — a Python file's result, a Markdown body's segments, a document's
block tokens, a text's sentences — and every such memo must stay bounded: a worker lives for hundreds of
tasks (peak memory, issue 23)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    """At most `max_entries` values whose sizes (characters of the text each was computed from) add up to at
    most `budget_chars`; the least recently used go first."""

    def __init__(self, max_entries: int, budget_chars: int) -> None:
        self.max_entries = max_entries
        self.budget_chars = budget_chars
        self.chars = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()  # the engines read from one thread; library callers may not

    def get(self, key: K) -> V | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def take(self, key: K) -> V | None:
        """The value, which the memo then lets go (a value handed to one more reader only)."""
        with self._lock:
            hit = self._items.pop(key, None)
            if hit is None:
                return None
            self.chars -= hit[1]
            return hit[0]

    def put(self, key: K, value: V, chars: int) -> None:
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, chars)
                self.chars += chars
            while len(self._items) > self.max_entries or self.chars > self.budget_chars:
                _, (_, size) = self._items.popitem(last=False)
                self.chars -= size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.chars = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __iter__(self) -> Iterator[K]:
        with self._lock:  # a copy taken under the lock: a put in another thread cannot change it mid-walk
            return iter(list(self._items))
