"""Rule data is found through `catalog.rules_dir()`, the one place that knows where `rules/` sits in a source
tree and in an installed wheel (`skillscan/rules`). A module that builds the path from its own `__file__`
works in a checkout and fails once installed — the CLI then stops with an internal error."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "skillscan"
_OWN_PATH = re.compile(r"__file__")
_RULES = re.compile(r"""/\s*["']rules["']""")


def test_no_module_but_the_catalog_finds_rules_from_its_own_path() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
                 if p.name != "catalog.py" and _OWN_PATH.search(t := p.read_text(encoding="utf-8")) and _RULES.search(t)]
    assert not offenders, offenders


def test_the_check_sees_the_pattern_it_forbids(tmp_path: Path) -> None:
    bad = 'FILE = Path(__file__).resolve().parents[2] / "rules" / "capabilities" / "x.yaml"\n'
    assert _OWN_PATH.search(bad) and _RULES.search(bad)
