"""skillscan/memtrim.py: freed heap memory goes back to the system (issue 23, peak memory)."""

from __future__ import annotations

import pytest

from skillscan import memtrim

pytestmark = pytest.mark.skipif(memtrim._malloc_trim() is None or not memtrim.resident_mb(),
                                reason="needs glibc's malloc_trim and /proc")


def _fragmented_heap(mb: int) -> list[bytes]:
    """`mb` MB of 1 KB blocks from the C heap, nine in ten freed again: the heap cannot shrink from its top."""
    blocks = [bytes(1024) for _ in range(mb * 1024)]
    kept = blocks[::10]
    del blocks
    return kept


def test_a_trim_hands_freed_heap_pages_back() -> None:
    memtrim.trim()
    kept = _fragmented_heap(200)
    high = memtrim.resident_mb()
    memtrim.trim()
    assert memtrim.resident_mb() < high - 100
    assert kept


def test_trim_if_grown_trims_only_after_growth(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = memtrim._malloc_trim()
    monkeypatch.setattr(memtrim, "_malloc_trim", lambda: (lambda pad: calls.append(pad) or real(pad)))
    memtrim.trim()
    calls.clear()
    memtrim.trim_if_grown()
    assert calls == []  # no growth since the last trim
    kept = _fragmented_heap(memtrim.GROWTH_MB * 3)
    memtrim.trim_if_grown()
    assert calls == [0]
    assert kept
