"""Remote sources over real TLS: a private CA made here, an HTTPS server and a CONNECT proxy on
127.0.0.1. The trust store (--ca-bundle, SSL_CERT_FILE), HTTPS_PROXY / NO_PROXY, and the check
on every redirect hop."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from clihelp import run_cli
from tlsfixture import Pki, connect_proxy, https_server, make_pki

from skillscan.loaders.transport import HopError, check_hop
from skillscan.loaders.remote import RemoteError, fetch

SKILL = b"---\nname: hello\ndescription: Says hello.\n---\nSay hello.\n"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
              "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "SKILLSCAN_CA_BUNDLE")


def zipped() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello/SKILL.md", SKILL)
    return buf.getvalue()


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLSCAN_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture()
def server(pki: Pki) -> Iterator[object]:
    with https_server(pki) as srv:
        srv.routes["/hello.zip"] = zipped()
        yield srv


def test_private_ca_is_refused_without_trust_and_accepted_with_ssl_cert_file(clean_env: pytest.MonkeyPatch,
                                                                           pki: Pki, server: object) -> None:
    url = f"{server.base}/hello.zip"  # type: ignore[attr-defined]
    with pytest.raises(RemoteError, match="certificate not trusted.*system trust store.*--ca-bundle"):
        fetch(url)
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca_pem))
    assert fetch(url) == zipped()


def test_ca_bundle_option_through_the_cli(clean_env: pytest.MonkeyPatch, pki: Pki, server: object,
                                          tmp_path: Path) -> None:
    url = f"{server.base}/hello.zip"  # type: ignore[attr-defined]
    env = {"SKILLSCAN_CACHE_DIR": str(tmp_path / "cache")}
    refused = run_cli("scan", "--format", "json", "--fail-on", "never", "--no-cache", url, env=env)
    doc = json.loads(refused.stdout)
    assert doc["packages"][0]["verdict"] == "error"
    assert "certificate not trusted" in json.dumps(doc)
    ok = run_cli("scan", "--format", "json", "--no-cache", "--ca-bundle", str(pki.ca_pem), url, env=env)
    assert ok.returncode == 0, ok.stderr
    pkg = json.loads(ok.stdout)["packages"][0]
    assert pkg["format"] == "agent-skill" and pkg["verdict"] == "allow"
    missing = run_cli("scan", "--ca-bundle", str(tmp_path / "nope.pem"), url, env=env)
    assert missing.returncode == 2 and "--ca-bundle" in missing.stderr


def test_https_proxy_tunnels_and_no_proxy_bypasses(clean_env: pytest.MonkeyPatch, pki: Pki, server: object) -> None:
    url = f"{server.base}/hello.zip"  # type: ignore[attr-defined]
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca_pem))
    with connect_proxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        assert fetch(url) == zipped()
        assert proxy.connects == [url.split("//", 1)[1].split("/", 1)[0]]
        clean_env.setenv("NO_PROXY", "127.0.0.1")
        assert fetch(url) == zipped()
        assert len(proxy.connects) == 1  # the second download went direct
    assert server.requests == ["/hello.zip", "/hello.zip"]  # type: ignore[attr-defined]


def test_redirects_follow_through_the_proxy_and_each_hop_is_checked(clean_env: pytest.MonkeyPatch, pki: Pki,
                                                                     server: object) -> None:
    srv = server
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca_pem))
    port = srv.base.rsplit(":", 1)[1]  # type: ignore[attr-defined]
    srv.routes["/go"] = (302, "/hello.zip")  # type: ignore[attr-defined]
    srv.routes["/downgrade"] = (302, f"http://127.0.0.1:{port}/hello.zip")  # type: ignore[attr-defined]
    srv.routes["/ftp"] = (301, "ftp://127.0.0.1/hello.zip")  # type: ignore[attr-defined]
    with connect_proxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        assert fetch(f"{srv.base}/go") == zipped()  # type: ignore[attr-defined]
        host = srv.base.split("//", 1)[1]  # type: ignore[attr-defined]
        assert proxy.connects and set(proxy.connects) == {host}  # both hops went through the tunnel
    clean_env.delenv("HTTPS_PROXY")
    with pytest.raises(RemoteError, match="redirect to plain http"):
        fetch(f"{srv.base}/downgrade")  # type: ignore[attr-defined]
    with pytest.raises(RemoteError, match="scheme"):
        fetch(f"{srv.base}/ftp")  # type: ignore[attr-defined]
    assert "/hello.zip" in srv.requests  # type: ignore[attr-defined]


def test_hop_policy() -> None:
    check_hop("https://registry.example/x", first="https://registry.example/x")
    check_hop("http://127.0.0.1:8080/x", first="http://127.0.0.1:8080/x")
    for bad, first in (("http://example.com/x", "http://example.com/x"),
                       ("https://169.254.169.254/latest/meta-data", "https://registry.example/x"),
                       ("https://10.0.0.5/x", "https://registry.example/x"),
                       ("https://localhost/x", "https://registry.example/x"),
                       ("file:///etc/passwd", "https://registry.example/x")):
        with pytest.raises(HopError):
            check_hop(bad, first=first)
    check_hop("https://10.0.0.5/x", first="https://10.0.0.9/mirror")  # a scan that starts at a local mirror
