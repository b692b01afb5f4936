"""Remote sources against a local HTTP server on 127.0.0.1 — never another host."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from clihelp import run_cli
from httpfixture import oversized, redirect, serve, slow, truncated
from skillscan.loaders.discover import load_remote
from skillscan.loaders.remote import FetchLimits, RemoteError, fetch, is_remote, resolve

SKILL = b"---\nname: hello\ndescription: Says hello.\n---\nSay hello.\n"


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def tgz_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_is_remote() -> None:
    assert is_remote("https://x.example/a.zip") and is_remote("github:a/b") and is_remote("npm:x@1")
    assert not is_remote("skills/hello") and not is_remote("./github:a")


def test_https_archive_and_redirect(cache: Path) -> None:
    with serve() as srv:
        srv.routes["/hello.zip"] = zip_bytes({"hello/SKILL.md": SKILL})
        srv.routes["/go"] = redirect("/hello.zip")
        pkgs = load_remote(f"{srv.base}/go")
    assert [p.format for p in pkgs] == ["agent-skill"]
    assert pkgs[0].name == "hello"
    assert pkgs[0].input.endswith("/go")


def test_plain_http_only_for_loopback() -> None:
    with pytest.raises(RemoteError, match="loopback"):
        fetch("http://example.com/x.zip")
    with pytest.raises(RemoteError, match="scheme"):
        fetch("ftp://127.0.0.1/x.zip")


def test_redirect_loop_is_bounded() -> None:
    with serve() as srv:
        srv.routes["/a"] = redirect("/b")
        srv.routes["/b"] = redirect("/a")
        with pytest.raises(RemoteError, match="redirects"):
            fetch(f"{srv.base}/a")


def test_credentials_are_not_forwarded_across_hosts() -> None:
    with serve() as srv:
        srv.routes["/start"] = redirect(f"http://localhost:{srv.port}/landing")
        srv.routes["/landing"] = b"ok"
        url = srv.base.replace("http://", "http://user:secret@") + "/start"
        assert fetch(url) == b"ok"
        landing = [h for p, h in srv.requests if p == "/landing"]
        start = [h for p, h in srv.requests if p == "/start"]
    assert start and "authorization" in start[0]
    assert landing and "authorization" not in landing[0]


def test_slow_response_times_out() -> None:
    with serve() as srv:
        srv.routes["/slow"] = slow(3.0)
        with pytest.raises(RemoteError, match="timed out"):
            fetch(f"{srv.base}/slow", FetchLimits(read_timeout=0.5, connect_timeout=0.5))


def test_oversized_declared_and_streamed() -> None:
    with serve() as srv:
        srv.routes["/declared"] = oversized(True, 5 * 1024 * 1024)
        srv.routes["/streamed"] = oversized(False, 5 * 1024 * 1024)
        limits = FetchLimits(max_bytes=1024 * 1024)
        with pytest.raises(RemoteError, match="cap"):
            fetch(f"{srv.base}/declared", limits)
        with pytest.raises(RemoteError, match="cap"):
            fetch(f"{srv.base}/streamed", limits)


def test_truncated_response() -> None:
    with serve() as srv:
        srv.routes["/t"] = truncated(b"PK\x03\x04partial", 10_000)
        with pytest.raises(RemoteError, match="truncated|broken"):
            fetch(f"{srv.base}/t")


def test_wrong_content_and_http_errors(cache: Path) -> None:
    with serve() as srv:
        srv.routes["/page"] = b"<html>not an archive</html>"
        with pytest.raises(RemoteError, match="not a zip or tar"):
            resolve(f"{srv.base}/page")
        with pytest.raises(RemoteError, match="HTTP 404"):
            resolve(f"{srv.base}/missing.zip")
        pkgs = load_remote(f"{srv.base}/missing.zip")
    assert pkgs[0].format == "unknown" and "404" in pkgs[0].errors[0]


def test_github_codeload_with_ref_and_subdir(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tarball = tgz_bytes({"repo-v1/README.md": b"# repo\n", "repo-v1/skills/hello/SKILL.md": SKILL,
                         "repo-v1/skills/other/SKILL.md": SKILL.replace(b"hello", b"other")})
    with serve() as srv:
        srv.routes["/acme/repo/tar.gz/v1"] = tarball
        monkeypatch.setenv("SKILLSCAN_GITHUB_URL", srv.base)
        all_pkgs = load_remote("github:acme/repo@v1")
        one = load_remote("github:acme/repo@v1//skills/hello")
        none = load_remote("github:acme/repo@v1//skills/absent")
    assert sorted(p.name for p in all_pkgs if p.format == "agent-skill") == ["hello", "other"]
    assert [p.name for p in one] == ["hello"]
    assert none[0].format == "unknown" and "absent" in none[0].errors[0]


def test_clawhub_download_api(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve() as srv:
        srv.routes["/api/v1/download"] = zip_bytes({"SKILL.md": SKILL})
        monkeypatch.setenv("SKILLSCAN_CLAWHUB_URL", srv.base)
        pkgs = load_remote("clawhub:alice/hello@1.2.0")
        query = [p for p, _ in srv.requests if p.startswith("/api/v1/download")][0]
    assert "slug=hello" in query and "ownerHandle=alice" in query and "version=1.2.0" in query
    assert pkgs[0].format == "agent-skill"


def test_npm_metadata_then_tarball_with_integrity(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tarball = tgz_bytes({"package/package.json": b'{"name": "mcp-hello", "version": "1.0.0"}',
                         "package/index.js": b"console.log('hi')\n"})
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    with serve() as srv:
        srv.routes["/mcp-hello/1.0.0"] = json.dumps(
            {"dist": {"tarball": f"{srv.base}/t/mcp-hello-1.0.0.tgz", "integrity": integrity}}).encode()
        srv.routes["/t/mcp-hello-1.0.0.tgz"] = tarball
        srv.routes["/bad/1.0.0"] = json.dumps(
            {"dist": {"tarball": f"{srv.base}/t/mcp-hello-1.0.0.tgz", "integrity": "sha512-AAAA"}}).encode()
        monkeypatch.setenv("SKILLSCAN_NPM_REGISTRY", srv.base)
        pkgs = load_remote("npm:mcp-hello@1.0.0")
        bad = load_remote("npm:bad@1.0.0")
    assert pkgs and pkgs[0].format != "unknown"
    assert any(f.path.endswith("index.js") for f in pkgs[0].files)
    assert bad[0].format == "unknown" and "integrity" in bad[0].errors[0]


def test_pypi_sdist_checked_and_cached(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sdist = tgz_bytes({"mcp_hello-1.0/pyproject.toml": b'[project]\nname = "mcp-hello"\n',
                       "mcp_hello-1.0/mcp_hello/__init__.py": b"import os\n"})
    meta = lambda base, digest: json.dumps({"urls": [
        {"packagetype": "bdist_wheel", "url": f"{base}/x.whl"},
        {"packagetype": "sdist", "url": f"{base}/f/mcp_hello-1.0.tar.gz", "filename": "mcp_hello-1.0.tar.gz",
         "digests": {"sha256": digest}}]}).encode()
    with serve() as srv:
        srv.routes["/pypi/mcp-hello/1.0/json"] = meta(srv.base, hashlib.sha256(sdist).hexdigest())
        srv.routes["/pypi/wrong/1.0/json"] = meta(srv.base, "0" * 64)
        srv.routes["/f/mcp_hello-1.0.tar.gz"] = sdist
        monkeypatch.setenv("SKILLSCAN_PYPI_URL", srv.base)
        first = load_remote("pypi:mcp-hello==1.0")
        downloads = sum(1 for p, _ in srv.requests if p.startswith("/f/"))
        second = load_remote("pypi:mcp-hello==1.0")
        downloads_after = sum(1 for p, _ in srv.requests if p.startswith("/f/"))
        wrong = load_remote("pypi:wrong==1.0")
    assert first[0].sha256 == second[0].sha256 and first[0].format != "unknown"
    assert downloads == 1 and downloads_after == 1  # the second came from the digest cache
    assert wrong[0].format == "unknown" and "sha256" in wrong[0].errors[0]


def test_malformed_specs() -> None:
    for spec in ("github:nope", "clawhub:", "npm:pkg", "pypi:pkg"):
        pkgs = load_remote(spec)
        assert pkgs[0].format == "unknown", spec
        assert "expected" in pkgs[0].errors[0]


def test_remote_through_the_cli(tmp_path: Path, cache: Path) -> None:
    with serve() as srv:
        srv.routes["/hello.zip"] = zip_bytes({"hello/SKILL.md": SKILL})
        proc = run_cli("scan", "--format", "json", f"{srv.base}/hello.zip", f"{srv.base}/nope.zip", cwd=tmp_path,
                       env={"SKILLSCAN_CACHE_DIR": str(cache)})
    report = json.loads(proc.stdout)
    verdicts = {p["input"].rsplit("/", 1)[1]: p["verdict"] for p in report["packages"]}
    assert verdicts["hello.zip"] == "allow"
    assert verdicts["nope.zip"] == "error"
    assert proc.returncode == 2
