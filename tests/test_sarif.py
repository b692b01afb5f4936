"""SARIF 2.1.0: real CLI output validates against the OASIS schema (draft-04) and meets GitHub code
scanning's rules (STYLE.md §7.1, §10.3)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from clirun import SARIF_SCHEMA, make_review_skill, make_skill, skillscan
from skillscan.catalog import get_catalog
from skillscan.model import (
    Confidence, Decision, Finding, Location, Package, PackageResult, Report, RuleClass, Severity, Verdict,
)
from skillscan.report.sarif import MAX_RESULTS, artifact_uri, sarif_dict

SEVERITY_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def github_problems(doc: dict[str, Any]) -> list[str]:
    """What GitHub code scanning requires or limits, as documented (STYLE.md §7.1)."""
    problems: list[str] = []
    if doc.get("$schema") != "https://json.schemastore.org/sarif-2.1.0.json":
        problems.append("$schema")
    if doc.get("version") != "2.1.0":
        problems.append("version")
    runs = doc.get("runs") or []
    if not 1 <= len(runs) <= 20:
        problems.append("runs: 1..20")
    for run in runs:
        driver = run["tool"]["driver"]
        if not driver.get("name") or not (driver.get("semanticVersion") or driver.get("version")):
            problems.append("driver name/version")
        rules = driver.get("rules", [])
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)) or len(ids) > 25_000:
            problems.append("rule ids unique, at most 25,000")
        for rule in rules:
            rid = rule["id"]
            for key in ("shortDescription", "fullDescription", "help"):
                if not rule.get(key, {}).get("text", "").strip():
                    problems.append(f"{rid}: {key}.text")
            if len(rule["shortDescription"]["text"]) > 1024 or len(rule.get("name", "")) > 255:
                problems.append(f"{rid}: shortDescription/name too long")
            if not rule.get("help", {}).get("markdown") or not rule.get("helpUri", "").startswith("https://"):
                problems.append(f"{rid}: help.markdown/helpUri")
            if rule.get("defaultConfiguration", {}).get("level") not in ("note", "warning", "error"):
                problems.append(f"{rid}: defaultConfiguration.level")
            props = rule.get("properties", {})
            tags = props.get("tags", [])
            if "security" not in tags or len(tags) > 20 or len(set(tags)) != len(tags):
                problems.append(f"{rid}: tags")
            if props.get("precision") not in ("very-high", "high", "medium", "low"):
                problems.append(f"{rid}: precision")
            score = props.get("security-severity")
            if score is not None and (not isinstance(score, str) or not 0.0 < float(score) <= 10.0):
                problems.append(f"{rid}: security-severity must be a string in (0, 10]")
        results = run.get("results", [])
        if len(results) > 25_000:
            problems.append("at most 25,000 results per run")
        for res in results:
            rid = res.get("ruleId")
            if rid not in ids:
                problems.append(f"result rule {rid} not in rules[]")
            elif "ruleIndex" in res and ids[res["ruleIndex"]] != rid:
                problems.append(f"{rid}: ruleIndex points at {ids[res['ruleIndex']]}")
            if not res.get("message", {}).get("text", "").strip():
                problems.append(f"{rid}: message.text")
            if res.get("level") not in ("note", "warning", "error"):
                problems.append(f"{rid}: level")
            locations = res.get("locations", [])
            if not 1 <= len(locations) <= 10 or len(locations) + len(res.get("relatedLocations", [])) > 1000:
                problems.append(f"{rid}: locations")
            fps = res.get("partialFingerprints", {})
            if not re.fullmatch(r"[0-9a-f]{32}", fps.get("skillscan/v1", "")) or "primaryLocationLineHash" in fps:
                problems.append(f"{rid}: partialFingerprints")
            for loc in locations + res.get("relatedLocations", []):
                phys = loc["physicalLocation"]
                uri = phys["artifactLocation"]["uri"]
                if not uri.startswith("file:///") and (uri.startswith(("/", "./")) or "\\" in uri or " " in uri
                                                       or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri)):
                    problems.append(f"{rid}: uri {uri!r} is not a clean relative path")
                region = phys.get("region", {})
                start, col = region.get("startLine", 0), region.get("startColumn", 1)
                if start < 1 or col < 1:
                    problems.append(f"{rid}: region must be 1-based")
                end_line = region.get("endLine", start)
                if end_line < start or (end_line == start and region.get("endColumn", col + 1) <= col):
                    problems.append(f"{rid}: region end before start (endColumn is exclusive)")
    return problems


@pytest.fixture(scope="module")
def sarif_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    base = tmp_path_factory.mktemp("sarif")
    make_skill(base / "skills", "shell-notes", "name: Shell_Notes\nallowed-tools: Bash Read\n",
               "Branch: !`git status`\n")
    make_skill(base / "skills", "plain")
    make_review_skill(base / "skills", "linked")
    (base / "skills" / "with space").mkdir()
    make_skill(base / "skills" / "with space", "odd", "name: Odd Name\ndescription: d\n")
    proc = skillscan("scan", "skills", "--format", "json", "--output", "report.json", "--sarif-output", "report.sarif",
                     "--no-config", "--fail-on", "never", cwd=base)
    assert proc.returncode == 0, proc.stderr
    return json.loads((base / "report.sarif").read_text()), base


def test_cli_sarif_validates_against_the_sarif_schema(validator: jsonschema.Draft4Validator,
                                                      sarif_run: tuple[dict[str, Any], Path]) -> None:
    doc, _ = sarif_run
    errors = list(validator.iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_cli_sarif_meets_github_rules(sarif_run: tuple[dict[str, Any], Path]) -> None:
    doc, _ = sarif_run
    assert len(doc["runs"][0]["results"]) >= 5
    assert github_problems(doc) == []


def test_uris_are_relative_to_the_working_directory_and_resolve(sarif_run: tuple[dict[str, Any], Path]) -> None:
    doc, base = sarif_run
    from urllib.parse import unquote

    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert "skills/shell-notes/SKILL.md" in uris
    assert "skills/with%20space/odd/SKILL.md" in uris
    assert "skills/linked/outside" in uris
    for uri in uris:
        assert (base / unquote(uri)).exists() or (base / unquote(uri)).is_symlink(), uri


def test_rules_carry_severity_precision_and_tags(sarif_run: tuple[dict[str, Any], Path]) -> None:
    doc, _ = sarif_run
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    catalog = get_catalog()
    for rid, rule in rules.items():
        meta = catalog.rule(rid)
        props = rule["properties"]
        assert props.get("security-severity") == SEVERITY_SCORE.get(meta.severity.label)
        assert props["precision"] == meta.confidence.label
        for cwe in meta.cwe:
            assert f"external/cwe/{cwe.lower()}" in props["tags"]
        if meta.capability:
            assert f"capability/{meta.capability}" in props["tags"]
        assert rule["helpUri"].endswith(f"docs/rules.md#{rid}")
        assert "## What it does" in rule["help"]["markdown"] and "## Remediation" in rule["help"]["markdown"]
    bash = rules["unscoped-bash-preapproval"]["properties"]["tags"]
    assert {"security", "external/cwe/cwe-250", "capability/proc.shell"} <= set(bash)
    assert "external/cwe/cwe-78" in rules["load-time-command"]["properties"]["tags"]


def test_results_match_the_json_report(sarif_run: tuple[dict[str, Any], Path]) -> None:
    doc, base = sarif_run
    report = json.loads((base / "report.json").read_text())  # the same run wrote both
    json_fps = sorted(f["fingerprint"] for p in report["packages"] for f in p["findings"])
    sarif_fps = sorted(r["partialFingerprints"]["skillscan/v1"] for r in doc["runs"][0]["results"])
    assert json_fps == sarif_fps
    levels = {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]}
    assert levels["unscoped-bash-preapproval"] == "warning" and levels["skill-name-invalid"] == "note"


def test_unreadable_input_becomes_a_failed_invocation(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    make_skill(tmp_path, "plain")
    proc = skillscan("scan", "plain", "gone", "--format", "sarif", "--no-config", cwd=tmp_path)
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert any("gone" in n["message"]["text"] for n in inv["toolExecutionNotifications"])
    assert not list(validator.iter_errors(doc)) and github_problems(doc) == []


def test_outside_the_working_directory_uses_file_uris(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    pkg = make_skill(tmp_path / "far away", "x", "name: X\ndescription: d\n")
    work = tmp_path / "work"
    work.mkdir()
    proc = skillscan("scan", str(pkg), "--format", "sarif", "--no-config", cwd=work)
    doc = json.loads(proc.stdout)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "file://" + str(pkg / "SKILL.md").replace(" ", "%20")
    assert "uriBaseId" not in loc
    assert not list(validator.iter_errors(doc)) and github_problems(doc) == []


def test_archive_findings_point_at_the_archive(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.writestr("tool/SKILL.md", "---\nname: Bad_Name\ndescription: d\n---\nbody\n")
    proc = skillscan("scan", "bundle.zip", "--format", "sarif", "--no-config", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["skill-name-invalid"], proc.stderr
    res = results[0]
    phys = res["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "bundle.zip"
    assert phys["region"] == {"startLine": 1}
    assert "tool/SKILL.md" in res["message"]["text"]
    assert github_problems(doc) == []


# --- the renderer on constructed reports (limits and URI edge cases) -------------------------------

def _report(findings: list[Finding], root: str = "pkg") -> Report:
    pkg = Package(input=root, root=root, format="agent-skill", name="pkg", sha256="0" * 64, manifest_path="SKILL.md")
    return Report(results=(PackageResult(pkg, tuple(findings), Verdict(Decision.ALLOW)),), rules_digest="0" * 64)


def _finding(line: int, snippet: str = "allowed-tools: Bash", path: str = "SKILL.md", **kw: Any) -> Finding:
    return Finding(rule_id="unscoped-bash-preapproval", message="m", severity=Severity.MEDIUM,
                   confidence=Confidence.HIGH, rule_class=RuleClass.HYGIENE,
                   location=Location(path, line, 1, snippet=snippet, **kw))


def test_results_are_capped_at_githubs_limit(validator: jsonschema.Draft4Validator) -> None:
    findings = [_finding(i, snippet=f"s{i}") for i in range(1, MAX_RESULTS + 6)]
    doc = sarif_dict(_report(findings))
    run = doc["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("5 results left out" in n["message"]["text"] for n in notes)
    assert github_problems(doc) == []


def test_region_end_column_is_exclusive() -> None:
    doc = sarif_dict(_report([_finding(3, snippet="Bash", end_line=3, end_column=20), _finding(4, snippet="abc")]))
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in doc["runs"][0]["results"]]
    assert (regions[0]["startColumn"], regions[0]["endLine"], regions[0]["endColumn"]) == (1, 3, 20)
    assert (regions[1]["endLine"], regions[1]["endColumn"]) == (4, 4)


def test_whole_package_findings_are_placed_on_the_manifest() -> None:
    doc = sarif_dict(_report([_finding(1, snippet="", path=".")], root="skills/pkg"))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "skills/pkg/SKILL.md"


@pytest.mark.parametrize(("root", "path", "uri"), [
    (".", "scripts/a.py", "scripts/a.py"),
    ("skills/x", "SKILL.md", "skills/x/SKILL.md"),
    ("skills/x/", "scripts/run.sh", "skills/x/scripts/run.sh"),
    ("skills/x", "scripts/a.py#decoded-1", "skills/x/scripts/a.py%23decoded-1"),
    ("notes/readme-only.md", "readme-only.md", "notes/readme-only.md"),
    ("a b/c:d", "e.md", "a%20b/c%3Ad/e.md"),
    ("dist/pkg.zip!/inner", "SKILL.md", "dist/pkg.zip"),
])
def test_artifact_uri(root: str, path: str, uri: str) -> None:
    assert artifact_uri(root, path)[0] == uri


def test_decoded_payload_findings_point_at_the_real_file() -> None:
    from skillscan.model import PackageFile

    real = PackageFile(path="scripts/a.py", data=b"x", size=1, language="python", is_binary=False, text="x")
    pkg = Package(input="p", root="p", format="generic", name="p", sha256="0" * 64, files=(real,))
    findings = (_finding(3, snippet="curl x | sh", path="scripts/a.py#decoded-1"),
                _finding(2, snippet="z", path="notes#1.md"))
    doc = sarif_dict(Report(results=(PackageResult(pkg, findings, Verdict(Decision.ALLOW)),), rules_digest="0" * 64))
    first, second = doc["runs"][0]["results"]
    phys = first["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "p/scripts/a.py" and phys["region"]["startLine"] == 1
    assert "scripts/a.py#decoded-1:3" in first["message"]["text"]
    # a real file whose name merely contains '#' is not a payload
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "p/notes%231.md"
    assert github_problems(doc) == []
