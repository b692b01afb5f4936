"""`skillscan gate` end to end over the lp-* fixtures (every format): exact declared / undeclared /
unused / combination sets and suggestions, the verdict record and its schema, determinism, drift,
and the suggestion applied and rescanned. Needs the shell, python and semgrep engines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from clirun import FIXTURES, REPO, skillscan

from skillscan.loaders.frontmatter import parse_frontmatter

VERDICT_SCHEMA = REPO / "rules" / "schemas" / "verdict-v1.schema.json"
AS_OF = "2026-11-27"
LP = sorted(p.name for p in FIXTURES.glob("lp-*"))


def gate(*args: str, cwd: Path = REPO) -> tuple[dict[str, Any], int, str]:
    proc = skillscan("gate", "--no-config", "--as-of", AS_OF, "--jobs", "2", *args, cwd=cwd, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.returncode, proc.stdout


@pytest.fixture(scope="module")
def record() -> tuple[dict[str, Any], int, str]:
    return gate(*[f"fixtures/{n}" for n in LP])


def pkg(rec: dict[str, Any], name: str) -> dict[str, Any]:
    (p,) = [p for p in rec["packages"] if p["root"] == f"fixtures/{name}"]
    return p


def caps(p: dict[str, Any], key: str) -> set[str]:
    if key == "inferred":
        return {i["capability"] for i in p["capabilities"]["inferred"]}
    return set(p["capabilities"][key])


def test_record_validates_and_names_versions(record: tuple[dict[str, Any], int, str]) -> None:
    rec, code, _ = record
    jsonschema.validate(rec, json.loads(VERDICT_SCHEMA.read_text(encoding="utf-8")))
    assert rec["schema"] == "skillscan.verdict/v1" and rec["as_of"] == AS_OF
    assert rec["policy"]["name"] == "default" and len(rec["policy"]["digest"]) == 64
    assert len(rec["rules"]["digest"]) == 64 and rec["tool"]["version"]
    assert rec["decision"] == "block" and code == 1  # the miner, the tunnel and the prompt hook
    assert all(len(p["sha256"]) == 64 for p in rec["packages"])


def test_overprivileged_bash_that_only_runs_git(record: tuple[dict[str, Any], int, str]) -> None:
    p = pkg(record[0], "lp-overprivileged-bash")
    assert p["decision"] == "allow"
    assert caps(p, "declared") == {"proc.shell", "proc.exec[git]"}  # `!`git status`` declares itself
    assert caps(p, "inferred") == {"proc.exec[git]"}
    assert caps(p, "undeclared") == set() and caps(p, "combinations") == set()
    assert caps(p, "unused") == {"proc.shell"}
    assert p["suggested_declaration"] == {"format": "agent-skill", "path": "SKILL.md",
                                          "text": "allowed-tools: Bash(git:*)\n"}
    assert any(f["rule_id"] == "unused-declared-capability" and f["line"] == 4 for f in p["findings"])


def test_openclaw_skill_reading_one_undeclared_token(record: tuple[dict[str, Any], int, str]) -> None:
    p = pkg(record[0], "lp-openclaw-token")
    assert p["format"] == "openclaw-skill" and p["decision"] == "review"
    assert caps(p, "declared") == {"proc.exec[curl]", "proc.exec[jq]", "proc.exec[sh]", "env.read[WEATHERLY_API_KEY]",
                                   "secrets.read[env:WEATHERLY_API_KEY]"}
    assert caps(p, "undeclared") == {"env.read[GITHUB_TOKEN]", "secrets.read[env:GITHUB_TOKEN]",
                                     "net.egress[api.github.com]", "net.egress[api.weatherly.example]"}
    assert caps(p, "unused") == set() and caps(p, "combinations") == set()
    assert len(p["reasons"]) == 1 and "secrets.read[env:GITHUB_TOKEN]" in p["reasons"][0]
    assert "scripts/forecast.sh:7" in p["reasons"][0]
    assert yaml.safe_load(p["suggested_declaration"]["text"]) == {
        "metadata": {"openclaw": {"primaryEnv": "WEATHERLY_API_KEY",
                                  "requires": {"bins": ["curl", "jq", "sh"],
                                               "env": ["GITHUB_TOKEN", "WEATHERLY_API_KEY"]}}}}
    # the script's own egress is disclosed in the generic block, not pre-approved as WebFetch
    (generic,) = [s for s in p["suggested_declarations"] if s["format"] == "generic"]
    assert yaml.safe_load(generic["text"])["permissions"]["network"] == {
        "allow": ["api.github.com", "api.weatherly.example"]}


def test_fully_declared_skill_is_allowed(record: tuple[dict[str, Any], int, str]) -> None:
    p = pkg(record[0], "lp-fully-declared")
    assert p["decision"] == "allow" and p["reasons"] == []
    assert caps(p, "undeclared") == set() and caps(p, "unused") == set() and caps(p, "combinations") == set()
    assert caps(p, "inferred") == {"proc.exec[git]", "proc.exec[curl]", "proc.exec[sh]", "net.egress[api.github.com]"}
    assert p["risk_level"] == "low" and p["disclosures"]["external_network"] is True


def test_prompt_hook_posting_to_a_third_party(record: tuple[dict[str, Any], int, str]) -> None:
    p = pkg(record[0], "lp-prompt-hook-plugin")
    assert p["format"] == "claude-plugin" and p["decision"] == "block"
    assert caps(p, "declared") == {"agent.hook[UserPromptSubmit]", "proc.exec[sh]"}
    assert caps(p, "combinations") == {
        "prompt-egress-hook: agent.hook[UserPromptSubmit] ∧ net.egress[collect.analytics-partner.example]"}
    assert "net.egress[collect.analytics-partner.example]" in caps(p, "undeclared")
    assert any(f["rule_id"] == "combination-prompt-egress-hook" and f["path"] == "hooks/record-prompt.sh"
               for f in p["findings"])


def test_miner_and_tunnel_block(record: tuple[dict[str, Any], int, str]) -> None:
    miner = pkg(record[0], "lp-miner")
    assert miner["decision"] == "block" and miner["risk_level"] == "high"
    assert "compute.mine" in caps(miner, "inferred")
    assert any(c.startswith("mining: ") for c in caps(miner, "combinations"))
    assert any(r.startswith("forbidden capability compute.mine") for r in miner["reasons"])
    tunnel = pkg(record[0], "lp-tunnel")
    assert tunnel["decision"] == "block"
    assert {"net.tunnel[ngrok]", "net.tunnel[ssh]"} <= caps(tunnel, "undeclared")
    assert any(c.startswith("tunnel: net.tunnel[") for c in caps(tunnel, "combinations"))


def test_formats(record: tuple[dict[str, Any], int, str]) -> None:
    rec = record[0]
    codex = pkg(rec, "lp-codex-report")
    assert codex["format"] == "codex-skill" and codex["decision"] == "allow"
    assert caps(codex, "undeclared") == {"fs.write[$WORK/out/report.json]", "net.egress[api.tracklet.example]",
                                         "proc.exec[curl]", "proc.exec[mkdir]", "proc.exec[sh]"}
    (openai,) = [s for s in codex["suggested_declarations"] if s["path"] == "agents/openai.yaml"]
    assert yaml.safe_load(openai["text"]) == {"permissions": {"network": True,
                                                              "file_system": {"write": ["$WORK/out/report.json"]}}}
    gem = pkg(rec, "lp-gemini-env")
    assert gem["format"] == "gemini-extension" and gem["decision"] == "review"
    assert {"env.read[NOTELY_API_TOKEN]", "secrets.read[env:NOTELY_API_TOKEN]"} <= caps(gem, "undeclared")
    assert json.loads(gem["suggested_declaration"]["text"]) == {"settings": [
        {"name": "NOTELY_API_TOKEN", "description": "value of NOTELY_API_TOKEN", "envVar": "NOTELY_API_TOKEN",
         "sensitive": True}]}
    dify = pkg(rec, "lp-dify-domains")
    assert dify["format"] == "dify-plugin" and dify["decision"] == "allow"
    assert {"net.egress[api.weatherly.example]", "host.api[dify:tool]"} <= caps(dify, "declared")
    assert "net.egress[api.weatherly.example]" in caps(dify, "inferred") and caps(dify, "undeclared") == set()
    mcpb = pkg(rec, "lp-mcpb-env")
    assert mcpb["format"] == "mcpb" and mcpb["decision"] == "allow"
    assert {"env.read[NOTELY_API_TOKEN]", "secrets.read[env:NOTELY_API_TOKEN]",
            "secrets.read[user-config:notely_api_token]", "proc.exec[node]"} <= caps(mcpb, "declared")
    assert caps(mcpb, "undeclared") == {"net.egress[api.notely.example]"}
    srv = pkg(rec, "lp-mcp-server-env")
    assert srv["format"] == "mcp-server" and srv["decision"] == "allow"
    assert caps(srv, "declared") == {"env.read[NOTELY_API_TOKEN]", "secrets.read[env:NOTELY_API_TOKEN]",
                                     "net.egress[mcp.notely.example]", "proc.exec[npx]",
                                     "pkg.install[npm:@lpfixtures/notely-mcp@1.0.0]"}
    assert caps(srv, "undeclared") == set() and caps(srv, "unused") == set()
    cursor = pkg(rec, "lp-cursor-rules")
    assert cursor["format"] == "cursor-rules" and cursor["decision"] == "allow"
    assert caps(cursor, "declared") == set() and caps(cursor, "undeclared") == {"proc.exec[npm]"}
    assert cursor["suggested_declaration"]["format"] == "generic"
    assert yaml.safe_load(cursor["suggested_declaration"]["text"]) == {"permissions": {"exec": ["npm"],
                                                                                       "shell": False}}


def test_same_package_policy_and_date_give_identical_bytes(record: tuple[dict[str, Any], int, str]) -> None:
    _, _, first = record
    _, _, again = gate(*[f"fixtures/{n}" for n in LP])
    assert again == first


def test_drift_new_egress_host_forces_review(tmp_path: Path, record: tuple[dict[str, Any], int, str]) -> None:
    assert pkg(record[0], "lp-drift-v2")["decision"] == "allow"  # alone, the new host is tier 1
    assert pkg(record[0], "lp-drift-v2")["capabilities"]["new_since_previous"] == []
    v1, code, _ = gate("fixtures/lp-drift-v1")
    assert v1["decision"] == "allow" and code == 0
    prev = tmp_path / "v1.json"
    prev.write_text(json.dumps(v1), encoding="utf-8")
    out, code, _ = gate("fixtures/lp-drift-v2", "--previous", str(prev), "--fail-on", "review")
    (p,) = out["packages"]
    assert p["decision"] == "review" and code == 1
    assert p["capabilities"]["new_since_previous"] == ["net.egress[ingest.metrics-tracker.example]"]
    assert "net.egress[ingest.metrics-tracker.example]" in p["reasons"][0]
    assert p["previous"]["decision"] == "allow" and p["previous"]["version"] == "1.0.0"


def test_bad_policy_and_date_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("schema: skillscan.policy/v1\nname: x\n", encoding="utf-8")
    proc = skillscan("gate", "fixtures/lp-miner", "--policy", str(bad))
    assert proc.returncode == 2 and "version" in proc.stderr and proc.stdout == ""
    proc = skillscan("scan", "fixtures/lp-miner", "--as-of", "yesterday")
    assert proc.returncode == 2 and "--as-of" in proc.stderr


def test_policy_file_changes_scan_and_gate(tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("schema: skillscan.policy/v1\nname: strict\nversion: '1'\nextends: default\n"
                      "undeclared:\n  tier1: {decision: review}\n", encoding="utf-8")
    rec, _, _ = gate("fixtures/lp-codex-report", "--policy", str(strict))
    assert rec["policy"]["name"] == "strict" and rec["packages"][0]["decision"] == "review"
    proc = skillscan("scan", "fixtures/lp-codex-report", "--no-config", "--no-cache", "-f", "json",
                     "--policy", str(strict))
    assert json.loads(proc.stdout)["packages"][0]["verdict"] == "review"


# ---------------------------------------------------------------------------------------------------
# apply the suggestion, rescan: nothing undeclared remains


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def apply_suggestion(root: Path, s: dict[str, Any]) -> None:
    data = yaml.safe_load(s["text"])
    target = root / s["path"]
    if s["path"].endswith("SKILL.md"):
        text = target.read_text(encoding="utf-8")
        fm = parse_frontmatter(text)
        merged = _merge(fm.data, data)
        target.write_text("---\n" + yaml.safe_dump(merged, sort_keys=True, allow_unicode=True, width=100000)
                          + "---\n" + fm.body, encoding="utf-8")
    elif s["path"] == "server.json":
        doc = json.loads(target.read_text(encoding="utf-8"))
        for p in doc.get("packages", []):
            p["environmentVariables"] = data["environmentVariables"]
        target.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    elif s["path"].endswith(".json"):
        target.write_text(json.dumps(_merge(json.loads(target.read_text(encoding="utf-8")), data), indent=2),
                          encoding="utf-8")
    else:
        current = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else {}
        target.write_text(yaml.safe_dump(_merge(current or {}, data), sort_keys=True), encoding="utf-8")


NATIVE = ["lp-overprivileged-bash", "lp-openclaw-token", "lp-fully-declared", "lp-codex-report", "lp-gemini-env",
          "lp-dify-domains", "lp-mcpb-env", "lp-drift-v2"]


def test_applying_the_suggestion_leaves_nothing_undeclared(tmp_path: Path) -> None:
    work = tmp_path / "w"
    for name in NATIVE:
        shutil.copytree(FIXTURES / name, work / name)
    before, _, _ = gate(*NATIVE, cwd=work)
    for p in before["packages"]:
        for s in p["suggested_declarations"]:
            if s["format"] != "generic":
                apply_suggestion(work / p["root"], s)
    after, _, _ = gate(*NATIVE, cwd=work)
    declarable_left = {}
    for p in after["packages"]:
        generic = [s for s in next(b for b in before["packages"] if b["root"] == p["root"])["suggested_declarations"]
                   if s["format"] == "generic"]
        # what only the generic block could say (a kind the format has no field for) may stay undeclared
        only_generic = {c for s in generic for c in _generic_caps(yaml.safe_load(s["text"]))}
        left = set(p["capabilities"]["undeclared"]) - only_generic
        if left:
            declarable_left[p["root"]] = sorted(left)
        assert p["decision"] in ("allow", "review")
    assert not declarable_left, declarable_left
    assert {p["root"]: p["decision"] for p in after["packages"]}["lp-openclaw-token"] == "allow"
    assert {p["root"]: p["capabilities"]["undeclared"] for p in after["packages"]}["lp-overprivileged-bash"] == []


def _generic_caps(block: dict[str, Any]) -> set[str]:
    perms = block["permissions"]
    out = {f"net.egress[{h}]" for h in perms.get("network", {}).get("allow", [])}
    out |= {f"env.read[{e}]" for e in perms.get("env", [])} | {f"secrets.read[env:{e}]" for e in perms.get("env", [])}
    out |= {f"proc.exec[{e}]" for e in perms.get("exec", [])}
    out |= {f"fs.read[{p}]" for p in perms.get("files", {}).get("read", [])}
    out |= {f"fs.write[{p}]" for p in perms.get("files", {}).get("write", [])}
    out |= set(perms.get("other", []))
    return out


def test_unreadable_input_is_an_error_in_the_record(tmp_path: Path) -> None:
    proc = skillscan("gate", "--no-config", "--as-of", AS_OF, str(tmp_path / "missing"), "fixtures/lp-cursor-rules")
    assert proc.returncode == 2
    rec = json.loads(proc.stdout)
    jsonschema.validate(rec, json.loads(VERDICT_SCHEMA.read_text(encoding="utf-8")))
    assert rec["decision"] == "error"
    assert sorted(p["decision"] for p in rec["packages"]) == ["allow", "error"]
