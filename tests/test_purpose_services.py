"""rules/purpose/services.yaml: valid against its schema, internally consistent, and indexed by
skillscan.purpose.services."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from skillscan.purpose.domains import host_info, host_within, registrable_domain
from skillscan.purpose.services import TableError, build_table, load_table

REPO = Path(__file__).resolve().parent.parent
DATA = yaml.safe_load((REPO / "rules" / "purpose" / "services.yaml").read_text(encoding="utf-8"))


def test_schema_valid() -> None:
    schema = json.loads((REPO / "rules" / "schemas" / "services.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(DATA)]
    assert errors == []


def test_schema_rejects_bad_entries() -> None:
    schema = json.loads((REPO / "rules" / "schemas" / "services.schema.json").read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(DATA))
    bad["services"]["telegram"]["domains"] = ["Telegram Org"]
    bad["services"]["telegram"]["env_prefixes"] = ["telegram"]
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert len(errors) >= 2


def test_at_least_sixty_services() -> None:
    assert len(DATA["services"]) >= 60


def test_hosts_lie_under_the_service_domains() -> None:
    for sid, svc in DATA["services"].items():
        for host in svc.get("hosts", []):
            assert any(host_within(host, d) for d in svc["domains"]), (sid, host)


def test_domains_are_real_names_under_a_public_suffix() -> None:
    """Each is a registrable domain or a subdomain of one, or a service-run suffix of the PSL's
    private section (githubusercontent.com)."""
    for sid, svc in DATA["services"].items():
        for d in svc["domains"]:
            assert host_info(d).kind in ("domain", "public-suffix"), (sid, d)
            assert registrable_domain(d) is not None or host_info(d).private_suffix, (sid, d)


def test_no_service_host_is_a_sink() -> None:
    table = load_table()
    for svc in table.services:
        for host in (*svc.hosts, *svc.domains):
            assert table.sink(host) is None, (svc.id, host, table.sink(host))


def test_service_files_are_not_credential_stores() -> None:
    """A store is never coherent; a service's own file may be: the two lists must not overlap."""
    table = load_table()
    for svc in table.services:
        for f in svc.files:
            assert table.credential_store(f.replace("**", "x")) is None, (svc.id, f)


def test_env_prefixes_cover_the_listed_names_or_none() -> None:
    for sid, svc in DATA["services"].items():
        for p in svc.get("env_prefixes", []):
            assert p.endswith("_") and p.isupper(), (sid, p)


@pytest.mark.parametrize("host,service", [
    ("api.telegram.org", "telegram"), ("https://api.digitalocean.com/v2/droplets", "digitalocean"),
    ("api.github.com", "github"), ("hooks.slack.com", "slack"), ("discord.com", "discord"),
    ("api.openai.com", "openai"), ("api.anthropic.com", "anthropic"), ("s3.us-west-2.amazonaws.com", "aws"),
    ("api.cloudflare.com", "cloudflare"), ("api.stripe.com", "stripe"), ("api.notion.com", "notion"),
    ("api.linear.app", "linear"), ("acme.atlassian.net", "atlassian"), ("o1.ingest.sentry.io", "sentry"),
    ("api.datadoghq.com", "datadog"), ("huggingface.co", "huggingface"), ("registry-1.docker.io", "docker-hub"),
    ("registry.npmjs.org", "npm"), ("upload.pypi.org", "pypi"), ("api.vercel.com", "vercel"),
    ("api.netlify.com", "netlify"), ("xyz.supabase.co", "supabase"), ("api.twilio.com", "twilio"),
    ("api.sendgrid.com", "sendgrid"), ("generativelanguage.googleapis.com", "google-gemini"),
])
def test_for_host(host: str, service: str) -> None:
    assert service in [s.id for s in load_table().for_host(host)]


def test_for_host_most_specific_first_and_no_lookalikes() -> None:
    table = load_table()
    assert table.for_host("generativelanguage.googleapis.com")[0].id == "google-gemini"
    assert table.for_host("api.telegram.org.evil.com") == ()
    assert table.for_host("evilgithub.com") == ()


@pytest.mark.parametrize("name,service", [
    ("TELEGRAM_BOT_TOKEN", "telegram"), ("DO_API_TOKEN", "digitalocean"), ("DIGITALOCEAN_TOKEN", "digitalocean"),
    ("GITHUB_TOKEN", "github"), ("GH_TOKEN", "github"), ("OPENAI_API_KEY", "openai"),
    ("OPENAI_SOMETHING_NEW", "openai"), ("AWS_SECRET_ACCESS_KEY", "aws"), ("HF_TOKEN", "huggingface"),
])
def test_for_env(name: str, service: str) -> None:
    assert service in [s.id for s in load_table().for_env(name)]


def test_for_env_unknown_and_bare_prefix() -> None:
    table = load_table()
    assert table.for_env("MY_WEATHER_KEY") == ()
    assert table.for_env("AWS_") == ()  # a prefix alone names nothing


