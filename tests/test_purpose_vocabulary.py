"""One vocabulary of purpose (issue 17): what a skill states it is for is read in one place — the kinds of
`rules/purpose/kinds.yaml`, by `skillscan/purpose/kinds.py` — both by the decide stage (policy_coherent.py) and
by the prose detectors' first check (`coherent_kinds` in rules/instructions/*.yaml). No rule file keeps a
purpose word list of its own, every kind a detector names exists, and the reader answers in English and
Chinese with the word that states the kind."""

from __future__ import annotations

import pytest

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.catalog import rules_dir
from skillscan.purpose.kinds import first_stated, known_ids, load_kinds
from skillscan.ruledata import load_yaml_file

INSTRUCTIONS = sorted((rules_dir() / "instructions").glob("*.yaml"))


def _coherent(name: str) -> list[tuple[str, str]]:
    spec = (load_yaml_file(rules_dir() / "instructions" / f"{name}.yaml") or {}).get("coherent_kinds")
    if spec is None:
        return []
    return [(name, fam) for fam in spec] if isinstance(spec, dict) else [(name, "")]


DETECTORS = [pair for path in INSTRUCTIONS for pair in _coherent(path.stem)]


def test_no_rule_file_keeps_its_own_purpose_words() -> None:
    for path in INSTRUCTIONS:
        data = load_yaml_file(path) or {}
        assert not [k for k in data if k.startswith("coherent") and k != "coherent_kinds"], path.name


def test_the_detectors_name_kinds() -> None:
    assert len(DETECTORS) >= 18  # sabotage's families, cookies, host reach, relay, anchor, scope, marker, …


@pytest.mark.parametrize(("name", "family"), DETECTORS, ids=[f"{n}.{f}" if f else n for n, f in DETECTORS])
def test_every_kind_a_detector_names_exists(name: str, family: str) -> None:
    ids = g.coherent_kinds(name, family)
    assert ids and set(ids) <= {k.id for k in load_kinds()}


def test_an_unknown_kind_is_a_broken_rule_file() -> None:
    with pytest.raises(TypeError, match="unknown purpose kinds"):
        known_ids(["memory", "no-such-kind"], "rules/instructions/x.yaml")


@pytest.mark.parametrize(("kinds", "text", "word"), [
    (("legal",), "legal research over case law for a litigation team", "legal"),
    (("legal",), "为律师检索判例和法律条文", "判例"),
    (("persona",), "replies as a pirate persona in every answer", "persona"),
    (("persona",), "设定人设并以角色扮演方式回复", "人设"),
    (("summarising", "triage"), "summarizes long threads into a digest", "summarizes"),
    (("summarising",), "把长文总结为摘要", "总结"),
    (("memory", "agent-context", "project-setup"), "bootstraps a project and writes its cursor rules", "cursor rules"),
    (("access-control",), "audits IAM roles for least privilege", "iam"),
    (("phishing-awareness",), "runs phishing simulations for security awareness training", "phishing simulations"),
    (("phishing-awareness",), "组织钓鱼演练", "钓鱼演练"),
])
def test_the_reader_names_the_word(kinds: tuple[str, ...], text: str, word: str) -> None:
    assert first_stated(kinds, text.lower()) == word


@pytest.mark.parametrize(("kinds", "text"), [
    (("legal",), "converts lawn-care invoices"),  # whole words only
    (("persona",), "strips invisible characters from text"),  # characters are not a character persona
    (("summarising",), "extracts tables from PDF files"),
    (("access-control",), "pampers the user with compliments"),
    (("phishing-awareness",), "a security scanner for dependencies"),  # security is not phishing training
    (("legal",), "为照片添加滤镜"),
])
def test_the_reader_stays_silent(kinds: tuple[str, ...], text: str) -> None:
    assert first_stated(kinds, text.lower()) is None


def test_a_sabotage_family_reads_the_same_kinds() -> None:
    assert g.coherent("memory", "a notes and memory helper") == "notes"
    assert g.coherent("memory", "converts slides to pdf") is None
    assert g.coherent("escrow", "nightly backups of the team wiki") == "backups"


# key and credential management as a subject, in either language, is the kind `secret-management` (read by the
# escrow family), never `secrets` (a store or a rotation tool, read by the secrets family and by decide)
@pytest.mark.parametrize("text", ["audits a project's key management and credential management",
                                  "审计项目的密钥管理和凭据管理", "检查团队的凭证管理流程"])
def test_key_management_is_one_kind_in_both_languages(text: str) -> None:
    assert first_stated(("secret-management",), text.lower()) is not None
    assert first_stated(("secrets",), text.lower()) is None
    assert g.coherent("secrets", text.lower()) is None
    assert g.coherent("escrow", text.lower()) is not None


@pytest.mark.parametrize(("text", "word"), [("syncs the project's secrets into the team's secrets manager",
                                             "secrets manager"),
                                            ("将项目的密钥同步到团队的保险库", "保险库"),
                                            ("a password management helper", "password management"),
                                            ("密码管理助手", "密码管理")])
def test_a_secret_store_is_the_secrets_kind_in_both_languages(text: str, word: str) -> None:
    assert g.coherent("secrets", text.lower()) == word
