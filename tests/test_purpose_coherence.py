"""skillscan.purpose.stated and .coherence: the services a package says it is for (with the field
that said it), and whether that purpose explains an inferred fact, with a true sentence."""

from __future__ import annotations

import pytest

from skillscan.purpose.coherence import Coherence, EnvUse, FileRead, HostReached, ToolRun, judge
from skillscan.purpose.stated import Evidence, stated_purpose


def test_stated_from_each_field() -> None:
    p = stated_purpose(name="tg-alerts", description="Posts build results to a Telegram chat.",
                       homepage="https://docs.digitalocean.com/x", env=["GH_TOKEN"], hosts=["api.linear.app"],
                       tools=["doctl", "stripe"])
    got = {s.id: s.evidence for s in p.services}
    assert got["telegram"] == (Evidence("description", "Telegram"),)
    assert Evidence("homepage", "https://docs.digitalocean.com/x") in got["digitalocean"]
    assert Evidence("documented tool", "doctl") in got["digitalocean"]
    assert got["github"] == (Evidence("declared env var", "GH_TOKEN"),)
    assert got["linear"] == (Evidence("documented host", "api.linear.app"),)
    assert got["stripe"] == (Evidence("documented tool", "stripe"),)
    assert p.service("telegram").source() == "from its description"
    assert p.service("github").source() == "from its declared env var GH_TOKEN"


def test_stated_from_name_slug() -> None:
    p = stated_purpose(name="digitalocean-droplets")
    assert p.ids == {"digitalocean"} and p.service("digitalocean").source() == "from its name"
    assert "google-cloud" in stated_purpose(name="google_cloud_run").ids


@pytest.mark.parametrize("description,absent", [
    ("Linear regression helpers. Fits a model.", "linear"),       # sentence-initial common word
    ("Draws a linear gradient", "linear"),                       # lower case common word
    ("Notion: take notes.", "notion"),                           # sentence-initial
    ("Uses stripes of colour", "stripe"),                        # not a whole word
    ("Reads files from github.com.evil.io", "github"),           # word inside a longer host
    ("A sentry keeps watch", "sentry"),
])
def test_no_service_from_common_words(description: str, absent: str) -> None:
    assert absent not in stated_purpose(description=description).ids


def test_proper_names_and_chinese_names() -> None:
    assert "linear" in stated_purpose(description="Creates issues in Linear from chat.").ids
    assert "feishu-lark" in stated_purpose(description="把消息发送到飞书群").ids
    assert "dingtalk" in stated_purpose(description="钉钉机器人通知").ids


def test_code_host_homepage_states_nothing() -> None:
    p = stated_purpose(name="weather", homepage="https://github.com/alice/weather")
    assert p.ids == frozenset() and p.documented_sites == frozenset()


def test_documented_sites_exclude_services_and_sinks() -> None:
    p = stated_purpose(hosts=["api.open-meteo.com", "webhook.site", "api.github.com", "10.0.0.1"],
                       homepage="https://weather.example.org/docs")
    assert p.documented_sites == {"open-meteo.com", "example.org"}


def _p(**kw: object) -> object:
    return stated_purpose(**kw)  # type: ignore[arg-type]


def test_host_of_stated_service() -> None:
    c = judge(HostReached("https://api.telegram.org/bot1/sendMessage"),
              stated_purpose(name="notify", description="Sends a Telegram message when a job ends."))
    assert c == Coherence("explained", "reaches api.telegram.org — the skill's stated service (Telegram, from "
                                       "its description)", "telegram")


def test_host_of_unstated_service_and_unknown_host() -> None:
    p = stated_purpose(name="weather", description="Forecasts for a city.")
    c = judge(HostReached("api.openai.com"), p)
    assert c.status == "unexplained" and c.service == "openai"
    assert c.reason == "reaches api.openai.com — OpenAI, a service the skill does not state"
    assert judge(HostReached("collector.example.net"), p).status == "unexplained"


def test_documented_site_explains_its_hosts() -> None:
    p = stated_purpose(name="weather", hosts=["https://api.open-meteo.com/v1/forecast"])
    c = judge(HostReached("geocoding-api.open-meteo.com"), p)
    assert c.status == "explained" and "open-meteo.com, a site the skill's documentation or homepage names" in c.reason


def test_local_hosts() -> None:
    p = stated_purpose(name="local-llm")
    assert judge(HostReached("http://127.0.0.1:11434/api"), p).status == "explained"
    assert judge(HostReached("localhost:8080"), p).category == "loopback"
    assert judge(HostReached("192.168.1.4"), p).status == "unexplained"


@pytest.mark.parametrize("host,category", [
    ("https://webhook.site/x", "request-catcher"), ("pastebin.com", "paste"), ("a.ngrok-free.app", "tunnel"),
    ("http://45.9.148.3/up", "raw-ip"), ("me.github.io", "free-hosting"), ("bit.ly", "url-shortener"),
])
def test_sinks_are_never_coherent_whatever_is_claimed(host: str, category: str) -> None:
    # the package claims the sink as its own: documented, homepage, named
    p = stated_purpose(name="uploader", description=f"Uploads to {host}", homepage=f"https://{host}", hosts=[host])
    c = judge(HostReached(host), p)
    assert (c.status, c.category) == ("never", category)
    assert "no stated purpose makes coherent" in c.reason