def test_for_tool_and_file() -> None:
    table = load_table()
    assert [s.id for s in table.for_tool("doctl")] == ["digitalocean"]
    assert [s.id for s in table.for_tool("/usr/local/bin/gh")] == ["github"]
    assert [s.id for s in table.for_tool("C:\\tools\\gh.exe")] == ["github"]
    assert table.for_tool("ls") == ()
    assert [s.id for s in table.for_file("$HOME/.config/doctl/config.yaml")] == ["digitalocean"]
    assert [s.id for s in table.for_file("%USERPROFILE%\\.aws\\credentials")] == ["aws"]
    assert table.for_file("~/notes.txt") == ()


@pytest.mark.parametrize("host,category", [
    ("pastebin.com", "paste"), ("https://webhook.site/abc", "request-catcher"), ("x.oast.fun", "request-catcher"),
    ("transfer.sh", "file-drop"), ("mega.nz", "file-hosting"), ("abc.ngrok-free.app", "tunnel"), ("foo.trycloudflare.com", "tunnel"),
    ("me.github.io", "free-hosting"), ("app.vercel.app", "free-hosting"), ("bit.ly", "url-shortener"),
    ("http://45.9.148.3:8080/x", "raw-ip"),
])
def test_sinks(host: str, category: str) -> None:
    match = load_table().sink(host)
    assert match is not None and match.category == category


@pytest.mark.parametrize("host", ["github.io", "vercel.app", "127.0.0.1", "10.1.2.3", "localhost",
                                  "api.telegram.org", "api.github.com", "notpastebin.com"])
def test_not_sinks(host: str) -> None:
    assert load_table().sink(host) is None


@pytest.mark.parametrize("path,kind", [
    ("~/.ssh/id_rsa", "ssh"), ("$HOME/.ssh/config", "ssh"), ("/home/u/keys/id_ed25519", "ssh"),
    ("~/Library/Application Support/Google/Chrome/Default/Login Data", "browser"),
    ("~/.git-credentials", "git-credentials"), ("~/.claude/.credentials.json", "agent-credentials"),
    ("%USERPROFILE%\\.gnupg\\secring.gpg", "gpg"), ("/etc/shadow", "system"),
])
def test_credential_stores(path: str, kind: str) -> None:
    assert load_table().credential_store(path) == kind


def test_not_credential_stores() -> None:
    table = load_table()
    for path in ("~/.ssh.txt", "~/.config/doctl/config.yaml", "~/.aws/config", "./id_rsa.pub"):
        assert table.credential_store(path) is None, path


def test_code_hosts() -> None:
    table = load_table()
    assert table.is_code_host("https://github.com/alice/weather")
    assert not table.is_code_host("api.github.com.evil.io")


def test_build_table_rejects_bad_shapes() -> None:
    with pytest.raises(TableError):
        build_table([])
    with pytest.raises(TableError):
        build_table({"services": {"x": {"label": "X", "domains": "x.com"}}})


def _hosts_to_ask(table: object) -> list[str]:
    """Every domain and sink suffix of the table, under a subdomain, one label short, with a port, a scheme,
    upper case, doubled dots, and hosts of no service: the shapes a scan asks about."""
    written = [d for s in table.services for d in s.domains] + [x for c in table.sinks for x in c.suffixes]  # type: ignore[attr-defined]
    out = ["", ".", "localhost", "203.0.113.7", "[::1]", "no-service.invalid", "a..b", "x." * 40 + "example"]
    for d in written:
        out += [d, "api." + d, "a.b." + d, d.split(".", 1)[-1], "x" + d, d.upper(), f"https://{d}:8443/p",
                d + ".", "." + d, "evil-" + d.replace(".", "-") + ".example"]
    return out


def test_host_lookups_answer_as_comparing_every_domain() -> None:
    """`for_host` and `sink` look a host up by its label suffixes; they answer exactly what comparing the host
    with every service domain and sink suffix (`host_within`) answers, in the same order."""
    table = load_table()

    def for_host(host: str) -> tuple[object, ...]:
        scored = []
        for svc in table.services:
            best = max((len(d) for d in svc.domains if host_within(host, d)), default=0)
            if best:
                scored.append((-best, svc.id, svc))
        return tuple(s for _, _, s in sorted(scored))

    def sink(host: str) -> object:
        info = host_info(host)
        if info.kind == "ip" or not info.host or info.kind == "invalid":
            return table.sink(host)  # not a lookup by domain
        for cat in table.sinks:
            for suffix in cat.suffixes:
                if host_within(info.host, suffix) and not (cat.subdomains_only and info.host == suffix):
                    return cat.id, suffix
        return None

    hosts = _hosts_to_ask(table)
    assert len(hosts) > 1000
    for host in hosts:
        assert table.for_host(host) == for_host(host), host
        got = table.sink(host)
        want = sink(host)
        assert (got if got is None or not isinstance(want, tuple) else (got.category, got.matched)) == want, host
