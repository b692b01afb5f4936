"""Suggested declarations are safe to paste (skillscan.permissions.safe): never unscoped shell, never a
host a finding marks as malicious or throwaway, never a scope a parser may have mis-read."""

from __future__ import annotations

import pytest

from skillscan.model import Capability
from skillscan.permissions.safe import safe_to_suggest


@pytest.mark.parametrize("text", [
    "proc.shell",
    "net.egress[45.61.170.22]",               # a raw public IP
    "net.egress[203.0.113.7]",                # a documentation-range address in a lure
    "net.egress[pastebin.com]",               # a paste sink
    "net.egress[webhook.site]",               # a request catcher
    "code.remote[http://tools.example.net/install.sh]",  # plain http
    "code.remote[https://45.61.170.22/x.sh]",
    "fs.write[$WORK/+repage]",                # an ImageMagick option read as a path
    "fs.write[$WORK/[--repo]",                # a bracketed option read as a path
    "fs.read[$WORK/a b]",
    "proc.exec[-rf]",
    "proc.exec[$(id)]",
])
def test_unsafe_capabilities_are_never_suggested(text: str) -> None:
    assert not safe_to_suggest(Capability.parse(text))


@pytest.mark.parametrize("text", [
    "net.egress[api.github.com]",
    "net.egress[api.telegram.org]",
    "net.egress[search]",
    "net.egress[localhost]",
    "code.remote[https://get.docker.com]",
    "fs.write[$WORK/out/report.md]",
    "fs.read[~/.config/tool/config.toml]",
    "fs.write[/tmp/build]",
    "proc.exec[git]",
    "env.read[GITHUB_TOKEN]",
])
def test_ordinary_capabilities_are_suggested(text: str) -> None:
    assert safe_to_suggest(Capability.parse(text))


# --- every fixture and a sample of calib packages, rescanned with their suggestion applied ----------

import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from clirun import FIXTURES, REPO
from test_gate import _generic_caps, apply_suggestion, gate

CALIB = REPO.parent / "shared" / "corpus" / "calib" / "benign"
_UNSCOPED_BASH = re.compile(r"(?:^|[\s,\[])Bash(?:$|[\s,\]])", re.MULTILINE)
_RAW_IP = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


# known gap, reported to the formats owner: the openclaw writer cannot yet express a direct download
# install (`pkg.install[download:…]`), and does not hand it to the generic block either
KNOWN_GAPS = ("pkg.install[download:",)


def _calib_by_format(per_format: int = 2) -> list[Path]:
    """The first packages of every format in calib's manifest (so each format that can declare is rescanned
    on real packages, not only on fixtures)."""
    manifest = CALIB.parent / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    seen: dict[str, int] = {}
    out = []
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 7 or seen.get(cols[6], 0) >= per_format or not (CALIB / cols[1]).is_dir():
            continue
        seen[cols[6]] = seen.get(cols[6], 0) + 1
        out.append(CALIB / cols[1])
    return out


def _inputs() -> list[Path]:
    fixtures = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    calib = sorted(p for p in CALIB.iterdir() if p.is_dir())[::40] if CALIB.is_dir() else []
    return fixtures + sorted(set(calib) | set(_calib_by_format()))


def test_suggestions_are_safe_and_applying_them_adds_nothing(tmp_path: Path) -> None:
    work = tmp_path / "w"
    names = []
    for src in _inputs():
        name = f"{src.parent.name}--{src.name}"
        shutil.copytree(src, work / name, symlinks=True)
        names.append(name)
    before, _, _ = gate(*names, cwd=work)
    from skillscan.formats import FORMATS

    # every format with a writer (openclaw-skill is agent-skill's writer under another name) is rescanned
    writers = {fmt for spec in FORMATS if spec.write_suggestion is not None for fmt in spec.declarable}
    assert writers - {"openclaw-skill"} <= {p["format"] for p in before["packages"]}, writers
    for p in before["packages"]:
        for s in p["suggested_declarations"]:
            assert not _UNSCOPED_BASH.search(s["text"]), (p["root"], s["text"])
            assert not _RAW_IP.search(s["text"]), (p["root"], s["text"])
            assert "(./+" not in s["text"] and "(./[" not in s["text"], (p["root"], s["text"])
            if s["format"] != "generic":
                try:
                    apply_suggestion(work / p["root"], s)
                except (OSError, ValueError, yaml.YAMLError):
                    continue  # a manifest the test's simple writer cannot merge: judged by the scan alone
    after, _, _ = gate(*names, cwd=work)
    was = {p["root"]: p for p in before["packages"]}
    problems: dict[str, Any] = {}
    for p in after["packages"]:
        old = was.get(p["root"])
        if old is None:
            continue
        generic = {c for s in old["suggested_declarations"] if s["format"] == "generic"
                   for c in _generic_caps(yaml.safe_load(s["text"]))}
        # never suggested: unsafe to paste, or a credential store (it follows from the file read that reaches it)
        unsafe = {c for c in old["capabilities"]["undeclared"] if not safe_to_suggest(Capability.parse(c))
                  or (c.startswith("secrets.read[") and not c.startswith("secrets.read[env:"))}
        generic |= {"fs.delete" + c[len("fs.write"):] for c in generic if c.startswith("fs.write[")}
        left = {c for c in set(p["capabilities"]["undeclared"]) - generic - unsafe if not c.startswith(KNOWN_GAPS)}
        rules_before = {f["rule_id"] for f in old.get("findings", [])}
        # a capability disclosure that the manifest now declares something (`install-spec-declared`,
        # `openclaw-requires-declared`…) is the declaration itself showing, not a new finding about the code
        disclosures = {f["rule_id"] for f in p.get("findings", [])
                       if f["rule_id"].endswith("-declared") and f.get("class") == "capability"}
        new_rules = ({f["rule_id"] for f in p.get("findings", [])} - rules_before - disclosures
                     - {"unused-declared-capability"})
        if left or new_rules:
            problems[p["root"]] = {"undeclared": sorted(left), "new rules": sorted(new_rules)}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))
