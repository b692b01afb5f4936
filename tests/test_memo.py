"""skillscan/memo.py: the bounded memo the engines share — least recently used out first, bounded in entries
and in characters, `take` hands a value out once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from skillscan.memo import BoundedMemo


def test_bounded_in_entries_least_recently_used_out_first() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(max_entries=3, budget_chars=1_000)
    for i, key in enumerate("abc"):
        memo.put(key, i, 1)
    assert memo.get("a") == 0  # a is now the most recent
    memo.put("d", 3, 1)
    assert list(memo) == ["c", "a", "d"] and "b" not in memo and memo.chars == 3


def test_bounded_in_characters() -> None:
    memo: BoundedMemo[str, str] = BoundedMemo(max_entries=100, budget_chars=10)
    memo.put("x", "x", 6)
    memo.put("y", "y", 6)  # 12 > 10: x goes
    assert list(memo) == ["y"] and memo.chars == 6
    memo.put("y", "again", 6)  # a key already held is not counted twice
    assert memo.get("y") == "y" and memo.chars == 6


def test_take_hands_a_value_out_once_and_clear_empties() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(max_entries=4, budget_chars=100)
    memo.put("k", 1, 5)
    assert memo.take("k") == 1 and memo.take("k") is None and memo.chars == 0 and len(memo) == 0
    memo.put("k", 2, 5)
    memo.clear()
    assert memo.get("k") is None and memo.chars == 0


@pytest.mark.parametrize("read", ["len", "contains", "iter"])
def test_every_read_of_the_shared_dict_takes_the_lock(read: str) -> None:
    """A read that does not take the lock can see the dict mid-change (list() of an OrderedDict another thread
    is evicting from raises): while another holder has the lock, len, `in` and iteration wait for it."""
    memo: BoundedMemo[str, int] = BoundedMemo(max_entries=4, budget_chars=100)
    memo.put("k", 1, 1)
    calls: dict[str, Callable[[], object]] = {"len": lambda: len(memo), "contains": lambda: "k" in memo,
                                              "iter": lambda: list(memo)}
    answer: list[object] = []
    with memo._lock:
        reader = threading.Thread(target=lambda: answer.append(calls[read]()))
        reader.start()
        reader.join(0.3)
        assert reader.is_alive(), f"{read} read the dict without the lock"
    reader.join(5)
    assert answer == [{"len": 1, "contains": True, "iter": ["k"]}[read]]
