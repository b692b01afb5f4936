"""A cache directory another user can write is never read or written (diskcache.trusted): a planted
entry there could be a verdict's findings, the rules themselves or a marshal stream."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import make_skill, scan_json
from skillscan.cache import ResultCache
from skillscan.diskcache import cache_subdir, make_private_dir, trusted


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_private_directories_are_trusted_and_created_private(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert trusted(target, tmp_path / "a")  # not there yet: skillscan creates it
    make_private_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) & 0o077 == 0
    assert trusted(target, tmp_path / "a")


@pytest.mark.parametrize("bits", [stat.S_IWGRP, stat.S_IWOTH])
def test_a_directory_others_can_write_is_not_trusted(tmp_path: Path, bits: int, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    os.chmod(root, 0o700 | bits)
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(root))
    assert not trusted(root / "results", root)
    assert cache_subdir("results") is None
    assert ResultCache(root).directory is None


def test_a_link_is_not_a_trusted_directory(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert not trusted(tmp_path / "link")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a directory away")
def test_a_directory_of_another_user_is_not_trusted(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 65534, 65534)
    assert not trusted(other)


def test_the_cli_neither_reads_nor_writes_a_shared_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    os.chmod(shared, 0o777)
    pkg = make_skill(tmp_path / "skills", "weather", "description: Shows the weather.\n")
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(shared))
    report, proc = scan_json(str(pkg))
    assert proc.returncode == 0, proc.stderr
    assert report["packages"][0]["verdict"] == "allow"
    assert _files(shared) == []
    private = tmp_path / "private-cache"
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(private))
    report, proc = scan_json(str(pkg))
    assert proc.returncode == 0, proc.stderr
    assert _files(private)  # the same scan with a private directory does cache
    assert stat.S_IMODE(private.stat().st_mode) & 0o077 == 0


def _notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("skillscan: cache not used:")]


def test_the_cli_says_once_why_it_scans_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the path carries a terminal escape and a newline: the notice stays one clean line
    shared = tmp_path / "shared\x1b[31m\ncache"
    shared.mkdir()
    os.chmod(shared, 0o777)
    skills = tmp_path / "skills"
    pkgs = [str(make_skill(skills, name, f"description: Shows the {name}.\n")) for name in ("weather", "tides", "news")]
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(shared))
    report, proc = scan_json(*pkgs)
    assert proc.returncode == 0, proc.stderr
    assert [p["verdict"] for p in report["packages"]] == ["allow"] * 3
    notices = _notices(proc.stderr)
    assert len(notices) == 1, proc.stderr  # once per process, however many packages and caches refused it
    assert "\\x1b[31m\\ncache is not a directory private to this user" in notices[0]
    assert not any(ch < " " or ch == "\x7f" for ch in proc.stderr.replace("\n", ""))
    assert "SKILLSCAN_CACHE_DIR" in notices[0]
    private = tmp_path / "private-cache"
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(private))
    _, proc = scan_json(*pkgs)
    assert proc.returncode == 0, proc.stderr
    assert _notices(proc.stderr) == []  # a private cache is used without a word


def test_an_explicit_cache_dir_others_can_write_is_refused_aloud(tmp_path: Path) -> None:
    shared = tmp_path / "group-cache"
    shared.mkdir()
    os.chmod(shared, 0o770)
    pkg = make_skill(tmp_path / "skills", "weather", "description: Shows the weather.\n")
    report, proc = scan_json(str(pkg), "--cache-dir", str(shared))
    assert proc.returncode == 0, proc.stderr
    assert report["packages"][0]["verdict"] == "allow"
    assert len(_notices(proc.stderr)) == 1 and str(shared) in _notices(proc.stderr)[0]
    assert _files(shared) == []


def _refused_for(tmp_path: Path, make: Callable[[Path], Path]) -> str:
    cache = make(tmp_path)
    pkg = make_skill(tmp_path / "skills", "weather", "description: Shows the weather.\n")
    report, proc = scan_json(str(pkg), "--cache-dir", str(cache))
    assert proc.returncode == 0, proc.stderr
    assert report["packages"][0]["verdict"] == "allow"
    (notice,) = _notices(proc.stderr)
    return notice


def _link(tmp: Path) -> Path:
    real = tmp / "real"
    real.mkdir(mode=0o700)
    (tmp / "link").symlink_to(real)
    return tmp / "link"


def _file(tmp: Path) -> Path:
    (tmp / "plain").write_text("x")
    return tmp / "plain"


def _group(tmp: Path) -> Path:
    (tmp / "g").mkdir()
    os.chmod(tmp / "g", 0o770)
    return tmp / "g"


def _others(tmp: Path) -> Path:
    (tmp / "o").mkdir()
    os.chmod(tmp / "o", 0o757)
    return tmp / "o"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "plain").write_text("x")
    return tmp / "plain" / "cache"


@pytest.mark.parametrize(("make", "says"), [
    (_link, "it is a symbolic link;"),
    (_file, "it is not a directory;"),
    (_group, "it is writable by its group (mode 0770);"),
    (_others, "it is writable by others (mode 0757);"),
    (_under_a_file, "it could not be examined (Not a directory);"),
], ids=["link", "file", "group", "others", "unexaminable"])
def test_the_notice_names_the_case_that_refused_the_directory(tmp_path: Path, make: Callable[[Path], Path],
                                                              says: str) -> None:
    """Each refusal is named as it is — not a list of cases the directory may not be in (a plain file is
    neither another user's, nor writable by others, nor a link)."""
    notice = _refused_for(tmp_path, make)
    assert says in notice, notice
    assert "belongs to another user" not in notice


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a directory away")
def test_the_notice_names_another_owner(tmp_path: Path) -> None:
    def other(tmp: Path) -> Path:
        (tmp / "other").mkdir(mode=0o700)
        os.chown(tmp / "other", 65534, 65534)
        return tmp / "other"

    assert "it belongs to another user (uid 65534);" in _refused_for(tmp_path, other)
