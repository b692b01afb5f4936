"""Miners as data (issue 16): the pool host a miner rule finds joins the inferred egress, the whole host
name around the match (`pool.supportxmr.com`, not only `supportxmr.com`)."""

from __future__ import annotations

from skillscan.analyzers.yara import YaraAnalyzer
from skillscan.loaders.files import make_file
from skillscan.model import Package

PKG = Package(input=".", root=".", format="generic", name="t")


def egress(path: str, text: str) -> set[str]:
    findings = YaraAnalyzer().analyze_file(PKG, make_file(path, text.encode())).findings
    return {str(c) for f in findings for c in f.capabilities if c.kind == "net.egress"}


def test_pool_hosts_join_the_egress() -> None:
    cfg = '{"pools": [{"url": "pool.supportxmr.com:443", "user": "worker", "pass": "x"}]}'
    assert egress("scripts/config.json", cfg) == {"net.egress[pool.supportxmr.com]"}
    assert egress("run.sh", "POOL=stratum+tcp://mine.pool-example.net:3333\n") == {"net.egress[mine.pool-example.net]"}
    assert egress("a.py", 'U = "https://api.nanopool.org/v1/xmr/"\n') == {"net.egress[api.nanopool.org]"}


def test_no_miner_no_pool_egress() -> None:
    assert egress("scripts/config.json", '{"servers": [{"url": "api.example.com:443", "user": "svc"}]}') == set()
