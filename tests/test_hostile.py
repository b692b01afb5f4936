"""Hostile input: each case runs the real CLI in a subprocess under RLIMIT_AS = 1 GiB and a 30 s timeout,
with a canary planted in a temporary $HOME that must appear in no output. The scanner must not crash,
hang, escape the package, or write anywhere."""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import textwrap
import struct
import uuid
import zlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
MEMORY = 1 << 30
TIMEOUT = 30


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str]
    report: dict[str, Any]

    @property
    def packages(self) -> list[dict[str, Any]]:
        return self.report["packages"]


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    canary = f"CANARY-{uuid.uuid4().hex}"
    (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN KEY-----\n{canary}\n-----END KEY-----\n")
    (home / ".bashrc").write_text(f"export SECRET={canary}\n")
    return home, canary


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def scan(home: tuple[Path, str], cwd: Path, *args: str, extra_env: dict[str, str] | None = None) -> Run:
    home_dir, canary = home
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home_dir), "NO_COLOR": "1",
           "LANG": "C.UTF-8", **(extra_env or {})}
    proc = subprocess.run([sys.executable, "-m", "skillscan", "scan", "--format", "json", "--no-config",
                           "--min-severity", "info", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_limit)
    assert canary not in proc.stdout and canary not in proc.stderr
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    return Run(proc, report)


def skill(root: Path, name: str = "victim") -> Path:
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "SKILL.md").write_text(f"---\nname: {name}\ndescription: A test skill. Use in tests.\n---\nBody.\n")
    return pkg


def assert_error_entry(run: Run, input_arg: str) -> dict[str, Any]:
    (pkg,) = [p for p in run.packages if p["input"] == input_arg]
    assert pkg["format"] == "unknown" and pkg["verdict"] == "error" and pkg["errors"], pkg
    assert run.proc.returncode == 2
    return pkg


# --- archives ------------------------------------------------------------------------------------

def zip_bomb(path: Path, gib: float = 1.2) -> Path:
    """A real single-member zip64 bomb (~1.2 GB of zeros in ~1 MB) built without compressing a gigabyte:
    after a full flush, deflate output for identical input repeats, so one segment is written n times."""
    chunk = 1 << 20
    n = int(gib * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    first = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
    size = n * chunk
    csize = len(first) + len(again) * (n - 1) + len(tail)
    name = b"bomb/zeros.bin"
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHHHHIII HH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                             len(name), 20) + name + struct.pack("<HHQQ", 1, 16, size, csize))
        fh.write(first)
        for _ in range(n - 1):
            fh.write(again)
        fh.write(tail)
        cd_offset = fh.tell()
        central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                              0xFFFFFFFF, len(name), 28, 0, 0, 0, 0o100644 << 16, 0xFFFFFFFF)
        central += name + struct.pack("<HHQQQ", 1, 24, size, csize, 0)
        fh.write(central)
        eocd64 = fh.tell()
        fh.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset))
        fh.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    return path


def test_zip_bomb_is_refused(tmp_path: Path, home: tuple[Path, str]) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 5 << 20
    with zipfile.ZipFile(bomb) as zf:  # a well-formed archive: the reader, not a parse error, refuses it
        assert zf.infolist()[0].file_size > MEMORY
    run = scan(home, tmp_path, str(bomb), str(skill(tmp_path)))
    pkg = assert_error_entry(run, str(bomb))
    assert "bomb" in " ".join(pkg["errors"]).lower()
    assert any(p["format"] == "agent-skill" for p in run.packages)  # the rest of the scan goes on


def test_gzip_tar_bomb_is_refused(tmp_path: Path, home: tuple[Path, str]) -> None:
    """A tar.gz whose gzip members (concatenated, as gzip allows) inflate to 1.2 GB."""
    header = tarfile.TarInfo("bomb/zeros.bin")
    header.size = 1200 << 20
    member = gzip.compress(bytes(1 << 20), 9)
    bomb = tmp_path / "bomb.tgz"
    with open(bomb, "wb") as fh:
        fh.write(gzip.compress(header.tobuf(format=tarfile.GNU_FORMAT)))
        for _ in range(1200):
            fh.write(member)
        fh.write(gzip.compress(bytes(1024)))
    run = scan(home, tmp_path, str(bomb))
    pkg = assert_error_entry(run, str(bomb))
    assert "bomb" in " ".join(pkg["errors"]).lower()


