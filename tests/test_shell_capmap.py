"""argv → capabilities is data: `rules/capabilities/shell.yaml` can be extended without code changes,
and every rule it names is in the catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from skillscan.analyzers.shell import CommandContext, ShellFileAnalyzer, analyze_command
from skillscan.analyzers.shell.capmap import ENV_VAR, CapmapError, load_capmap, parse_capmap, parse_options
from skillscan.catalog import get_catalog, rules_dir
from skillscan.loaders.files import make_file
from skillscan.model import Package

CTX = CommandContext("scripts/x.sh")


@pytest.fixture()
def extended_map(tmp_path: Path) -> Path:
    copy = tmp_path / "shell.yaml"
    shutil.copy(rules_dir() / "capabilities" / "shell.yaml", copy)
    data = yaml.safe_load(copy.read_text(encoding="utf-8"))
    data["programs"].append({
        "names": ["frobnicate"],
        "hosts": "url",
        "rule": "shell-network-egress",
        "capabilities": ["net.egress[{host}]", "gpu.use[opencl]"],
        "when": [{"subcommand": ["tunnel"], "rule": "shell-tunnel", "capabilities": ["net.tunnel[frobnicate]"]}],
    })
    copy.write_text(yaml.safe_dump(data), encoding="utf-8")
    return copy


def test_a_new_map_entry_yields_a_new_capability_without_code_changes(extended_map: Path) -> None:
    cmd = "frobnicate tunnel https://relay.example.org/x"
    before = {str(c) for f in analyze_command(cmd, CTX) for c in f.capabilities}
    assert "net.tunnel[frobnicate]" not in before and "gpu.use[opencl]" not in before
    after = {str(c) for f in analyze_command(cmd, CTX, capmap=load_capmap(extended_map)) for c in f.capabilities}
    assert {"net.tunnel[frobnicate]", "gpu.use[opencl]", "net.egress[relay.example.org]"} <= after


def test_the_map_path_is_injectable_into_the_analyzers(extended_map: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = make_file("run.sh", b"frobnicate https://relay.example.org/\n")
    pkg = Package(input="p", root="p", format="generic", name="p")
    found = {str(c) for x in ShellFileAnalyzer(str(extended_map)).analyze_file(pkg, f).findings for c in x.capabilities}
    assert "gpu.use[opencl]" in found
    monkeypatch.setenv(ENV_VAR, str(extended_map))
    found = {str(c) for x in analyze_command("frobnicate", CTX) for c in x.capabilities}
    assert "gpu.use[opencl]" in found


def test_every_rule_in_the_map_is_in_the_catalog_with_the_shell_engine() -> None:
    catalog = get_catalog()
    m = load_capmap(rules_dir() / "capabilities" / "shell.yaml")
    assert m.rule_ids
    for rid in m.rule_ids:
        assert catalog.rule(rid).engine == "shell", rid


def test_bad_map_entries_are_rejected() -> None:
    with pytest.raises(CapmapError):
        parse_capmap({"programs": [{"rule": "shell-exec"}]})
    with pytest.raises(CapmapError):
        parse_capmap({"programs": [{"names": ["x"], "when": [{"arg_regex": "("}]}]})
    with pytest.raises(CapmapError):
        parse_capmap({"programs": [{"names": ["x"], "when": [{"any_flag": ["-x"]}]}]})


def test_option_parsing_clusters_values_and_long_options() -> None:
    p = parse_options(["-fNR", "80:localhost:22", "-i", "k", "user@h", "--", "-x"], frozenset({"-R", "-i"}))
    assert ("-R", "80:localhost:22") in p.flags and ("-N", None) in p.flags and ("-i", "k") in p.flags
    assert p.operands == (4, 6)
    p = parse_options(["--output=o", "--data", "x", "u"], frozenset({"--data"}))
    assert ("--output", "o") in p.flags and ("--data", "x") in p.flags and p.operands == (3,)
    p = parse_options(["/create", "/tn", "x", "/tmp/file"], frozenset(), windows=True)
    assert ("/create", None) in p.flags and p.operands == (2, 3)  # /tmp/file is a path, not an option
    p = parse_options(["/tmp/file"], frozenset())
    assert p.operands == (0,)


def test_unless_last_spares_a_known_last_operand_only(tmp_path: Path) -> None:
    copy = tmp_path / "shell.yaml"
    shutil.copy(rules_dir() / "capabilities" / "shell.yaml", copy)
    data = yaml.safe_load(copy.read_text(encoding="utf-8"))
    data["programs"].append({"names": ["frobnicate"], "when": [
        {"subcommand": ["link"], "unless_last": "^local/", "rule": "shell-tunnel", "capabilities": ["net.tunnel[frob]"]}]})
    copy.write_text(yaml.safe_dump(data), encoding="utf-8")
    cm = load_capmap(copy)

    def tunnels(cmd: str) -> bool:
        return any(str(c) == "net.tunnel[frob]" for f in analyze_command(cmd, CTX, capmap=cm) for c in f.capabilities)

    assert tunnels("frobnicate link remote/x")
    assert not tunnels("frobnicate link local/x")
    assert tunnels('frobnicate link "$(pick)"')  # a last operand known only at run time is not spared
