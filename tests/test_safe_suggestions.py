"""Suggested declarations are safe to paste (skillscan.permissions.safe): never unscoped shell, never a
host a finding marks as malicious or throwaway, never a scope a parser may have mis-read."""

from __future__ import annotations

import pytest

from skillscan.model import Capability
from skillscan.permissions.safe import safe_to_suggest


@pytest.mark.parametrize("text", [
    "proc.shell",
    "net.egress[45.61.170.22]",               # a raw public IP
    "net.egress[pastebin.com]",               # a paste sink
    "net.egress[webhook.site]",               # a request catcher
    "code.remote[http://tools.example.net/install.sh]",  # plain http
    "code.remote[https://45.61.170.22/x.sh]",
    "fs.write[$WORK/+repage]",                # an ImageMagick option read as a path
    "fs.write[$WORK/[--repo]",                # a bracketed option read as a path
    "fs.read[$WORK/a b]",
    "proc.exec[-rf]",
    "proc.exec[$(id)]",
])
def test_unsafe_capabilities_are_never_suggested(text: str) -> None:
    assert not safe_to_suggest(Capability.parse(text))


@pytest.mark.parametrize("text", [
    "net.egress[api.github.com]",
    "net.egress[api.telegram.org]",
    "net.egress[search]",
    "net.egress[localhost]",
    "code.remote[https://get.docker.com]",
    "fs.write[$WORK/out/report.md]",
    "fs.read[~/.config/tool/config.toml]",
    "fs.write[/tmp/build]",
    "proc.exec[git]",
    "env.read[GITHUB_TOKEN]",
])
def test_ordinary_capabilities_are_suggested(text: str) -> None:
    assert safe_to_suggest(Capability.parse(text))
