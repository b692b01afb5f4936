"""skillscan.purpose.domains and .paths: registrable domains from the shipped public-suffix
snapshot (never the network), and the home-anchored path spelling."""

from __future__ import annotations

import socket

import pytest

from skillscan.purpose import domains
from skillscan.purpose.domains import host_info, host_within, normalize_host, registrable_domain, same_site
from skillscan.purpose.paths import glob_match, normalize_path


@pytest.mark.parametrize("value,expected", [
    ("api.telegram.org", "telegram.org"),
    ("https://user:pw@API.GitHub.com:443/repos?x#y", "github.com"),
    ("a.b.example.co.uk", "example.co.uk"),
    ("alice.github.io", "alice.github.io"),  # PSL private section: each user is its own site
    ("x.trycloudflare.com.", "x.trycloudflare.com"),
    ("dashscope.aliyuncs.com", "aliyuncs.com"),
    ("127.0.0.1", None), ("[::1]:8080", None), ("8.8.8.8", None), ("192.168.1.20", None),
    ("localhost", None), ("app.localhost", None), ("intranet", None), ("printer.local", None),
    ("co.uk", None), ("", None), ("bad host.com", None),
])
def test_registrable_domain(value: str, expected: str | None) -> None:
    assert registrable_domain(value) == expected


@pytest.mark.parametrize("value,kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("0.0.0.0", "loopback"), ("localhost", "loopback"),
    ("10.0.0.5", "private-ip"), ("[fe80::1]", "private-ip"), ("1.2.3.4", "ip"), ("[2606:4700::1111]", "ip"),
    ("intranet", "single-label"), ("nas.lan", "unlisted"), ("com", "single-label"), ("co.uk", "public-suffix"),
    ("api.openai.com", "domain"), ("a..b.com", "invalid"), ("", "invalid"),
])
def test_host_kinds(value: str, kind: str) -> None:
    assert host_info(value).kind == kind


def test_private_suffix_flag() -> None:
    assert host_info("bob.ngrok-free.app").private_suffix
    assert not host_info("api.stripe.com").private_suffix


def test_same_site_and_within() -> None:
    assert same_site("api.digitalocean.com", "https://cloud.digitalocean.com/x")
    assert not same_site("alice.github.io", "bob.github.io")
    assert not same_site("127.0.0.1", "127.0.0.1")  # no registrable domain: never "same site"
    assert not same_site("evil-digitalocean.com", "api.digitalocean.com")
    assert host_within("api.slack.com", "slack.com") and host_within("slack.com", "slack.com")
    assert not host_within("notslack.com", "slack.com")


def test_normalize_host() -> None:
    assert normalize_host("HTTPS://Example.COM:8443/path") == "example.com"
    assert normalize_host("[2001:db8::1]:443") == "2001:db8::1"
    assert normalize_host("//cdn.example.org/x") == "cdn.example.org"


def test_snapshot_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh extractor answers with every socket refused: the snapshot ships in the package."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network use")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    domains._extractor.cache_clear()
    domains.host_info.cache_clear()
    assert registrable_domain("api.example.com.au") == "example.com.au"


@pytest.mark.parametrize("raw,expected", [
    ("~/.ssh/id_rsa", "~/.ssh/id_rsa"), ("$HOME/.ssh", "~/.ssh"), ("${HOME}/.claude/skills/x", "~/.claude/skills/x"),
    ("%USERPROFILE%\\.ssh\\id_rsa", "~/.ssh/id_rsa"), ("$env:USERPROFILE\\.codex", "~/.codex"),
    ("/home/bob/.aws/credentials", "~/.aws/credentials"), ("/Users/amy/Library/Keychains", "~/Library/Keychains"),
    ("C:\\Users\\bob\\.codex\\auth.json", "~/.codex/auth.json"), ("/root/.netrc", "~/.netrc"),
    ("%APPDATA%\\Code\\User", "~/AppData/Roaming/Code/User"), ("${XDG_CONFIG_HOME}/gh", "~/.config/gh"),
    ("./.claude/settings.json", ".claude/settings.json"), ('"~/My Files/a"', "~/My Files/a"),
    ("/etc//passwd", "/etc/passwd"), ("$HOMEBREW_PREFIX/bin", "$HOMEBREW_PREFIX/bin"),
])
def test_normalize_path(raw: str, expected: str) -> None:
    assert normalize_path(raw) == expected


def test_glob_match() -> None:
    assert glob_match("~/.ssh/**", "$HOME/.ssh/id_ed25519")
    assert glob_match("~/.ssh/**", "~/.ssh")
    assert glob_match("~/.ssh/**", "~/.ssh/*")  # a path written as a glob
    assert not glob_match("~/.ssh/**", "~/.sshkeys/a")
    assert glob_match("**/id_rsa", "id_rsa") and glob_match("**/id_rsa", "/srv/keys/id_rsa")
    assert not glob_match("**/id_rsa", "/srv/keys/id_rsa.pub")
    assert glob_match("~/.config/*/token", "~/.config/hub/token")
    assert not glob_match("~/.config/*/token", "~/.config/a/b/token")
