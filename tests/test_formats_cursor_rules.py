"""Cursor rules (`.cursor/rules/*.mdc`): `alwaysApply` is a boolean; a YAML string spelling one
("true", "false") is read as that boolean, anything else as false, and `.cursorrules` always applies."""

from __future__ import annotations

import pytest

from skillscan.formats import find
from skillscan.formats.cursor_rules import always_apply
from skillscan.loaders.files import make_file


def _parse(text: str, path: str = ".cursor/rules/style.mdc") -> dict[str, object]:
    spec = find("cursor-rules")
    parsed = spec.parse("proj", (make_file(path, text.encode()),))
    rules = parsed.manifest["rules"]
    assert isinstance(rules, dict)
    rule = rules[path]
    assert isinstance(rule, dict)
    return rule


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("false", False), ('"false"', False), ('"true"', True), ("'False'", False),
    ('"yes please"', False), ("1", False), ("", False),
])
def test_always_apply_reads_a_boolean(value: str, expected: bool) -> None:
    rule = _parse(f"---\ndescription: Style.\nalwaysApply: {value}\n---\nUse tabs.\n")
    assert rule["alwaysApply"] is expected


def test_legacy_cursorrules_always_applies() -> None:
    assert _parse("Use tabs.\n", ".cursorrules")["alwaysApply"] is True


def test_always_apply_values() -> None:
    assert always_apply(True) and always_apply(" TRUE ") and not always_apply("no") and not always_apply(None)
