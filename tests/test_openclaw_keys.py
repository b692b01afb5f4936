"""One list of OpenClaw metadata keys: the loader (which names a package openclaw-skill) and permit
(which reads the block's grants) agree on every alias, `dna` included (REFERENCE: parse all aliases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import make_skill, scan_json

from skillscan.formats.agent_skill import OPENCLAW_KEYS, openclaw_block

FM = ("name: summarize\ndescription: Summarize a web page with the summarize tool. Use when asked for a summary.\n"
      "metadata:\n  {key}:\n    requires:\n      bins: [jq]\n    always: true\n")


def test_every_alias_is_one_list() -> None:
    assert OPENCLAW_KEYS == ("openclaw", "clawdbot", "clawdis", "dna")
    for key in OPENCLAW_KEYS:
        assert openclaw_block({key: {"always": True}}) == (key, {"always": True})


@pytest.mark.parametrize("key", ["clawdis", "dna"])
def test_alias_block_is_openclaw_for_loader_and_permit(tmp_path: Path, key: str) -> None:
    pkg = make_skill(tmp_path, "summarize", FM.format(key=key), "Run `jq . data.json` to read the data.\n")
    data, proc = scan_json("--no-cache", str(pkg), cwd=tmp_path)
    (p,) = data["packages"]
    assert p["format"] == "openclaw-skill", proc.stderr
    assert "skill-always-on" in {f["rule_id"] for f in p["findings"]}
    # the loader sees `always: true` (was: only permit did, and called the grant unused)
    assert not [f for f in p["findings"] if f["rule_id"] == "unused-declared-capability"
                and "persist[always-on]" in f["message"]]
    assert "persist[always-on]" in {i["capability"] for i in p["capabilities"]["inferred"]}