def test_env_sent_to_own_service() -> None:
    p = stated_purpose(name="do-helper", env=["DO_API_TOKEN"])
    c = judge(EnvUse("DO_API_TOKEN", "https://api.digitalocean.com/v2/account", "the Authorization header"), p)
    assert c.status == "explained"
    assert c.reason == ("sends DO_API_TOKEN as the Authorization header to api.digitalocean.com — DigitalOcean's own "
                        "credential to its own API, the skill's stated service (DigitalOcean, from its declared env "
                        "var DO_API_TOKEN)")


def test_env_sent_to_another_service_or_sink() -> None:
    p = stated_purpose(name="tg-bot", env=["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY"])
    c = judge(EnvUse("OPENAI_API_KEY", "api.telegram.org"), p)
    assert c.status == "unexplained"
    assert c.reason == "sends OPENAI_API_KEY to api.telegram.org — a credential of OpenAI sent to another host (Telegram)"
    assert judge(EnvUse("TELEGRAM_BOT_TOKEN", "https://webhook.site/u"), p).status == "never"
    assert judge(EnvUse("TELEGRAM_BOT_TOKEN", "api.telegram.org"), p).status == "explained"


def test_own_service_token_unstated() -> None:
    c = judge(EnvUse("GITHUB_TOKEN", "api.github.com"), stated_purpose(name="weather"))
    assert c.status == "unexplained" and "does not state that service" in c.reason


def test_declared_unknown_env_to_documented_site() -> None:
    p = stated_purpose(name="weather", env=["OWM_KEY"], hosts=["api.openweathermap.org"])
    assert judge(EnvUse("OWM_KEY", "api.openweathermap.org"), p).status == "explained"
    assert judge(EnvUse("OWM_KEY", "collector.example.net"), p).status == "unexplained"
    assert judge(EnvUse("OWM_KEY"), p).reason == "reads OWM_KEY — an environment variable the skill declares"
    assert judge(EnvUse("SOME_TOKEN"), p).status == "unexplained"


def test_env_to_loopback() -> None:
    c = judge(EnvUse("OPENAI_API_KEY", "http://127.0.0.1:8000/v1", "the Authorization header"),
              stated_purpose(name="local"))
    assert c.status == "explained" and c.category == "loopback"


def test_whole_environment_is_never_coherent() -> None:
    p = stated_purpose(name="env-sync", description="Syncs your environment to Doppler", env=["DOPPLER_TOKEN"])
    c = judge(EnvUse(None, "api.doppler.com"), p)
    assert c.status == "never"
    assert c.reason == "sends the whole environment to api.doppler.com — no stated purpose makes the whole environment coherent"
    assert judge(EnvUse(None), p).reason.startswith("reads the whole environment")


def test_files() -> None:
    p = stated_purpose(name="do-helper", env=["DIGITALOCEAN_TOKEN"])
    c = judge(FileRead("$HOME/.config/doctl/config.yaml"), p)
    assert c.status == "explained" and c.service == "digitalocean"
    assert judge(FileRead("~/.aws/credentials"), p).status == "unexplained"
    # a credential store stays never, even for a package that names SSH or GitHub
    ssh = stated_purpose(name="ssh-manager", description="Manage GitHub SSH keys", env=["GITHUB_TOKEN"])
    c = judge(FileRead("~/.ssh/id_ed25519"), ssh)
    assert (c.status, c.category) == ("never", "ssh")
    assert judge(FileRead("~/.git-credentials"), ssh).status == "never"


def test_own_state_and_install_files() -> None:
    p = stated_purpose(name="weather")
    assert judge(FileRead("~/.config/weather/key.json"), p).category == "own-state"
    assert judge(FileRead("${CLAUDE_PLUGIN_ROOT}/config.json"), p).status == "explained"
    assert judge(FileRead("~/.claude/skills/other/config.json"), p).status == "unexplained"


def test_tools() -> None:
    p = stated_purpose(name="do-helper", env=["DO_API_TOKEN"], tools=["jq"])
    c = judge(ToolRun("/usr/local/bin/doctl"), p)
    assert c.reason == ("runs doctl — the CLI of the skill's stated service (DigitalOcean, from its declared env var "
                        "DO_API_TOKEN)")
    assert judge(ToolRun("jq"), p).category == "documented-tool"
    assert judge(ToolRun("gh"), p).status == "unexplained"
    assert judge(ToolRun("nc"), p).reason == "runs nc — a program the skill neither documents nor ties to a stated service"


def test_not_a_fact() -> None:
    with pytest.raises(TypeError):
        judge("api.github.com", stated_purpose())  # type: ignore[arg-type]
