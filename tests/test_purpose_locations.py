"""rules/capabilities/agent_locations.yaml and skillscan.purpose.locations.classify_agent_path:
a package installing or updating itself, or keeping its own state, is not tampering; writing
another skill, the agent's settings, hooks, approvals or memory is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skillscan.purpose.locations import KINDS, build_locations, classify_agent_path, load_locations

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", [
    "~/.claude/skills/weather/SKILL.md", "$HOME/.claude/skills/weather", "${HOME}/.claude/skills/weather/",
    "%USERPROFILE%\\.claude\\skills\\weather", "/home/dev/.claude/skills/weather/scripts/run.py",
    ".claude/skills/weather", "./.claude/skills/weather/SKILL.md", "~/.openclaw/skills/weather",
    "~/.codex/skills/weather", "~/.agents/skills/weather", "~/.gemini/extensions/weather/gemini-extension.json",
    "~/.claude/commands/weather.md", "~/.cursor/skills/Weather", "~/.openclaw/workspace/skills/weather",
    "~/.claude/skills/<name>", "~/.claude/skills/{skill-name}/", "~/.openclaw/skills/$SKILL_NAME",
    "${CLAUDE_PLUGIN_ROOT}/scripts/install.sh", "{baseDir}/references/api.md",
])
def test_own_install(path: str) -> None:
    loc = classify_agent_path(path, "weather")
    assert loc.kind == "own-install", (path, loc)
    assert "own" in loc.reason


@pytest.mark.parametrize("path,entry", [
    ("~/.claude/skills/web-search/SKILL.md", "web-search"), ("$HOME/.openclaw/skills/other", "other"),
    (".claude/agents/reviewer.md", "reviewer.md"), ("~/.codex/skills/*", "*"), ("~/.claude/skills/*/SKILL.md", "*"),
    ("~/.claude/plugins/data/someone-else/db.json", "someone-else"),
])
def test_other_skill(path: str, entry: str) -> None:
    loc = classify_agent_path(path, "weather")
    assert loc.kind == "other-skill", (path, loc)
    assert loc.entry == entry


def test_own_name_normalised() -> None:
    assert classify_agent_path("~/.claude/skills/my_tool", "My-Tool").kind == "own-install"
    assert classify_agent_path("~/.claude/skills/weather", "@acme/weather").kind == "own-install"


def test_skills_root() -> None:
    loc = classify_agent_path("~/.claude/skills/", "weather")
    assert loc.kind == "skills-root" and loc.scope == "user"
    assert classify_agent_path(".agents/skills", "weather").scope == "project"


@pytest.mark.parametrize("path,agent", [
    ("~/.claude/settings.json", "claude-code"), ("$HOME/.claude/settings.local.json", "claude-code"),
    (".claude/settings.json", "claude-code"), ("/work/repo/.claude/settings.local.json", "claude-code"),
    ("~/.claude/hooks/pre.sh", "claude-code"), (".mcp.json", "claude-code"), ("~/.claude.json", "claude-code"),
    ("~/.codex/config.toml", "codex"), ("~/.codex/rules/default.rules", "codex"),
    ("~/.openclaw/openclaw.json", "openclaw"), ("~/.openclaw/exec-approvals.json", "openclaw"),
    ("~/.gemini/settings.json", "gemini-cli"), ("~/.gemini/policies/mine.toml", "gemini-cli"),
    ("~/.cursor/mcp.json", "cursor"), ("~/.codeium/windsurf/mcp_config.json", "windsurf"),
    ("%APPDATA%\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json", "cline"),
])
def test_agent_config(path: str, agent: str) -> None:
    loc = classify_agent_path(path, "weather")
    assert (loc.kind, loc.agent) == ("agent-config", agent), (path, loc)


@pytest.mark.parametrize("path", [
    "CLAUDE.md", "~/.claude/CLAUDE.md", "/repo/CLAUDE.md", "AGENTS.md", "./GEMINI.md", "~/.gemini/GEMINI.md",
    ".cursor/rules/style.mdc", ".cursorrules", ".windsurfrules", ".clinerules", "SOUL.md", "MEMORY.md",
    "~/.openclaw/workspace/MEMORY.md", ".github/copilot-instructions.md", "~/.claude/agent-memory/x/notes.md",
])
def test_agent_memory(path: str) -> None:
    assert classify_agent_path(path, "weather").kind == "agent-memory", path


@pytest.mark.parametrize("path", ["~/.claude/.credentials.json", "~/.codex/auth.json", "~/.gemini/oauth_creds.json",
                                  "~/.openclaw/credentials/whatsapp.json"])
def test_agent_credentials(path: str) -> None:
    assert classify_agent_path(path, "weather").kind == "agent-credentials", path


@pytest.mark.parametrize("path,names", [
    ("~/.config/weather/config.json", ()), ("$HOME/.weather/state.db", ()), ("~/.weatherrc", ()),
    ("~/.weather.json", ()), ("~/Library/Application Support/weather/x", ()), ("%APPDATA%\\weather\\cfg", ()),
    ("${CLAUDE_PLUGIN_DATA}/cache.json", ()), ("~/.claude/plugins/data/weather/events.jsonl", ()),
    ("~/.openclaw/tools/weather/bin/tool", ()), ("~/.config/openmeteo/key", ("openmeteo",)),
])
def test_own_state(path: str, names: tuple[str, ...]) -> None:
    loc = classify_agent_path(path, "weather", own_names=names)
    assert loc.kind == "own-state", (path, loc)


@pytest.mark.parametrize("path", ["~/.config/gh/hosts.yml", "~/.weatherman/x", "~/Documents/report.txt",
                                  "/tmp/out.json", "src/main.py", "~/.ssh/id_rsa", "~/.config"])
def test_not_agent_or_own(path: str) -> None:
    assert classify_agent_path(path, "weather").kind == "none", path


def test_own_copy_of_memory_file_inside_own_install() -> None:
    assert classify_agent_path("~/.claude/skills/weather/CLAUDE.md", "weather").kind == "own-install"
    assert classify_agent_path("~/.claude/skills/other/CLAUDE.md", "weather").kind == "other-skill"


def test_reasons_name_the_directory() -> None:
    loc = classify_agent_path("~/.openclaw/skills/other/SKILL.md", "weather")
    assert loc.reason == "another package's entry (other) in OpenClaw's skills directory ~/.openclaw/skills"


def test_table_shape() -> None:
    data = yaml.safe_load((REPO / "rules" / "capabilities" / "agent_locations.yaml").read_text(encoding="utf-8"))
    table = build_locations(data)
    assert table == load_locations()
    ids = {a.id for a in table.agents}
    assert {"claude-code", "codex", "cursor", "openclaw", "gemini-cli", "windsurf", "cline"} <= ids
    for agent in table.agents:
        for p in (*agent.skills, *agent.settings, *agent.memory, *agent.credentials, *agent.data):
            assert "\\" not in p and not p.startswith("./"), p
    assert set(KINDS) >= {classify_agent_path(p, "x").kind for p in ("~/.claude/skills", "CLAUDE.md", "/x")}
    with pytest.raises(ValueError):
        build_locations({"agents": {"a": {"skills": "not-a-list"}}})


@pytest.mark.parametrize("source,dest,kind", [
    (".", "~/.claude/skills/", "own-install"), ("./", "$HOME/.openclaw/skills", "own-install"),
    ("weather", "~/.openclaw/skills", "own-install"), ("/tmp/build/weather/", "~/.codex/skills", "own-install"),
    ("${CLAUDE_PLUGIN_ROOT}", "~/.claude/skills", "own-install"), ("<skill-dir>", "~/.claude/skills", "own-install"),
    ("other-skill", "~/.claude/skills/", "other-skill"), ("${CLAUDE_PLUGIN_ROOT}/payload", "~/.claude/skills", "other-skill"),
    ("x", "~/.claude/skills/weather", "own-install"), ("hooks.json", "~/.claude/settings.json", "agent-config"),
    ("notes.md", "~/Documents/", "none"),
])
def test_classify_copy(source: str, dest: str, kind: str) -> None:
    from skillscan.purpose.locations import classify_copy

    assert classify_copy(source, dest, "weather").kind == kind
