"""The gate's and the JSON report's fast paths (issue 9) produce exactly what the slow paths they
replace produce: the indented JSON writer against `json.dumps(indent=2)`, the suggestion YAML writer
against PyYAML's `safe_dump`, the report's fingerprints against `Finding.fingerprint`, the memoised
capability helpers against fresh calls, and the missing-script analyzer's pre-filter. Speed itself is
measured in bench/gate_speed.py; equivalence on whole scans in bench/gate_equivalence.py."""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skillscan.analyzers.base import finding
from skillscan.analyzers.references import MissingScriptAnalyzer
from skillscan.capabilities import grammar as caps
from skillscan.loaders.discover import load_inputs
from skillscan.loaders.files import Limits
from skillscan.model import Capability, Channel
from skillscan.permissions.suggest import _block_yaml, _yaml
from skillscan.report.json import dumps, fingerprints

TRICKY = ["yes", "No", "null", "~", "1", "1.0", "0x1f", "1_000", "2024-01-01", "=", "<<", "-", "---", "a: b",
          "#x", "x #y", " lead", "trail ", "'", '"', "*", "&a", "!x", "%x", "@x", "`x", "[a]", "{a}", ",", "?",
          "? x", "- x", "é", "a\tb", "\x85", "\u2028", "a\nb", "", " ", "|", ">", "Bash(curl:*)", "$WORK/x",
          "~/.ssh/**", "//tmp", "<sha256 of the downloaded file>", "mcp__srv__tool", ".inf", "on", "0o17"]
plain = st.text(alphabet=string.ascii_letters + string.digits + "_-./$~*():@ ", min_size=1, max_size=16)
text = st.one_of(plain, st.sampled_from(TRICKY), st.text(max_size=8))


def _reference_yaml(data: object) -> str:
    return str(yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100000))


