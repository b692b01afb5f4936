"""The rule catalog: every engine's metadata is validated the same way; docs/rules.md is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import REPO, skillscan
from skillscan.catalog import CatalogError, get_catalog, load_catalog, yara_metadata
from skillscan.docs import rules_markdown
from skillscan.model import Confidence, RuleClass, Severity

CHECK = """\
id: {id}
title: A test rule
engine: python
class: capability
severity: high
confidence: medium
capability: net.egress
cwe: [CWE-200]
tags: [network]
docs:
  what: Reports a thing.
  why: The thing is bad.
  example: |
    ```python
    thing()
    ```
  remediation: Do not do the thing.
  references:
    - https://example.org/thing
"""

YARA = r'''
rule Miner_Stratum : miner
{
    meta:
        id = "test-miner-stratum"
        title = "Stratum mining pool URL"
        class = "malicious"
        severity = "critical"
        confidence = "high"
        capability = "compute.mine"
        cwe = "CWE-506"
        what = "Reports stratum+tcp:// pool URLs."
        why = "Mining \"steals\" compute."
        example = "stratum+tcp://pool.example:3333"
        remediation = "Remove the miner."
        reference = "https://example.org/a"
        reference2 = "https://example.org/b"
    strings:
        $a = "stratum+tcp://"
    condition:
        $a
}

private rule helper { condition: true }
'''

SEMGREP = """\
rules:
  - id: test-node-exec
    languages: [javascript]
    severity: ERROR
    message: child_process exec
    pattern: require('child_process').exec(...)
    metadata:
      title: Node child_process exec
      class: capability
      severity: medium
      confidence: low
      capability: proc.shell
      cwe: [CWE-78]
      what: Reports exec.
      why: A shell runs.
      example: "exec(cmd)"
      remediation: Use execFile.
      references: [https://nodejs.org/api/child_process.html]
"""


def rules_root(tmp_path: Path, checks: dict[str, str] | None = None, yara: str | None = None,
               semgrep: str | None = None) -> Path:
    root = tmp_path / "rules"
    (root / "checks").mkdir(parents=True)
    for name, text in (checks or {"test-rule": CHECK.format(id="test-rule")}).items():
        (root / "checks" / f"{name}.yaml").write_text(text)
    if yara is not None:
        (root / "yara").mkdir()
        (root / "yara" / "families.yar").write_text(yara)
    if semgrep is not None:
        (root / "semgrep").mkdir()
        (root / "semgrep" / "node.yaml").write_text(semgrep)
    return root


def test_check_metadata_is_parsed(tmp_path: Path) -> None:
    rule = load_catalog(rules_root(tmp_path)).rule("test-rule")
    assert (rule.title, rule.rule_class, rule.severity, rule.confidence) == (
        "A test rule", RuleClass.CAPABILITY, Severity.HIGH, Confidence.MEDIUM)
    assert rule.capability == "net.egress" and rule.cwe == ("CWE-200",) and rule.tags == ("network",)
    assert rule.docs.references == ("https://example.org/thing",)
    assert "thing()" in rule.docs.example and rule.engine == "python"


def test_yara_meta_is_parsed(tmp_path: Path) -> None:
    catalog = load_catalog(rules_root(tmp_path, yara=YARA))
    rule = catalog.rule("test-miner-stratum")
    assert rule.engine == "yara" and rule.rule_class is RuleClass.MALICIOUS and rule.severity is Severity.CRITICAL
    assert rule.capability == "compute.mine" and rule.cwe == ("CWE-506",)
    assert rule.docs.references == ("https://example.org/a", "https://example.org/b")
    assert rule.docs.why == 'Mining "steals" compute.'
    assert rule.source == "families.yar:Miner_Stratum"


def test_yara_rule_without_meta_id_is_an_error(tmp_path: Path) -> None:
    broken = YARA.replace('id = "test-miner-stratum"', "")
    with pytest.raises(CatalogError, match="no meta id"):
        load_catalog(rules_root(tmp_path, yara=broken))


def test_yara_metadata_skips_private_rules_and_never_swallows_a_neighbour() -> None:
    one_liners = 'private rule helper { condition: true }\nrule Two { meta: id = "two" condition: helper }\n'
    assert [name for name, _ in yara_metadata(YARA)] == ["Miner_Stratum"]
    parsed = dict(yara_metadata(one_liners + YARA))
    assert list(parsed) == ["Two", "Miner_Stratum"]
    assert parsed["Miner_Stratum"]["id"] == "test-miner-stratum"


def test_yara_metadata_agrees_with_yara_python() -> None:
    """The catalog reads YARA meta without compiling; it must read what yara-python compiles."""
    import yara

    files = sorted((REPO / "rules" / "yara").glob("*.yar"))
    for path in files + [None]:
        text = path.read_text(encoding="utf-8") if path else YARA
        parsed = dict(yara_metadata(text))
        compiled = yara.compile(source=text)
        for rule in compiled:
            if rule.is_private:
                assert rule.identifier not in parsed
                continue
            assert rule.identifier in parsed, (path, rule.identifier)
            for key, value in rule.meta.items():
                if not key.startswith("reference") and isinstance(value, str):
                    assert parsed[rule.identifier][key] == value, (path, rule.identifier, key)


def test_semgrep_metadata_is_parsed(tmp_path: Path) -> None:
    rule = load_catalog(rules_root(tmp_path, semgrep=SEMGREP)).rule("test-node-exec")
    assert rule.engine == "semgrep" and rule.confidence is Confidence.LOW and rule.severity is Severity.MEDIUM
    assert rule.capability == "proc.shell" and rule.cwe == ("CWE-78",)
    assert rule.docs.references == ("https://nodejs.org/api/child_process.html",)


def test_duplicate_id_across_engines_is_an_error(tmp_path: Path) -> None:
    dup = SEMGREP.replace("test-node-exec", "test-rule")
    with pytest.raises(CatalogError, match="duplicate rule id 'test-rule'"):
        load_catalog(rules_root(tmp_path, semgrep=dup))


def test_duplicate_id_within_yara_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog(rules_root(tmp_path, yara=YARA + YARA.replace("Miner_Stratum", "Miner_Two")))


@pytest.mark.parametrize("section", ["what", "why", "example", "remediation"])
def test_missing_docs_section_is_an_error(tmp_path: Path, section: str) -> None:
    lines = CHECK.format(id="test-rule").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith(f"{section}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    text = "\n".join(lines[:start] + lines[end:]) + "\n"
    with pytest.raises(CatalogError, match=f"lacks docs sections: {section}"):
        load_catalog(rules_root(tmp_path, checks={"test-rule": text}))


def test_missing_references_in_yara_is_an_error(tmp_path: Path) -> None:
    broken = "\n".join(ln for ln in YARA.splitlines() if "reference" not in ln)
    with pytest.raises(CatalogError, match="references"):
        load_catalog(rules_root(tmp_path, yara=broken))


def test_missing_semgrep_docs_is_an_error(tmp_path: Path) -> None:
    broken = SEMGREP.replace("      remediation: Use execFile.\n", "")
    with pytest.raises(CatalogError, match="remediation"):
        load_catalog(rules_root(tmp_path, semgrep=broken))


@pytest.mark.parametrize(("old", "new", "match"), [
    ("id: test-rule", "id: Test_Rule", "kebab-case"),
    ("class: capability", "class: suspicious", "bad class"),
    ("severity: high", "severity: severe", "bad class/severity"),
    ("title: A test rule", "title: ''", "lacks title"),
])
def test_invalid_check_metadata(tmp_path: Path, old: str, new: str, match: str) -> None:
    text = CHECK.format(id="test-rule").replace(old, new)
    name = "Test_Rule" if "Test_Rule" in new else "test-rule"
    with pytest.raises(CatalogError, match=match):
        load_catalog(rules_root(tmp_path, checks={name: text}))


def test_check_file_name_must_be_the_id(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="file name must be the rule id"):
        load_catalog(rules_root(tmp_path, checks={"other-name": CHECK.format(id="test-rule")}))


def test_digest_covers_the_rule_data(tmp_path: Path) -> None:
    root = rules_root(tmp_path)
    first = load_catalog(root).digest
    assert load_catalog(root).digest == first
    (root / "checks" / "test-rule.yaml").write_text(CHECK.format(id="test-rule").replace("thing.", "thing!"))
    assert load_catalog(root).digest != first


def test_shipped_catalog_loads() -> None:
    catalog = get_catalog()
    assert "unscoped-bash-preapproval" in catalog and "analysis-incomplete" in catalog
    assert [r.id for r in catalog.sorted()] == sorted(catalog.rules)


# --- generated docs --------------------------------------------------------------------------------

def test_docs_rules_md_is_current() -> None:
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(get_catalog().sorted()), (
        "docs/rules.md is stale: regenerate it with `python -m skillscan.docs > docs/rules.md`")


def test_rules_markdown_command_matches_the_module() -> None:
    proc = skillscan("rules", "--format", "markdown")
    assert proc.returncode == 0
    assert proc.stdout == rules_markdown(get_catalog().sorted())


def test_rules_md_has_an_anchor_and_every_section_per_rule(tmp_path: Path) -> None:
    catalog = load_catalog(rules_root(tmp_path, yara=YARA, semgrep=SEMGREP))
    page = rules_markdown(catalog.sorted())
    for rule in catalog.sorted():
        section = page.split(f"\n### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        for heading in ("What it does", "Why is this bad?", "Example", "Remediation", "References"):
            assert f"#### {heading}\n" in section, (rule.id, heading)
        assert f"| [{rule.id}](#{rule.id}) |" in page
    # malicious first, then capability, then hygiene
    assert page.index("### test-miner-stratum") < page.index("### test-node-exec")
    assert page.count("\n## ") == 2  # two classes present
