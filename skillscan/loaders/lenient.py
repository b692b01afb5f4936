"""Frontmatter that a YAML parser rejects but host agents accept, read the way they read it.

`description: use the tool: send the report` is invalid YAML (a second `: ` in a plain scalar), yet the
agents load such skills. Read leniently, the frontmatter is a sequence of top-level `key:` blocks (a line
starting at column 0, then its indented continuation lines); each block is parsed as YAML on its own, and
a block that still fails keeps its text as a plain string (continuation lines joined by spaces, matching
quotes removed). Lines that are not a `key:` block are ignored. Linear in the text."""

from __future__ import annotations

import re
from typing import Any

from skillscan.yamlsafe import YamlError, load_yaml

_KEY = re.compile(r"^([^\s#:][^:]*?):(?:\s+|$)(.*)$")


def _blocks(raw: str) -> list[tuple[str, str, list[str]]]:
    blocks: list[tuple[str, str, list[str]]] = []
    for line in raw.split("\n"):
        if line[:1] in (" ", "\t") or not line.strip():
            if blocks:
                blocks[-1][2].append(line)
            continue
        m = _KEY.match(line)
        if m is None or line.startswith("#"):
            continue
        blocks.append((m.group(1).strip().strip("'\""), m.group(2), [line]))
    return blocks


def _plain(first: str, rest: list[str]) -> str:
    text = " ".join(part.strip() for part in [first, *rest[1:]] if part.strip())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def lenient_mapping(raw: str) -> dict[str, Any]:
    """The mapping a host agent reads from frontmatter `raw` that is not valid YAML as a whole."""
    out: dict[str, Any] = {}
    for key, first, lines in _blocks(raw):
        if key in out:
            continue  # the first occurrence, as YAML loaders that tolerate duplicates keep one
        try:
            data = load_yaml("\n".join(lines))
        except YamlError:
            data = None
        if isinstance(data, dict) and len(data) == 1:
            out[key] = next(iter(data.values()))
        else:
            out[key] = _plain(first, lines)
    return out
