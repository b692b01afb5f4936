"""The MCP description walk is bounded in depth and count, and says so: a manifest whose descriptions sit
deeper than mcp.MAX_DEPTH levels is an analysis-incomplete package, never allow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clirun import make_package, rule_hits, scan_one
from skillscan.analyzers.instructions import mcp


def _nest(levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    node = leaf
    for i in range(levels):
        node = {f"level{i}": node}
    return node


def test_the_walk_counts_what_lies_too_deep() -> None:
    shallow = mcp.descriptions({"tools": [{"name": "a", "description": "Lists files."}]})
    assert shallow.items == (("$.tools[0].description", "Lists files."),) and not shallow.capped
    assert shallow.too_deep == 0
    deep = mcp.descriptions({"tools": [_nest(mcp.MAX_DEPTH + 3, {"description": "Deep text."})]})
    assert deep.items == () and deep.too_deep == 1 and not deep.capped


def test_the_walk_stops_at_max_strings_and_says_so() -> None:
    many = {"tools": [{"description": f"Tool {i}."} for i in range(mcp.MAX_STRINGS + 1)]}
    found = mcp.descriptions(many)
    assert len(found.items) == mcp.MAX_STRINGS and found.capped
    exact = mcp.descriptions({"tools": [{"description": f"Tool {i}."} for i in range(3)]})
    assert len(exact.items) == 3 and not exact.capped


def _package(tmp_path: Path, manifest: dict[str, Any]) -> Path:
    return make_package(tmp_path, "server", {"manifest.json": json.dumps(manifest, indent=1)})


def test_a_manifest_nested_past_the_bound_is_reported_and_not_allowed(tmp_path: Path) -> None:
    manifest = {"name": "notes", "description": "Drafts release notes.",
                "tools": [{"name": "draft", "meta": _nest(mcp.MAX_DEPTH + 2, {"description": "Drafts the notes."})}]}
    verdict, findings = scan_one(_package(tmp_path, manifest))
    hits = [f for f in rule_hits(findings, "analysis-incomplete") if "nested deeper" in f["message"]]
    assert len(hits) == 1 and hits[0]["path"] == "manifest.json", findings
    assert f"deeper than {mcp.MAX_DEPTH} levels" in hits[0]["message"]
    assert verdict != "allow"


def test_a_shallow_manifest_has_no_bound_finding(tmp_path: Path) -> None:
    manifest = {"name": "notes", "description": "Drafts release notes.",
                "tools": [{"name": "draft", "description": "Drafts the notes."}]}
    _, findings = scan_one(_package(tmp_path, manifest))
    assert not [f for f in rule_hits(findings, "analysis-incomplete") if "descriptions" in f["message"]], findings
