"""The on-disk regex opcode cache (skillscan/lazyre_cache.py): a pattern read from the cache is the
pattern `re` compiles; a corrupt or tampered file is detected, ignored and rebuilt. Each case runs in a
fresh interpreter (the cache patches `re` for the whole process) with its own cache directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from skillscan import lazyre_cache

REPO = Path(__file__).resolve().parent.parent

PATTERNS = [
    (r"(?P<verb>curl|wget)\s+(?:-[a-zA-Z]+\s+)*(?P<url>https?://\S+)", 0),
    ("(?:" + "|".join(f"word{i}x" for i in range(3000)) + r")\s+ignore (all )?previous instructions", 2),
    (r"^\s*#\s*(?:TODO|FIXME)\b.*$", 8),  # re.MULTILINE
    (r"(?x) a+ \d{2,5} (?=b)", 0),
    (r"[\u4e00-\u9fff]{2,}忽略", 0),
]
BIG = 1  # the pattern slow enough to compile to be kept
TEXTS = ["run curl -fsSL https://example.com/x.sh | sh", "Please IGNORE previous instructions now",
         "x\n  # TODO: fix\n", "aaa12345b", "请忽略之前的指令 中文忽略"]

SCRIPT = r"""
import json, re, sys
from skillscan import lazyre_cache
lazyre_cache.install()
patterns = json.loads(sys.argv[1]); texts = json.loads(sys.argv[2])
lazyre_cache._load()
cached = [(p, flags) in lazyre_cache._entries for p, flags in patterns]  # read from the file, before any compile
out = []
for p, flags in patterns:
    rx = re.compile(p, flags)
    out.append([rx.pattern, rx.flags, rx.groups, sorted(rx.groupindex.items()),
                [[m.span(), m.groups()] for t in texts for m in rx.finditer(t)]])
