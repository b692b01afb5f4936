"""Package-index redirection (skillscan/analyzers/shell/pkgindex.py): how one index value is judged, and how
configuration text and `config set` commands are read. The annotated samples in tests/rules/shell-package-index
cover the commands, files and writes end to end."""

from __future__ import annotations

import pytest

from skillscan.analyzers.shell.pkgindex import _config_set, config_risks, index_risk, is_config_file


@pytest.mark.parametrize("value", [
    "https://pypi.org/simple", "https://pypi.tuna.tsinghua.edu.cn/simple", "https://download.pytorch.org/whl/cu121",
    "https://registry.npmmirror.com", "https://acme.pkgs.visualstudio.com/_packaging/feed/npm/registry/",
    "https://acme.jfrog.io/artifactory/api/pypi/pypi/simple", "http://localhost:3141/root/dev/+simple/",
    "http://10.1.2.3/simple", "https://pkgs.example.com/simple", "https://repo.corp/simple", "$PIP_INDEX_URL",
    "https://<your-index>/simple", "{registry}", "./wheels", "/opt/wheels", "conda-forge", "",
])
def test_public_local_placeholder_and_hosting_indexes_are_not_risks(value: str) -> None:
    assert index_risk(value) is None


def test_unknown_host_is_a_review_risk_and_says_why() -> None:
    risk = index_risk("https://pkgs.fastpkg.dev/simple")
    assert risk is not None and not risk.high and risk.host == "pkgs.fastpkg.dev"
    assert "neither PyPI nor a known public mirror" in risk.describe("pypi")


def test_plain_http_is_said_but_does_not_block_alone() -> None:
    risk = index_risk("http://pkgs.fastpkg.dev/simple")
    assert risk is not None and risk.reasons == ("plain http",) and not risk.high


def test_raw_public_ip_and_turned_off_tls_block() -> None:
    ip = index_risk("https://203.0.113.7/simple")
    assert ip is not None and ip.high and ip.reasons == ("a raw IP address",)
    trusted = index_risk("https://pkgs.fastpkg.dev/simple", insecure=["pkgs.fastpkg.dev"])
    assert trusted is not None and trusted.high
    other = index_risk("https://pkgs.fastpkg.dev/simple", insecure=["elsewhere.dev"])
    assert other is not None and not other.high


def test_npmrc_registry_with_strict_ssl_off() -> None:
    found = config_risks("registry=https://registry.fastpkg.dev/\nstrict-ssl=false\n")
    assert [(line, key) for line, key, _ in found] == [(0, "registry")]
    assert found[0][2].high and "strict-ssl false" in found[0][2].reasons[0]


def test_scoped_registry_and_yarnrc_yml_keys() -> None:
    assert [k for _, k, _ in config_risks("@acme:registry=https://npm.fastpkg.dev/\n")] == ["@acme:registry"]
    assert [k for _, k, _ in config_risks('npmRegistryServer: "https://npm.fastpkg.dev"\n')] == ["npmregistryserver"]


def test_pip_conf_continuation_lines_and_sections() -> None:
    text = "[global]\nindex-url = https://pypi.org/simple\nextra-index-url =\n    https://a.fastpkg.dev/simple\n" \
           "    https://pypi.tuna.tsinghua.edu.cn/simple\ntimeout = 60\n"
    assert [(line, r.host) for line, _, r in config_risks(text)] == [(3, "a.fastpkg.dev")]


def test_requirements_options() -> None:
    text = "-i https://pkgs.fastpkg.dev/simple\n--extra-index-url=https://pypi.org/simple\nrequests==2.31.0\n" \
           "--find-links https://wheels.fastpkg.dev/links.html\n"
    assert [(line, key) for line, key, _ in config_risks(text, requirements=True)] == [(0, "-i"), (3, "--find-links")]


def test_other_keys_are_not_indexes() -> None:
    assert config_risks("homepage=https://fastpkg.dev\nproxy=http://proxy.fastpkg.dev:8080\n") == []


@pytest.mark.parametrize(("argv", "expected"), [
    (["config", "set", "registry", "https://r.dev"], ("registry", "https://r.dev")),
    (["config", "set", "registry=https://r.dev"], ("registry", "https://r.dev")),
    (["set", "registry", "https://r.dev"], ("registry", "https://r.dev")),
    (["config", "set", "--global", "global.index-url", "https://r.dev"], ("global.index-url", "https://r.dev")),
    (["config", "--add", "channels", "https://r.dev/chan"], ("channels", "https://r.dev/chan")),
    (["config", "get", "registry"], None),
    (["install", "registry"], None),
])
def test_config_set_forms(argv: list[str], expected: tuple[str, str] | None) -> None:
    assert _config_set(argv) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("requirements.txt", True), ("requirements-dev.txt", True), ("constraints.txt", True), ("web/.npmrc", True),
    ("pip.conf", True), (".yarnrc.yml", True), ("uv.toml", True), ("notes.txt", False), ("package.json", False),
])
def test_config_files_by_name(path: str, expected: bool) -> None:
    assert is_config_file(path) is expected


def test_a_long_configuration_file_says_what_it_left_unread_and_how_many_it_did_not_list() -> None:
    from skillscan.analyzers.shell.pkgindex import MAX_LINES, MAX_REPORTS, config_file_findings
    from skillscan.loaders.files import make_file

    text = "".join(f"@s{i}:registry=https://npm{i}.fastpkg.dev/\n" for i in range(MAX_REPORTS + 2))
    found = config_file_findings(make_file(".npmrc", (text + "# x\n" * MAX_LINES).encode()))
    redirects = [f for f in found if f.rule_id == "package-index-redirect"]
    assert len(redirects) == MAX_REPORTS and "2 more" in redirects[-1].message
    assert any(f.rule_id == "analysis-incomplete" and f"{MAX_LINES:,} lines" in f.message for f in found)
    assert not [f for f in config_file_findings(make_file(".npmrc", text.encode())) if f.rule_id == "analysis-incomplete"]
