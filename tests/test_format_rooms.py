"""A format is one room: what each format's manifest declares, how a suggested declaration is written in
it and which of its fields the manifest analyzer reports live in skillscan/formats/<format>.py behind
`FormatSpec` (declare, write_suggestion, field_notes); permit only iterates the formats. The permit stage
reads the frontmatter the loader recorded on the Package and the one OpenClaw block parser."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from clirun import make_package

from skillscan.formats import FORMATS, spec_for
from skillscan.formats.agent_skill import openclaw_block
from skillscan.loaders.discover import load_inputs
from skillscan.model import Capability, Channel, Confidence, Evidence, InferredCapability
from skillscan.permissions.declared import declared_capabilities
from skillscan.permissions.suggest import suggest

ROOT = Path(__file__).resolve().parent.parent
PERMIT = ROOT / "skillscan" / "permissions"


def _skill(tmp_path: Path, frontmatter: str, body: str = "Summarise the page.\n") -> Path:
    return make_package(tmp_path, "summarize", {"SKILL.md": f"---\n{frontmatter}---\n{body}"})


def test_every_parsed_format_name_leads_to_its_spec() -> None:
    for spec in FORMATS:
        assert spec_for(spec.name) is spec
        for name in spec.declarable:
            assert spec_for(name) is spec
    assert spec_for("generic") is None
    # the formats whose manifests have fields of their own read them themselves
    readers = {s.name for s in FORMATS if s.declare is not None}
    assert readers == {"claude-plugin", "codex-skill", "dify-plugin", "gemini-extension", "mcp-server", "mcpb"}
    writers = {s.name for s in FORMATS if s.write_suggestion is not None}
    assert writers == readers | {"agent-skill"}


def test_permit_neither_parses_frontmatter_nor_knows_a_format() -> None:
    """The declared, suggestion and permit modules neither parse frontmatter nor test a format's name."""
    for path in (PERMIT / n for n in ("declared.py", "suggest.py", "surfaces.py", "permit.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module != "skillscan.loaders.frontmatter", path.name
            if isinstance(node, ast.Compare):  # no `fmt == "mcp-server"` chains
                for c in node.comparators:
                    assert not (isinstance(c, ast.Constant) and c.value in {s.name for s in FORMATS}), path.name


def test_declared_reads_the_frontmatter_the_loader_recorded(tmp_path: Path) -> None:
    d = _skill(tmp_path, "name: summarize\ndescription: Summarize pages.\nallowed-tools: Bash(jq:*) WebFetch\n")
    (pkg,) = load_inputs([str(d)])
    assert set(pkg.frontmatter) == {"SKILL.md"}
    declared = {str(x.capability) for x in declared_capabilities(pkg).declarations}
    assert {"proc.exec[jq]", "net.egress[*]"} <= declared
    # without the loader's record there is nothing to read: permit does not parse the file again
    assert "proc.exec[jq]" not in {str(x.capability) for x in
                                   declared_capabilities(replace(pkg, frontmatter={})).declarations}


def test_one_openclaw_parser_for_loader_and_permit(tmp_path: Path) -> None:
    """A block written as a YAML string (not JSON) is the OpenClaw block for the loader and for permit alike;
    before, permit decoded such strings as JSON only and missed its grants."""
    assert openclaw_block({"openclaw": "requires: {bins: [jq]}"}) == ("openclaw", {"requires": {"bins": ["jq"]}})
    d = _skill(tmp_path, "name: summarize\ndescription: Summarize pages.\nmetadata:\n"
                         "  openclaw: 'requires: {bins: [jq], env: [SUMMARY_TOKEN]}'\n")
    (pkg,) = load_inputs([str(d)])
    assert pkg.format == "openclaw-skill"
    declared = {str(x.capability) for x in declared_capabilities(pkg).declarations}
    assert {"proc.exec[jq]", "env.read[SUMMARY_TOKEN]"} <= declared


def test_each_format_writes_its_own_suggestion(tmp_path: Path) -> None:
    d = tmp_path / "srv"
    d.mkdir()
    (d / "server.json").write_text('{"name": "io.example/srv", "description": "x", "version": "1.0.0",'
                                   ' "packages": [{"registryType": "npm", "identifier": "srv", "version": "1.0.0"}]}',
                                   encoding="utf-8")
    (pkg,) = load_inputs([str(d)])
    assert pkg.format == "mcp-server"
    ev = (Evidence(path="server.json", line=1, rule_id="x", channel=Channel.CODE, confidence=Confidence.HIGH),)
    inferred = [InferredCapability(Capability("env.read", "API_TOKEN"), ev),
                InferredCapability(Capability("fs.read", "~/.ssh/**"), ev)]
    native, generic = suggest(pkg, inferred, declared_capabilities(pkg))
    assert (native.format, native.path) == ("mcp-server", "server.json")
    assert native.data == {"environmentVariables": [{"name": "API_TOKEN", "isSecret": True}]}
    assert generic.format == "generic" and generic.data["permissions"]["files"] == {"read": ["~/.ssh/**"]}