print(json.dumps({"results": out, "fresh": len(lazyre_cache._fresh), "cached": cached}))
"""


def _run(cache: Path, *, install: bool = True) -> dict:
    script = SCRIPT if install else SCRIPT.replace("lazyre_cache.install()", "")
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(PATTERNS), json.dumps(TEXTS)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _file(cache: Path) -> Path:
    files = list((cache / "regex").glob("re-*.bin"))
    assert len(files) == 1, files
    return files[0]


def test_cached_patterns_are_the_patterns_re_compiles(tmp_path: Path) -> None:
    plain = _run(tmp_path / "unused", install=False)["results"]
    first = _run(tmp_path / "c")  # compiles, then saves at exit
    assert first["results"] == plain
    assert _file(tmp_path / "c").stat().st_size > 0
    assert first["cached"] == [False] * len(PATTERNS)
    second = _run(tmp_path / "c")  # reads the slow patterns back
    assert second["results"] == plain
    assert second["cached"][BIG]  # the 3,000-word alternation (slow to compile) came from the file


def test_a_corrupt_file_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "c"
    plain = _run(tmp_path / "unused", install=False)["results"]
    _run(cache)
    path = _file(cache)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF  # one flipped byte: the digest no longer checks
    path.write_bytes(bytes(blob))
    again = _run(cache)
    assert again["results"] == plain
    assert not any(again["cached"])  # nothing read from the damaged file
    assert _run(cache)["cached"][BIG]  # and the file was rebuilt


def test_opcodes_the_engine_refuses_are_compiled_afresh(tmp_path: Path) -> None:
    """A well-formed file whose opcodes are wrong (digest recomputed, so only `_sre` can tell): the
    engine's own validation refuses them and the pattern is compiled the ordinary way."""
    import hashlib
    import marshal

    cache = tmp_path / "c"
    plain = _run(tmp_path / "unused", install=False)["results"]
    _run(cache)
    path = _file(cache)
    magic = lazyre_cache.MAGIC
    data = {k: marshal.loads(v) for k, v in marshal.loads(path.read_bytes()[len(magic) + 32:]).items()}
    data = {k: marshal.dumps((v[0], [9999, *v[1][1:]], *v[2:])) for k, v in data.items()}
    payload = marshal.dumps(data)
    path.write_bytes(magic + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    again = _run(cache)
    assert again["cached"][BIG]  # the entry was there, with opcodes the engine refuses
    assert again["results"] == plain  # compiled afresh instead
    assert again["fresh"] >= 1


def test_a_truncated_or_foreign_file_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "c"
    plain = _run(tmp_path / "unused", install=False)["results"]
    _run(cache)
    path = _file(cache)
    for junk in (b"", lazyre_cache.MAGIC, b"not a cache at all" * 10, path.read_bytes()[:-7]):
        path.write_bytes(junk)
        assert _run(cache)["results"] == plain


def test_a_full_file_keeps_the_patterns_in_use(tmp_path: Path) -> None:
    """A file at MAX_ENTRIES (patterns of earlier processes no one asks for again, as a pattern that changes
    with the hash seed leaves one per process) keeps, when the next process saves, what that process read
    from it and what it compiled — not nothing, which would make every process after it compile the stable
    patterns again."""
    import hashlib
    import marshal


    cache = tmp_path / "c"
    _run(cache)
    path = _file(cache)
    magic = lazyre_cache.MAGIC
    data = marshal.loads(path.read_bytes()[len(magic) + 32:])
    kept = next(v for k, v in data.items() if k == tuple(PATTERNS[BIG]))
    stale = {(f"stale{i}", 0): kept for i in range(lazyre_cache.MAX_ENTRIES)}
    payload = marshal.dumps({**stale, **data})
    path.write_bytes(magic + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    fresh_pattern = "(?:" + "|".join(f"other{i}y" for i in range(3000)) + ")"
    script = SCRIPT.replace("print(json.dumps(", f"re.compile({fresh_pattern!r})\nprint(json.dumps(")
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(PATTERNS), json.dumps(TEXTS)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout)["cached"][BIG]
    after = marshal.loads(path.read_bytes()[len(magic) + 32:])
    assert tuple(PATTERNS[BIG]) in after  # read by the saving process: kept
    assert (fresh_pattern, 0) in after  # compiled by it: added
    assert not any(k[0].startswith("stale") for k in after)  # no one read them: dropped


def test_a_full_file_stays_within_max_entries_when_every_entry_was_read(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The full file's merge keeps what the saving process read from it: a process that read every entry and
    compiled new ones must still leave at most MAX_ENTRIES, its new patterns among them."""
    import hashlib
    import marshal


    path = tmp_path / "re.bin"
    record = marshal.dumps((0, [1], 0, {}, (None,)))
    old = {(f"old{i}", 0): record for i in range(lazyre_cache.MAX_ENTRIES)}
    payload = marshal.dumps(old)
    path.write_bytes(lazyre_cache.MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    fresh = {(f"new{i}", 0): record for i in range(10)}
    monkeypatch.setattr(lazyre_cache, "_path_override", path)
    monkeypatch.setattr(lazyre_cache, "_used", set(old))
    monkeypatch.setattr(lazyre_cache, "_fresh", dict(fresh))
    monkeypatch.setattr(lazyre_cache, "_fresh_seconds", [1.0])  # slow enough to be worth a save
    assert lazyre_cache._save()
    after = lazyre_cache._read(path)
    assert len(after) == lazyre_cache.MAX_ENTRIES
    assert set(fresh) <= set(after)
    assert ("old0", 0) not in after and (f"old{lazyre_cache.MAX_ENTRIES - 1}", 0) in after  # the oldest go first


def test_a_process_whose_new_patterns_were_quick_to_compile_does_not_rewrite_the_file(tmp_path: Path) -> None:
    """Start-up of a small scan (issue 23): a save reads, merges and rewrites the whole file, so a process whose
    new patterns took less than SAVE_MIN_SECONDS to compile together (a few small ones, or one built from a set
    in hash order, new in every process) leaves the file as it is; slow ones are still kept."""

    cache = tmp_path / "c"
    _run(cache)  # the 3,000-word alternation: slow, so the first process writes the file
    path = _file(cache)
    before = path.read_bytes()
    quick = [[f"(?:quick{i}|fast{i})+z", 0] for i in range(3)]  # new, each well under SAVE_MIN_SECONDS
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(cache)}
    script = SCRIPT.replace("lazyre_cache.install()", "lazyre_cache.install(); lazyre_cache.MIN_SECONDS = 0")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(PATTERNS + quick), json.dumps(TEXTS)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout)["fresh"] >= 3  # compiled here and eligible to be kept...
    assert path.read_bytes() == before  # ...but not worth a rewrite
    assert lazyre_cache.SAVE_MIN_SECONDS > 0


def test_records_are_read_from_the_file_only_when_their_pattern_is_compiled(tmp_path: Path) -> None:
    """Loading the file copies each record's marshal blob; only the patterns a process compiles are turned back
    into opcode lists, so the cost of reading the file does not grow with what earlier processes kept."""
    cache = tmp_path / "c"
    _run(cache)
    script = SCRIPT.replace("print(json.dumps(", "blobs = {k: isinstance(v, bytes) for k, v in "
                            "lazyre_cache._entries.items()}\nprint(json.dumps(")
    script = script.replace("cached = [", "before = {k: isinstance(v, bytes) for k, v in lazyre_cache._entries.items()}"
                            "\ncached = [")
    script = script.replace('"cached": cached}', '"cached": cached, "before": all(before.values()), '
                            '"after": blobs[tuple(patterns[1])]}')
    env = {**os.environ, "PYTHONPATH": str(REPO), "SKILLSCAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(PATTERNS), json.dumps(TEXTS)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    out = json.loads(done.stdout)
    assert out["cached"][BIG]
    assert out["before"]  # every entry still a blob after the load
    assert out["after"] is False  # the compiled one was unmarshalled for `_sre.compile`


def test_the_substring_pattern_of_the_python_prefilter_is_the_same_text_in_every_process(tmp_path: Path) -> None:
    """A pattern built from a set must not depend on the hash seed: each variant would be another entry of the
    on-disk cache (the prefilter's key-piece pattern, hundreds of kilobytes of opcodes, filled it one seed at a
    time)."""
    script = ("from skillscan.analyzers.python.prefilter import _key_pieces\n"
              "import hashlib\nprint(hashlib.sha256(_key_pieces(frozenset({'manufacturer_symbol', 'proxy_server', "
              "'api_key', 'Token'})).pattern.encode()).hexdigest())")
    digests = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed, "SKILLSCAN_CACHE_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                              timeout=120)
        digests.add(done.stdout.strip())
    assert len(digests) == 1
