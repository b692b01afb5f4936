"""The CLI end to end, through `python -m skillscan` in a subprocess: exit codes, output options,
stdout hygiene, the fixtures' loaded fields, and byte-identical output whatever `--jobs` is."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clirun import FIXTURES, REPO, make_review_skill, make_skill, scan_json, skillscan
from skillscan import __version__


# --- version, help, rules, explain ---------------------------------------------------------------

def test_version_through_python_m() -> None:
    proc = skillscan("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"skillscan {__version__}"


def test_usage_error_exits_2() -> None:
    assert skillscan("scan", "--format", "xml", "fixtures").returncode == 2
    assert skillscan("scan").returncode == 2
    assert skillscan("no-such-command").returncode == 2


def test_rules_table_lists_every_catalog_rule() -> None:
    from skillscan.catalog import get_catalog

    proc = skillscan("rules")
    assert proc.returncode == 0, proc.stderr
    for rule_id in get_catalog().rules:
        assert rule_id in proc.stdout
    as_json = json.loads(skillscan("rules", "--format", "json").stdout)
    assert sorted(r["id"] for r in as_json) == sorted(get_catalog().rules)
    assert {"id", "title", "class", "severity", "confidence", "engine", "capability"} <= set(as_json[0])


def test_explain_renders_every_docs_section() -> None:
    proc = skillscan("explain", "unscoped-bash-preapproval")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("# unscoped-bash-preapproval: Unscoped Bash pre-approved")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Remediation", "## References"):
        assert heading in out
    assert "capability `proc.shell`" in out and "CWE-250" in out


def test_explain_unknown_rule_exits_2() -> None:
    proc = skillscan("explain", "no-such-rule")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "unknown rule" in proc.stderr


# --- exit codes ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("fail_on", "expected"), [(None, 0), ("block", 0), ("review", 0), ("never", 0)])
def test_exit_codes_for_an_allowed_package(tmp_path: Path, fail_on: str | None, expected: int) -> None:
    make_skill(tmp_path, "plain")
    args = ["scan", "plain", "--no-config"] + (["--fail-on", fail_on] if fail_on else [])
    proc = skillscan(*args, cwd=tmp_path)
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert "ALLOW" in proc.stdout


@pytest.mark.parametrize(("fail_on", "expected"), [(None, 0), ("block", 0), ("review", 1), ("never", 0)])
def test_exit_codes_for_a_review_package(tmp_path: Path, fail_on: str | None, expected: int) -> None:
    make_review_skill(tmp_path)
    args = ["scan", "linked", "--no-config"] + (["--fail-on", fail_on] if fail_on else [])
    proc = skillscan(*args, cwd=tmp_path)
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert "REVIEW" in proc.stdout


@pytest.mark.parametrize(("fail_on", "expected"), [(None, 2), ("block", 2), ("review", 2), ("never", 0)])
def test_missing_path_is_an_error_not_an_allow(tmp_path: Path, fail_on: str | None, expected: int) -> None:
    make_skill(tmp_path, "plain")
    args = ["scan", "plain", "does-not-exist", "--format", "json", "--no-config"]
    proc = skillscan(*(args + (["--fail-on", fail_on] if fail_on else [])), cwd=tmp_path)
    assert proc.returncode == expected, proc.stderr
    doc = json.loads(proc.stdout)
    missing = [p for p in doc["packages"] if p["input"] == "does-not-exist"]
    assert len(missing) == 1
    assert missing[0]["verdict"] == "error" and missing[0]["format"] == "unknown" and missing[0]["errors"]
    assert doc["summary"]["errors"] == 1 and doc["summary"]["allow"] == 1


def _fake_report(decision: str, errors: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from skillscan.model import Decision, Package, PackageResult, Report, Verdict

    pkg = Package(input="pkg", root="pkg", format="agent-skill", name="pkg", sha256="0" * 64)
    verdict = Verdict(Decision(decision), reasons=("a reason",) if decision != "allow" else ())
    return Report(results=(PackageResult(pkg, (), verdict, errors),), engines=(("libcst", "x"),), rules_digest="0" * 64)


@pytest.mark.parametrize(("decision", "errors", "fail_on", "expected"), [
    ("block", (), "block", 1), ("block", (), "review", 1), ("block", (), "never", 0),
    ("review", (), "block", 0), ("review", (), "review", 1),
    ("allow", (), "review", 0),
    ("review", ("semgrep failed: boom",), "block", 2), ("review", ("semgrep failed: boom",), "never", 0),
    ("error", ("unreadable",), "review", 2),
])
def test_exit_code_mapping_through_the_cli(monkeypatch: pytest.MonkeyPatch, decision: str, errors: tuple[str, ...],
                                           fail_on: str, expected: int) -> None:
    """A blocked package (no shipped rule may block yet in every build) and engine errors, through the
    real command with the scan stubbed out: the exit code comes from the verdicts."""
    import skillscan.engine
    from skillscan.cli import app

    monkeypatch.setattr(skillscan.engine, "scan", lambda paths, options: _fake_report(decision, errors))
    result = CliRunner().invoke(app, ["scan", "pkg", "--format", "json", "--no-config", "--fail-on", fail_on])
    assert result.exit_code == expected, result.output
    assert json.loads(result.stdout)["packages"][0]["verdict"] == decision


def test_internal_error_exits_2_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import skillscan.engine
    from skillscan.cli import app

    def boom(paths: object, options: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(skillscan.engine, "scan", boom)
    result = CliRunner().invoke(app, ["scan", "pkg", "--no-config"])
    assert result.exit_code == 2
    assert "internal error" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["scan", "pkg", "--no-config", "--fail-on", "never"])
    assert result.exit_code == 0


# --- outputs -------------------------------------------------------------------------------------

def test_stdout_carries_only_the_report(tmp_path: Path) -> None:
    for i in range(3):
        make_skill(tmp_path, f"s{i}")
    proc = skillscan("scan", "s0", "s1", "s2", "--format", "json", "--no-config", cwd=tmp_path)
    assert proc.returncode == 0
    json.loads(proc.stdout)  # nothing but the document
    assert proc.stderr == ""  # not a terminal: no progress bar


def test_output_and_sarif_output_files(tmp_path: Path) -> None:
    make_skill(tmp_path, "plain", "name: plain\ndescription: d\nallowed-tools: Bash\n")
    proc = skillscan("scan", "plain", "--format", "json", "--output", "out.json", "--sarif-output", "out.sarif",
                     "--no-config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    doc = json.loads((tmp_path / "out.json").read_text())
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    (finding,) = [f for f in doc["packages"][0]["findings"] if f["rule_id"] == "unscoped-bash-preapproval"]
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "unscoped-bash-preapproval"]
    assert result["partialFingerprints"]["skillscan/v1"] == finding["fingerprint"]
    assert len(sarif["runs"][0]["results"]) == len(doc["packages"][0]["findings"])


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    make_skill(tmp_path, "plain")
    proc = skillscan("scan", "plain", "--output", "no/such/dir/out.txt", "--no-config", cwd=tmp_path)
    assert proc.returncode == 2
    assert "cannot write" in proc.stderr and "Traceback" not in proc.stderr


def test_markdown_format(tmp_path: Path) -> None:
    make_skill(tmp_path, "shell-notes", "name: Shell_Notes\ndescription: d\nallowed-tools: Bash\n")
    make_review_skill(tmp_path)
    proc = skillscan("scan", "shell-notes", "linked", "--format", "markdown", "--no-config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert md.startswith("## skillscan report")
    assert "| verdict | package | format | findings |" in md
    assert "| ⚠️ review | `linked` | agent-skill |" in md
    assert "[unscoped-bash-preapproval](https://" in md and "docs/rules.md#unscoped-bash-preapproval" in md
    # package sections: the most severe verdict first
    rank = {"block": 2, "review": 1, "allow": 0}
    sections = re.findall(r"^### \S+ (block|review|allow): `([^`]+)`", md, re.M)
    assert {root for _, root in sections} == {"linked", "shell-notes"}
    assert [rank[v] for v, _ in sections] == sorted((rank[v] for v, _ in sections), reverse=True)


def test_text_format_groups_findings_by_file_with_snippets(tmp_path: Path) -> None:
    make_skill(tmp_path, "shell-notes", "name: Shell_Notes\ndescription: d\nallowed-tools: Bash\n")
    proc = skillscan("scan", "shell-notes", "--no-config", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[0] in ("ALLOW", "REVIEW", "BLOCK") and "shell-notes" in lines[0]
    assert "agent-skill" in lines[0]
    assert "  SKILL.md" in lines
    assert any("unscoped-bash-preapproval" in ln and ln.strip().startswith("medium") for ln in lines)
    assert any("│ allowed-tools: Bash" in ln for ln in lines)
    assert re.match(r"1 package\(s\): \d allow, \d review, \d block, 0 error in \d+\.\d\ds$", lines[-1])
    assert "\x1b[" not in proc.stdout  # no colour codes when stdout is not a terminal


def test_min_severity_hides_lower_findings(tmp_path: Path) -> None:
    make_skill(tmp_path, "shell-notes", "name: Shell_Notes\nallowed-tools: Bash\n")
    low, _ = scan_json("shell-notes", cwd=tmp_path)
    medium, _ = scan_json("shell-notes", "--min-severity", "medium", cwd=tmp_path)
    ids_low = {f["rule_id"] for f in low["packages"][0]["findings"]}
    ids_medium = {f["rule_id"] for f in medium["packages"][0]["findings"]}
    assert {"skill-name-invalid", "skill-description-missing", "unscoped-bash-preapproval"} <= ids_low
    assert "unscoped-bash-preapproval" in ids_medium
    assert not {"skill-name-invalid", "skill-description-missing"} & ids_medium
    assert {f["severity"] for f in medium["packages"][0]["findings"]} <= {"medium", "high", "critical"}
    assert low["packages"][0]["verdict"] == medium["packages"][0]["verdict"]


# --- loading the agent-skill fixtures ------------------------------------------------------------

def test_agent_skill_fixture_loads_with_the_right_fields() -> None:
    doc, proc = scan_json("fixtures/core-benign-git-helper", "--min-severity", "info")
    assert proc.returncode == 0
    (pkg,) = doc["packages"]
    assert pkg["input"] == "fixtures/core-benign-git-helper"
    assert pkg["root"] == "fixtures/core-benign-git-helper"
    assert pkg["format"] == "agent-skill"
    assert pkg["name"] == "core-benign-git-helper"
    assert pkg["version"] == "1.2.0"
    assert pkg["files"] == 4  # SKILL.md, scripts/summary.py, references/conventions.md, assets/template.md
    assert len(pkg["sha256"]) == 64
    assert {"kind": "load-time-command", "path": "SKILL.md", "line": 11, "event": "",
            "command": "git branch --show-current", "gated": False} in pkg["surfaces"]
    assert pkg["errors"] == [] and pkg["skipped"] == []
    lt = [f for f in pkg["findings"] if f["rule_id"] == "load-time-command"]
    assert lt and lt[0]["line"] == 11 and lt[0]["capability"] == "proc.exec[git]" and lt[0]["channel"] == "manifest"


def test_discovery_under_a_directory_and_a_single_file(tmp_path: Path) -> None:
    names = ("core-benign-git-helper", "core-overprivileged-shell-notes", "core-malicious-key-exfil")
    for name in names:
        shutil.copytree(FIXTURES / name, tmp_path / "fixtures" / name, symlinks=True)
    doc, _ = scan_json("fixtures", cwd=tmp_path)
    by_root = {p["root"]: p for p in doc["packages"]}
    assert sorted(by_root) == sorted(f"fixtures/{n}" for n in names)
    for name in names:
        assert by_root[f"fixtures/{name}"]["input"] == "fixtures"
        assert by_root[f"fixtures/{name}"]["format"] == "agent-skill"
    assert by_root["fixtures/core-overprivileged-shell-notes"]["name"] == "Shell_Notes"
    # a file inside a skill is scanned as part of the skill it belongs to
    single, _ = scan_json("fixtures/core-malicious-key-exfil/scripts/audit.py", cwd=tmp_path)
    assert [p["root"] for p in single["packages"]] == ["fixtures/core-malicious-key-exfil"]
    assert single["packages"][0]["input"] == "fixtures/core-malicious-key-exfil/scripts/audit.py"


def test_sha256_is_a_content_digest(tmp_path: Path) -> None:
    a = shutil.copytree(FIXTURES / "core-benign-git-helper", tmp_path / "a")
    b = shutil.copytree(FIXTURES / "core-benign-git-helper", tmp_path / "elsewhere" / "b")
    doc, _ = scan_json("a", "elsewhere/b", cwd=tmp_path)
    first, second = (p["sha256"] for p in doc["packages"])
    assert first == second  # location and mtime do not matter
    (b / "assets" / "template.md").write_text("changed\n")
    (a / "scripts" / "summary.py").chmod(0o644)
    doc, _ = scan_json("a", "elsewhere/b", cwd=tmp_path)
    third, fourth = (p["sha256"] for p in doc["packages"])
    assert third != first  # the executable bit counts
    assert fourth != second  # so does every byte


# --- determinism ---------------------------------------------------------------------------------

def _without_seconds(stdout: str) -> str:
    doc = json.loads(stdout)
    assert isinstance(doc["summary"].pop("seconds"), float)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def test_json_is_byte_identical_for_jobs_1_and_2(tmp_path: Path) -> None:
    """Several packages of several formats, no result cache: the JSON (less `summary.seconds`) and the
    SARIF are byte-identical for one worker and two; the output also validates against both schemas."""
    import jsonschema

    from clirun import REPORT_SCHEMA, SARIF_SCHEMA
    from test_sarif import github_problems

    samples = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "rules").iterdir() if p.is_dir())
    inputs = ["fixtures", *samples[::3]]  # every format's fixture, and code samples for the per-file engines
    runs = {}
    for jobs in ("1", "2"):
        sarif = tmp_path / f"jobs{jobs}.sarif"
        proc = skillscan("scan", "--format", "json", "--no-config", "--no-cache", "--min-severity", "info",
                         "--fail-on", "never", "--jobs", jobs, "--sarif-output", str(sarif), *inputs)
        assert proc.returncode == 0, proc.stderr
        runs[jobs] = (proc.stdout, sarif.read_text())
    assert _without_seconds(runs["1"][0]) == _without_seconds(runs["2"][0])
    assert runs["1"][1] == runs["2"][1]
    doc, sarif_doc = json.loads(runs["1"][0]), json.loads(runs["1"][1])
    assert len(doc["packages"]) >= 10 and len({p["format"] for p in doc["packages"]}) >= 2
    report_errors = list(jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).iter_errors(doc))
    assert not report_errors, report_errors[0]
    sarif_errors = list(jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).iter_errors(sarif_doc))
    assert not sarif_errors, sarif_errors[0]
    assert github_problems(sarif_doc) == []


def _run_with_tty_stderr(args: list[str], cwd: Path) -> tuple[int, str, bytes]:
    """Run the CLI with stderr on a pseudo-terminal (as in an interactive shell) and stdout on a pipe."""
    import os
    import pty
    import select
    import subprocess
    import sys

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "skillscan", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    out = proc.stdout.read() if proc.stdout else b""
    proc.wait(timeout=60)
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return proc.returncode, out.decode(), err


def test_progress_bar_goes_to_a_terminal_stderr_and_never_to_stdout(tmp_path: Path) -> None:
    for i in range(6):
        make_skill(tmp_path / "many", f"s{i}")
    code, out, err = _run_with_tty_stderr(["scan", "many", "--format", "json", "--no-config"], tmp_path)
    assert code == 0
    assert len(json.loads(out)["packages"]) == 6  # stdout is exactly the report
    assert b"deciding packages" in err and b"6/6" in err
    code, out, err = _run_with_tty_stderr(["scan", "many", "--format", "json", "--no-config", "--quiet"], tmp_path)
    assert code == 0 and err == b"" and json.loads(out)["summary"]["packages"] == 6
    # one small package: no bar either
    code, out, err = _run_with_tty_stderr(["scan", "many/s0", "--format", "json", "--no-config"], tmp_path)
    assert code == 0 and b"deciding" not in err
