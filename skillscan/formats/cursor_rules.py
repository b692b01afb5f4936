"""Cursor rules: `.cursor/rules/*.mdc` (frontmatter `description`, `globs`, `alwaysApply`) and the legacy
`.cursorrules` — pure instructions, always or automatically loaded, no execution surface."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import PackageFile


def always_apply(value: Any) -> bool:
    """`alwaysApply` is a boolean; a string spelling one (`"true"`, quoted in YAML) counts as it, and
    anything else (`"false"`, a number, a list) is false — a non-empty string is not true."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_cursor_rules(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    rules: dict[str, Any] = {}
    first = ""
    for f in files:
        if f.virtual:
            continue
        if f.path == ".cursorrules" or (f.path.startswith(".cursor/rules/") and f.path.endswith(".mdc")):
            first = first or f.path
            if f.text is None or f.truncated:
                rules[f.path] = {}
                continue
            fm = parse_frontmatter(f.text)
            rules[f.path] = {"frontmatter": fm.data if fm.present and not fm.error else {},
                             "alwaysApply": always_apply(fm.data.get("alwaysApply")) or f.path == ".cursorrules"}
    return Parsed(name=PurePosixPath(root.rstrip("/")).name or root, format="cursor-rules",
                  manifest={"rules": rules}, manifest_path=first)


CURSOR_RULES = FormatSpec(name="cursor-rules", markers=(".cursor/rules/*.mdc", ".cursorrules"),
                          parse=parse_cursor_rules, priority=1, declarable={"cursor-rules": frozenset()})
