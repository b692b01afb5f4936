"""The on-disk cache of the methods `@dataclass` compiles (skillscan/dataclass_cache.py, issue 23): a process
that finds them stored compiles none and gets the code a compile gives; a corrupt or foreign file, or a cache
directory others may write, is never read. Each case runs in a fresh interpreter (the cache hooks the
`dataclasses` module of the process that installs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys
from skillscan import dataclass_cache as D
D.install()
import dataclasses
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True, order=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

@dataclass(kw_only=True)
class Box:
    items: list[int] = field(default_factory=list)
    label: str = "box"

import skillscan.model  # a module of skillscan's own dataclasses
p, q = Point(1, 2, ("a",)), Point(1, 3)
try:
    p.x = 5
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
b = Box(label="x")
b.items.append(1)
same = all(code == compile(text, "<string>", "exec", dont_inherit=True) for text, code in D._entries.items())
print(json.dumps({"stats": D.STATS, "same_code": same, "entries": len(D._entries),
                  "behaviour": [repr(p), p < q, p == Point(1, 2, ("a",)), hash(p) == hash(Point(1, 2, ("a",))),
                                frozen, repr(b), b == Box(items=[1], label="x")]}))
"""


def _run(cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _file(cache: Path) -> Path:
    [path] = (cache / "dataclass").glob("dc-*.bin")
    return path


def test_a_second_process_compiles_nothing_and_runs_the_code_a_compile_gives(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(cache)
    assert first["stats"]["compiled"] > 20 and first["stats"]["hits"] == 0
    second = _run(cache)
    assert second["stats"]["compiled"] == 0 and second["stats"]["hits"] == first["stats"]["compiled"]
    assert second["same_code"] and second["entries"] == first["entries"]  # every stored code is the compile's own
    assert second["behaviour"] == first["behaviour"]
    assert second["behaviour"][4] is True  # frozen still refuses assignment


def test_a_corrupt_or_foreign_file_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(cache)
    path = _file(cache)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF  # the digest no longer checks
    path.write_bytes(bytes(blob))
    again = _run(cache)
    assert again["stats"]["hits"] == 0 and again["stats"]["compiled"] == first["stats"]["compiled"]
    assert again["behaviour"] == first["behaviour"]
    path.write_bytes(b"not a cache file")
    assert _run(cache)["stats"]["hits"] == 0
    assert _run(cache)["stats"]["compiled"] == 0  # rewritten by the run before


def test_a_cache_directory_others_may_write_is_not_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _run(cache)
    (cache / "dataclass").chmod(0o777)
    try:
        refused = _run(cache)
    finally:
        (cache / "dataclass").chmod(0o700)
    assert refused["stats"]["hits"] == 0 and refused["stats"]["compiled"] > 20
