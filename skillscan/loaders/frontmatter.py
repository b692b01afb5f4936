"""SKILL.md-style frontmatter: a YAML mapping between `---` lines at the top of a Markdown file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from skillscan.yamlsafe import YamlError, load_yaml


@dataclass(frozen=True)
class Frontmatter:
    data: dict[str, Any] = field(default_factory=dict)
    present: bool = False
    error: str = ""
    body: str = ""
    body_line: int = 1  # 1-based line where the body starts
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line


def parse_frontmatter(text: str) -> Frontmatter:
    """Parsed once per text: the loader, the manifest engine and the gate read the same SKILL.md one
    after the other (callers treat the result as read-only). Only texts up to MEMO_CHARS are kept, so
    the memo never holds the bodies of huge documents once their group is done."""
    return _parse(text) if len(text) <= MEMO_CHARS else _parse.__wrapped__(text)


MEMO_CHARS = 256 * 1024


@lru_cache(maxsize=512)  # two groups of packages: the loader parses a group before the gate reads it
def _parse(text: str) -> Frontmatter:
    stripped = text.lstrip("\ufeff")
    lines = stripped.split("\n")
    if not lines or lines[0].strip() != "---":
        return Frontmatter(body=stripped)
    end = None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            end = i
            break
    if end is None:
        return Frontmatter(present=True, error="frontmatter is not closed by a '---' line", body=stripped)
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    key_lines = {}
    for i, line in enumerate(lines[1:end], start=2):
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            key_lines.setdefault(line.split(":", 1)[0].strip().strip("'\""), i)
    try:
        data = load_yaml(raw)
    except YamlError as exc:  # reported (skill-frontmatter-invalid), and read as the host agents read it
        from skillscan.loaders.lenient import lenient_mapping

        return Frontmatter(data=lenient_mapping(raw), present=True, error=str(exc), body=body, body_line=end + 2,
                           key_lines=key_lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Frontmatter(present=True, error="frontmatter is not a mapping", body=body, body_line=end + 2,
                           key_lines=key_lines)
    return Frontmatter(data={str(k): v for k, v in data.items()}, present=True, body=body, body_line=end + 2,
                       key_lines=key_lines)
