"""Configuration: discovery order, schema validation, per-rule disable, severity remap, path
ignores, fail-on, and gate mode ignoring a configuration shipped inside the scanned package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clihelp import run_cli, scan_json, write_skill
from skillscan.config import ConfigError, load_config, read_config_file

RISKY = "allowed-tools: Bash\n"


def rule_ids(report: dict) -> list[str]:
    return [f["rule_id"] for p in report["packages"] for f in p["findings"]]


def test_no_config_means_defaults(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert load_config(None, cwd=tmp_path).path == ""


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.skillscan]\nfail-on = "review"\n')
    assert load_config(None, cwd=tmp_path).fail_on == "review"
    (tmp_path / "skillscan.toml").write_text('fail-on = "never"\n')
    assert load_config(None, cwd=tmp_path).fail_on == "never"
    env_file = tmp_path / "env.toml"
    env_file.write_text('fail-on = "block"\njobs = 1\n')
    monkeypatch.setenv("SKILLSCAN_CONFIG", str(env_file))
    assert load_config(None, cwd=tmp_path).jobs == 1
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("jobs = 3\n")
    assert load_config(str(explicit), cwd=tmp_path).jobs == 3


def test_schema_rejects_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    bad = tmp_path / "skillscan.toml"
    bad.write_text('fail-on = "sometimes"\n')
    with pytest.raises(ConfigError, match="fail-on"):
        read_config_file(bad)
    bad.write_text('[rules.unscoped-bash-preapproval]\nmute = true\n')
    with pytest.raises(ConfigError):
        read_config_file(bad)
    bad.write_text("not toml = = =\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        read_config_file(bad)


def test_invalid_config_is_a_usage_error(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", frontmatter=RISKY)
    cfg = tmp_path / "c.toml"
    cfg.write_text("jobs = -4\n")
    proc = run_cli("scan", "--config", str(cfg), "tool", cwd=tmp_path)
    assert proc.returncode == 2
    assert "jobs" in proc.stderr


def test_disable_remap_and_ignore(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write_skill(tmp_path / "skills", "tool", frontmatter=RISKY, body="Now: !`date`\n")
    base = scan_json("skills/tool", cwd=tmp_path)
    assert {"unscoped-bash-preapproval", "load-time-command"} <= set(rule_ids(base))

    (tmp_path / "skillscan.toml").write_text('[rules.unscoped-bash-preapproval]\ndisable = true\n')
    assert "unscoped-bash-preapproval" not in rule_ids(scan_json("skills/tool", cwd=tmp_path))

    (tmp_path / "skillscan.toml").write_text('[rules.load-time-command]\nseverity = "high"\n')
    found = [f for p in scan_json("skills/tool", cwd=tmp_path)["packages"] for f in p["findings"]
             if f["rule_id"] == "load-time-command"]
    assert found and found[0]["severity"] == "high"

    (tmp_path / "skillscan.toml").write_text('[rules.load-time-command]\nignore = ["skills/tool/SKILL.md:6"]\n')
    assert "load-time-command" not in rule_ids(scan_json("skills/tool", cwd=tmp_path))
    (tmp_path / "skillscan.toml").write_text('[rules.load-time-command]\nignore = ["skills/tool/SKILL.md:99"]\n')
    assert "load-time-command" in rule_ids(scan_json("skills/tool", cwd=tmp_path))

    (tmp_path / "skillscan.toml").write_text('exclude = ["skills/tool/SKILL.md"]\n')
    assert rule_ids(scan_json("skills/tool", cwd=tmp_path)) == []


def test_fail_on_from_config_and_cli_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    # a package that comes out `review`: its instructions run a script it does not ship
    write_skill(tmp_path, "tool", body="Run `./setup.sh` first.\n")
    assert scan_json("tool", cwd=tmp_path)["packages"][0]["verdict"] == "review"
    (tmp_path / "skillscan.toml").write_text('fail-on = "review"\n')
    assert run_cli("scan", "tool", cwd=tmp_path).returncode == 1
    assert run_cli("scan", "--fail-on", "never", "tool", cwd=tmp_path).returncode == 0  # the CLI wins
    assert run_cli("scan", "--no-config", "tool", cwd=tmp_path).returncode == 0  # default: fail on block
    (tmp_path / "skillscan.toml").write_text('fail-on = "never"\n')
    assert run_cli("scan", "tool", cwd=tmp_path).returncode == 0
    assert run_cli("scan", "--fail-on", "review", "tool", cwd=tmp_path).returncode == 1


def test_gate_mode_ignores_config_inside_the_scanned_package(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    pkg = write_skill(tmp_path, "evil", frontmatter=RISKY)
    (pkg / "skillscan.toml").write_text('[rules.unscoped-bash-preapproval]\ndisable = true\n')
    # scanning from inside the package: the package's own config would silence it
    gate = scan_json(".", cwd=pkg)
    assert "unscoped-bash-preapproval" in rule_ids(gate)
    author = scan_json(".", "--author", cwd=pkg)
    assert "unscoped-bash-preapproval" not in rule_ids(author)


def test_config_names_policy_relative_to_itself(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "skillscan.toml"
    cfg.parent.mkdir()
    cfg.write_text('policy = "gate.yaml"\nbaseline = "base.json"\n')
    loaded = read_config_file(cfg)
    assert loaded.policy == str(cfg.parent / "gate.yaml")
    assert loaded.baseline == str(cfg.parent / "base.json")


def test_published_schema_is_valid_json_schema() -> None:
    import jsonschema

    from skillscan.catalog import rules_dir

    schema = json.loads((rules_dir() / "schemas" / "config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