def test_zip_slip_members_are_rejected(tmp_path: Path, home: tuple[Path, str]) -> None:
    members = ["../../escaped.txt", "/tmp/skillscan-absolute-escape.txt", "ok/../../../escaped2.txt",
               "C:/windows/escaped.txt", "..\\..\\escaped3.txt"]
    archive = tmp_path / "work" / "slip.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("slip/SKILL.md", "---\nname: slip\ndescription: A skill. Use in tests.\n---\nBody.\n")
        for member in members:
            zf.writestr(member, "#!/bin/sh\necho escaped\n")
    tar_path = tmp_path / "work" / "slip.tar"
    with tarfile.open(tar_path, "w") as tf:
        for name in ["tslip/SKILL.md", *members]:
            body = b"---\nname: tslip\ndescription: A skill. Use in tests.\n---\n"
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))

    def written() -> set[Path]:  # $HOME may hold the scanner's own cache; nothing else may change
        return {p for p in tmp_path.rglob("*") if home[0] not in p.parents}

    before = written()
    run = scan(home, tmp_path / "work", str(archive), str(tar_path))
    assert written() == before  # nothing was written anywhere
    assert not Path("/tmp/skillscan-absolute-escape.txt").exists()
    assert len(run.packages) == 2
    for pkg in run.packages:
        assert pkg["format"] == "agent-skill"
        assert pkg["files"] == 1
        assert pkg["verdict"] in ("review", "block")  # a rejected member is reported, never silently dropped
        rejected = [f for f in pkg["findings"] if "leaves the archive" in f["message"]]
        assert len(rejected) == len(members)


def test_symlink_and_hardlink_members_pointing_at_host_files(tmp_path: Path, home: tuple[Path, str]) -> None:
    target = str(home[0] / ".ssh" / "id_rsa")
    tar_path = tmp_path / "links.tar"
    with tarfile.open(tar_path, "w") as tf:
        body = b"---\nname: links\ndescription: A skill. Use in tests.\n---\nBody.\n"
        info = tarfile.TarInfo("links/SKILL.md")
        info.size = len(body)
        tf.addfile(info, io.BytesIO(body))
        for name, kind, dest in (("links/key", tarfile.SYMTYPE, target),
                                 ("links/rel", tarfile.SYMTYPE, "../../../../../../../../" + target.lstrip("/")),
                                 ("links/hard", tarfile.LNKTYPE, target),
                                 ("links/hardrel", tarfile.LNKTYPE, "../" * 12 + target.lstrip("/"))):
            link = tarfile.TarInfo(name)
            link.type = kind
            link.linkname = dest
            tf.addfile(link)
        dev = tarfile.TarInfo("links/null")
        dev.type = tarfile.CHRTYPE
        dev.devmajor, dev.devminor = 1, 3
        tf.addfile(dev)
    zip_path = tmp_path / "links.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("zl/SKILL.md", "---\nname: zl\ndescription: A skill. Use in tests.\n---\nBody.\n")
        info = zipfile.ZipInfo("zl/key")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, target)
    run = scan(home, tmp_path, str(tar_path), str(zip_path))
    for pkg in run.packages:
        assert pkg["format"] == "agent-skill"
        assert pkg["verdict"] in ("review", "block")
        messages = " ".join(f["message"] for f in pkg["findings"])
        assert "not followed" in messages


