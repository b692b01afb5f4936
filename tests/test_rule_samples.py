"""Every rule of every engine has annotated samples, and they behave as annotated."""

from __future__ import annotations

from pathlib import Path

import pytest

from samples import check_samples
from skillscan.catalog import get_catalog

RULES_DIR = Path(__file__).parent / "rules"


@pytest.fixture(scope="module")
def results() -> tuple[list[str], dict[str, set[str]]]:
    return check_samples(RULES_DIR, jobs=2)


def test_samples_behave_as_annotated(results: tuple[list[str], dict[str, set[str]]]) -> None:
    failures, _ = results
    assert not failures, "\n".join(failures)


def test_every_rule_has_positive_and_negative_samples(results: tuple[list[str], dict[str, set[str]]]) -> None:
    _, coverage = results
    missing = [f"{rid}: needs {', '.join(sorted({'ruleid', 'ok'} - coverage.get(rid, set())))}"
               for rid in sorted(get_catalog().rules) if coverage.get(rid, set()) != {"ruleid", "ok"}]
    assert not missing, "\n".join(missing)


def test_annotations_name_known_rules(results: tuple[list[str], dict[str, set[str]]]) -> None:
    _, coverage = results
    unknown = sorted(set(coverage) - set(get_catalog().rules))
    assert not unknown, unknown


def test_harness_catches_a_rule_firing_on_an_ok_line(tmp_path: Path) -> None:
    pkg = tmp_path / "tooling"
    pkg.mkdir()
    (pkg / "SKILL.md").write_text(
        "---\nname: tooling\ndescription: x\n# ok: unscoped-bash-preapproval\nallowed-tools: Bash\n---\nbody\n")
    failures, coverage = check_samples(tmp_path)
    assert any("fired on an ok: line" in f for f in failures)
    assert coverage["unscoped-bash-preapproval"] == {"ok"}


def test_harness_catches_a_rule_that_does_not_fire(tmp_path: Path) -> None:
    pkg = tmp_path / "quiet"
    pkg.mkdir()
    (pkg / "SKILL.md").write_text(
        "---\nname: quiet\ndescription: x\n# ruleid: unscoped-bash-preapproval\nallowed-tools: Bash(git:*)\n---\n")
    failures, _ = check_samples(tmp_path)
    assert any("expected unscoped-bash-preapproval to fire" in f for f in failures)
