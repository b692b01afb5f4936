"""Inline suppressions (author mode only) and baselines (always honoured)."""

from __future__ import annotations

import json
from pathlib import Path

from clihelp import run_cli, scan_json, write_skill


def findings(report: dict) -> list[dict]:
    return [f for p in report["packages"] for f in p["findings"]]


def test_inline_ignore_only_in_author_mode(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool",
                frontmatter="# skillscan: ignore[unscoped-bash-preapproval] the helper needs a shell\n"
                            "allowed-tools: Bash\n",
                body="<!-- skillscan: ignore[load-time-command] shows the branch -->\nBranch: !`git branch`\n")
    gate = scan_json("tool", cwd=tmp_path)
    assert {f["rule_id"] for f in findings(gate)} >= {"unscoped-bash-preapproval", "load-time-command"}
    author = scan_json("tool", "--author", cwd=tmp_path)
    assert not {f["rule_id"] for f in findings(author)} & {"unscoped-bash-preapproval", "load-time-command"}


def test_inline_ignore_names_the_rule(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash  # skillscan: ignore[load-time-command] wrong id\n")
    author = scan_json("tool", "--author", cwd=tmp_path)
    assert "unscoped-bash-preapproval" in {f["rule_id"] for f in findings(author)}


def test_trailing_ignore_on_the_same_line(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash  # skillscan: ignore[unscoped-bash-preapproval] ok\n")
    author = scan_json("tool", "--author", cwd=tmp_path)
    assert "unscoped-bash-preapproval" not in {f["rule_id"] for f in findings(author)}


def test_baseline_round_trip(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash\n", body="Now: !`date`\n")
    before = scan_json("tool", cwd=tmp_path)
    assert findings(before)
    proc = run_cli("baseline", "create", "tool", "-o", "base.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "base.json").read_text())
    assert doc["format"] == "skillscan-baseline/v1"
    assert {e["rule"] for e in doc["fingerprints"].values()} == {f["rule_id"] for f in findings(before)}

    after = scan_json("tool", "--baseline", "base.json", cwd=tmp_path)
    assert findings(after) == []
    # a baseline removes findings, never inferred capabilities
    inferred = {c["capability"] for c in after["packages"][0]["capabilities"]["inferred"]}
    assert "proc.exec[date]" in inferred

    sarif = json.loads(run_cli("scan", "--format", "sarif", "--baseline", "base.json", "tool",
                               cwd=tmp_path).stdout)
    assert sarif["runs"][0]["results"] == []
    text = run_cli("scan", "--baseline", "base.json", "tool", cwd=tmp_path).stdout
    # the counts agree: every fingerprint written is one finding in the baseline (the gate's own included)
    assert f"wrote {len(doc['fingerprints'])} fingerprints" in proc.stderr
    assert f"{len(doc['fingerprints'])} finding(s) in the baseline" in text


def test_baseline_is_content_based_not_line_based(tmp_path: Path) -> None:
    pkg = write_skill(tmp_path, "tool", body="Now: !`date`\n")
    assert run_cli("baseline", "create", "tool", "-o", "base.json", cwd=tmp_path).returncode == 0
    text = (pkg / "SKILL.md").read_text().replace("Now:", "Some new prose first.\n\nNow:")
    (pkg / "SKILL.md").write_text(text)
    assert findings(scan_json("tool", "--baseline", "base.json", cwd=tmp_path)) == []
    (pkg / "SKILL.md").write_text(text.replace("!`date`", "!`whoami`"))
    assert [f["rule_id"] for f in findings(scan_json("tool", "--baseline", "base.json", cwd=tmp_path))] == [
        "load-time-command"]


def test_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool")
    (tmp_path / "base.json").write_text("{}")
    proc = run_cli("scan", "--baseline", "base.json", "tool", cwd=tmp_path)
    assert proc.returncode == 2
    assert "baseline" in proc.stderr


def test_github_annotations(tmp_path: Path) -> None:
    write_skill(tmp_path, "tool", frontmatter="allowed-tools: Bash\n")
    out = run_cli("scan", "--format", "github", "--fail-on", "never", "tool", cwd=tmp_path).stdout
    lines = out.splitlines()
    assert any(line.startswith("::warning file=tool/SKILL.md,line=4,col=1,title=skillscan unscoped-bash-preapproval::")
               for line in lines), out
    assert lines[-1].startswith("::") and "skillscan verdict" in lines[-1]


def test_github_annotation_escaping() -> None:
    from skillscan.report.github import escape_data, escape_property

    assert escape_data("a%b\nc") == "a%25b%0Ac"
    assert escape_property("x:y,z") == "x%3Ay%2Cz"