suggestion_like = st.recursive(
    st.dictionaries(st.one_of(plain, st.sampled_from(TRICKY)),
                    st.one_of(text, st.booleans(), st.lists(text, max_size=4)), max_size=4),
    lambda inner: st.dictionaries(st.one_of(plain, st.sampled_from(TRICKY)),
                                  st.one_of(inner, text, st.lists(text, max_size=3)), max_size=3),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(suggestion_like)
def test_suggestion_yaml_is_pyyaml_byte_for_byte(data: dict[str, object]) -> None:
    want = _reference_yaml(data)
    fast = _block_yaml(data)
    assert fast is None or fast == want
    assert _yaml(data) == want


def test_suggestion_yaml_fast_path_covers_the_usual_shapes() -> None:
    data = {"allowed-tools": "Bash(curl:*) Bash(jq:*) WebFetch(domain:api.github.com) Read(~/.ssh/**)",
            "metadata": {"openclaw": {"requires": {"bins": ["git", "*"], "env": ["API_TOKEN"]}, "primaryEnv": "API_TOKEN"}},
            "permissions": {"shell": False, "files": {"read": ["*"], "write": ["$WORK/out"]}, "other": []},
            "network": True}
    assert _block_yaml(data) == _reference_yaml(data)


def test_suggestion_yaml_falls_back_for_what_it_does_not_model() -> None:
    shared = ["a"]
    for data in ({"a": shared, "b": shared}, {"a": [{"kind": "download"}]}, {"a": 1}, {"a": None}, {"a": "x\ny"},
                 {"a": "x" * 10_000}, {1: "a"}, {}):
        assert _block_yaml(data) is None
        assert _yaml(data) == _reference_yaml(data)  # type: ignore[arg-type]


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_json_writer_is_json_dumps_indent_2(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_json_writer_edge_cases() -> None:
    value: object
    for value in ({}, [], {"a": {}}, [[[]]], {2: 2, 1.5: "x", True: 1, None: [None], False: -0.0},
                  [math.nan, math.inf, -math.inf, 1e-05, 1e300, 2**70], {"\u2028\x00\x7f\ud800é\"\\": "\x1f\n\t"},
                  {Channel.CODE: Channel.MANIFEST, "sev": Channel.CODE}, "top", 5, None):
        assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
    # the memoised key texts are per indent and per position: the same keys at other depths and orders
    nested = {"a": 1, "b": {"b": 2, "a": [{"a": 3, "b": 4}, {"b": 5, "a": 6}]}}
    assert dumps(nested) == json.dumps(nested, indent=2, ensure_ascii=False)


def test_fingerprints_agree_with_finding_fingerprint() -> None:
    fs = (finding("unscoped-bash-preapproval", "m", "SKILL.md", 3, snippet="allowed-tools:  Bash"),
          finding("unscoped-bash-preapproval", "m", "SKILL.md", 9, snippet="allowed-tools: Bash  "),
          finding("unscoped-bash-preapproval", "m", "other.md", 1, snippet="allowed-tools: Bash"),
          finding("unscoped-bash-preapproval", "m", "SKILL.md", 12, snippet="allowed-tools:\tBash"),
          finding("load-time-command", "m", "SKILL.md", 2, snippet="é \u2028 x"))
    want: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for f in fs:
        key = (f.rule_id, f.location.path, " ".join(f.location.snippet.split()))
        want.append(f.fingerprint(seen.get(key, 0)))
        seen[key] = seen.get(key, 0) + 1
    assert fingerprints(fs) == want
    assert len(set(want)) == len(want)  # the repeats got occurrence indexes


def test_memoised_capability_helpers_return_fresh_sets() -> None:
    tool = caps.agent_tool_capabilities("Bash(git:*)")
    tool.add(Capability("x"))
    assert Capability("x") not in caps.agent_tool_capabilities("Bash(git:*)")
    implied = caps.implied(Capability("fs.read", "~/.ssh/id_rsa"))
    assert implied == {Capability("secrets.read", "ssh")}
    implied.clear()
    assert caps.implied(Capability("fs.read", "~/.ssh/id_rsa")) == {Capability("secrets.read", "ssh")}
    closed = caps.closure([Capability("proc.exec", "/usr/bin/sudo"), Capability("env.read", "GITHUB_TOKEN")])
    assert closed == {Capability("proc.exec", "sudo"), Capability("proc.elevate"), Capability("env.read", "GITHUB_TOKEN"),
                      Capability("secrets.read", "env:GITHUB_TOKEN")}
    closed.add(Capability("y"))
    assert Capability("y") not in caps.closure([Capability("proc.exec", "sudo")])


def _missing_script_findings(tmp_path: Path, body: str) -> list[tuple[int, str]]:
    (tmp_path / "SKILL.md").write_text("---\nname: x\ndescription: y\n---\n" + body, encoding="utf-8")
    (tmp_path / "present.sh").write_text("echo hi\n", encoding="utf-8")
    [pkg] = load_inputs([str(tmp_path)], Limits())
    return [(f.location.line, f.location.snippet) for f in MissingScriptAnalyzer().analyze_package(pkg)]


def test_missing_script_prefilter_keeps_every_match(tmp_path: Path) -> None:
    # fenced blocks first, then inline spans; `present.sh` ships; `.SH` and `x.shell` are not scripts
    body = ("Run `./setup.sh` first.\n\n```bash\nsource env.bash\nbash tools/run.zsh\n./present.sh\n```\n"
            "Then `./go.command`, never `./setup.SH`.\r\nand `sh x.shell`\n")
    assert _missing_script_findings(tmp_path, body) == [
        (8, "source env.bash"), (9, "bash tools/run.zsh"), (5, "Run `./setup.sh` first."),
        (12, "Then `./go.command`, never `./setup.SH`.")]
    assert _missing_script_findings(tmp_path, "No scripts here: `make build`, `bash -c true`, shells.\n") == []


@pytest.mark.parametrize("names", [(), ("prose-clawhavoc-lure",),
                                   ("py-malicious-stealer", "lp-tunnel", "agent-skill-benign", "claude-plugin-full")])
def test_report_rendered_package_by_package_is_json_dumps_of_the_whole(names: tuple[str, ...]) -> None:
    from skillscan.engine import ScanOptions, scan
    from skillscan.report.json import render, report_dict

    root = Path(__file__).resolve().parent.parent / "fixtures"
    report = scan([str(root / n) for n in names], ScanOptions(jobs=1, use_cache=False))
    assert render(report) == json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