def test_symlinked_directory_to_root(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    (pkg / "everything").symlink_to("/")
    (pkg / "home").symlink_to(home[0])
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["files"] == 1
    assert result["verdict"] in ("review", "block")


def test_fifo_in_package_does_not_hang(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    os.mkfifo(pkg / "pipe")
    os.mkfifo(pkg / "pipe.py")
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["files"] == 1
    assert any("FIFO" in f["message"] for f in result["findings"])


def test_truncated_archive(tmp_path: Path, home: tuple[Path, str]) -> None:
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t/SKILL.md", "---\nname: t\ndescription: A skill. Use in tests.\n---\n" + "Body line.\n" * 500)
    data = good.getvalue()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tf:
        body = os.urandom(50_000)
        info = tarfile.TarInfo("t/blob.bin")
        info.size = len(body)
        tf.addfile(info, io.BytesIO(body))
    (tmp_path / "cut.tgz").write_bytes(tgz.getvalue()[:20_000])
    run = scan(home, tmp_path, "cut.zip", "cut.tgz")
    assert_error_entry(run, "cut.zip")
    assert_error_entry(run, "cut.tgz")


def test_missing_path(tmp_path: Path, home: tuple[Path, str]) -> None:
    run = scan(home, tmp_path, "does/not/exist", str(skill(tmp_path)))
    pkg = assert_error_entry(run, "does/not/exist")
    assert "no such file" in pkg["errors"][0]
    assert len(run.packages) == 2


# --- parsers ---------------------------------------------------------------------------------------

def test_yaml_alias_bomb_in_frontmatter(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = tmp_path / "bomb"
    pkg.mkdir()
    lines = ["---", "name: bomb", "description: a", 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    lines += ["---", "Body."]
    (pkg / "SKILL.md").write_text("\n".join(lines) + "\n")
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert "skill-frontmatter-invalid" in {f["rule_id"] for f in result["findings"]}


def test_100k_deep_json_manifest(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = tmp_path / "deep"
    (pkg / ".claude-plugin").mkdir(parents=True)
    (pkg / ".claude-plugin" / "plugin.json").write_text('{"name": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (pkg / ".mcp.json").write_text("{" + '"a":{' * 100_000 + "}" * 100_001)
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["format"] == "claude-plugin"
    assert any("nested deeper" in e for e in result["errors"])
    assert result["verdict"] != "allow"


def test_deeply_nested_python(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    (pkg / "parens.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (pkg / "terms.py").write_text("y = " + " + ".join(["1"] * 200_000) + "\n")
    run = scan(home, tmp_path, "--jobs", "2", str(pkg))
    assert len(run.packages) == 1  # at worst the package is an error; the scan finishes


def test_40mb_one_line_js(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    (pkg / "bundle.js").write_text("var a=" + "[1,2,3]+" * (40 * 1024 * 1024 // 8) + "0;")
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["format"] == "agent-skill" and result["files"] == 2


def test_invalid_utf8_nul_and_utf16(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    (pkg / "bad.md").write_bytes(b"caf\xe9 \xff\xfe broken \xc3\x28 text\n" * 10)
    (pkg / "nul.py").write_bytes(b"import os\x00\x00\x00print(1)\n")
    (pkg / "wide.md").write_bytes("\ufeffNotes in UTF-16: run the tool.\n".encode("utf-16"))
    (pkg / "SKILL2.md").write_bytes(b"---\nname: \xff\xfe\ndescription: \x00\n---\n")
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["files"] == 5 and result["verdict"] != "error"
    from skillscan.loaders.discover import load_inputs

    (loaded,) = load_inputs([str(pkg)])
    wide = loaded.file("wide.md")
    assert wide is not None and wide.encoding == "utf-16" and "run the tool" in (wide.text or "")
    assert loaded.file("nul.py").is_binary  # type: ignore[union-attr]


def test_20000_files(tmp_path: Path, home: tuple[Path, str]) -> None:
    pkg = skill(tmp_path)
    many = pkg / "many"
    for d in range(20):
        sub = many / f"d{d}"
        sub.mkdir(parents=True)
        for i in range(1000):
            (sub / f"f{i}.txt").write_text("x\n")
    run = scan(home, tmp_path, str(pkg))
    (result,) = run.packages
    assert result["files"] <= 10_000
    assert result["verdict"] in ("review", "block")  # the cap is reported, never a silent pass
    assert any("more than 10000 files" in f["message"] for f in result["findings"])


# --- a crashing worker marks only its package `error` ---------------------------------------------

@pytest.mark.parametrize("group", [48, 1])  # one group; one package per group, several groups in flight
def test_crashed_worker_marks_only_that_package(tmp_path: Path, home: tuple[Path, str], group: int) -> None:
    good = skill(tmp_path, "good")
    (good / "fine.py").write_text("print(1)\n")
    (good / "more.py").write_text("print(1)\n")
    bad = skill(tmp_path, "bad")
    (bad / "crash.py").write_text("print(2)\n")
    (bad / "tool.js").write_text("console.log(2)\n")
    after = skill(tmp_path, "after")
    (after / "late.py").write_text("print(3)\n")
    (after / "tool.js").write_text("console.log(3)\n")
    script = tmp_path / "crash_scan.py"
    script.write_text(textwrap.dedent(f"""
        import json, os, sys
        import skillscan.analyzers as registry
        from skillscan.analyzers.base import FileResult

        class Crasher:
            name = "crasher"
            def applies(self, f):
                return f.path.endswith(".py")
            def analyze_file(self, package, f):
                if f.path == "crash.py":
                    os.abort()  # a native crash, as libcst segfaulting on deep nesting
                return FileResult()

        registry.file_analyzers.cache_clear()
        registry.file_analyzers = lambda: (Crasher(),)
        import skillscan.engine as engine
        engine.file_analyzers = registry.file_analyzers
        engine.GROUP_PACKAGES = {group}
        from skillscan.engine import ScanOptions, scan
        report = scan([{str(good)!r}, {str(bad)!r}, {str(after)!r}], ScanOptions(jobs=2, use_cache=False))
        print(json.dumps({{r.package.name: [r.verdict.decision.value, list(r.errors)] for r in report.results}}))
    """))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home[0])}
    proc = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_limit)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["bad"][0] == "error" and "crashed" in " ".join(out["bad"][1])
    assert out["good"][0] != "error" and out["after"][0] != "error"
    assert list(out) == ["good", "bad", "after"]
