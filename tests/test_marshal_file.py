"""The shared file format and bounded merge of the marshal caches (regex opcodes, dataclass methods)."""

from __future__ import annotations

from pathlib import Path

from skillscan import marshal_file

MAGIC = b"skillscan-test-1\n"


def test_a_file_reads_back_and_a_damaged_or_foreign_one_reads_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    assert marshal_file.write(path, MAGIC, {"a": 1}, prefix=".t-")
    assert marshal_file.read(path, MAGIC) == {"a": 1}
    assert marshal_file.read(path, b"skillscan-other-1\n") is None  # another format
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    assert marshal_file.read(path, MAGIC) is None  # the digest no longer checks
    assert marshal_file.read(tmp_path / "missing.bin", MAGIC) is None
    assert marshal_file.read(None, MAGIC) is None


def test_a_merge_that_fits_keeps_everything() -> None:
    assert marshal_file.merge({"a": 1, "b": 2}, {"c": 3}, set(), 3) == {"a": 1, "b": 2, "c": 3}


def test_a_full_merge_drops_what_this_process_did_not_read_first() -> None:
    stored = {"read1": 1, "stale": 2, "read2": 3}
    merged = marshal_file.merge(stored, {"new": 4}, {"read1", "read2"}, 3)
    assert merged == {"read1": 1, "read2": 3, "new": 4}


def test_a_full_merge_stays_within_the_bound_when_every_entry_was_read() -> None:
    stored = {f"old{i}": i for i in range(10)}
    merged = marshal_file.merge(stored, {"new0": 0, "new1": 1}, set(stored), 10)
    assert len(merged) == 10
    assert {"new0", "new1"} <= merged.keys()
    assert "old0" not in merged and "old1" not in merged and "old9" in merged  # the oldest go first


def test_more_fresh_entries_than_the_bound_keep_only_fresh_ones() -> None:
    merged = marshal_file.merge({"old": 0}, {"a": 1, "b": 2}, {"old"}, 2)
    assert merged == {"a": 1, "b": 2}
