"""Tool, prompt and parameter descriptions an MCP client shows the model, from manifests shipped in a
package (MCPB `manifest.json`, registry `server.json`, `tools.json`, Gemini extensions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

MANIFEST_NAMES = frozenset({"manifest.json", "server.json", "tools.json", "mcp.json", ".mcp.json",
                            "gemini-extension.json", "dxt.json"})
DESCRIPTION_KEYS = frozenset({"description", "title", "text", "instructions", "prompt", "long_description",
                              "longDescription", "usage", "contextFileName_contents"})
MAX_DEPTH = 64  # real manifests nest tool schemas 14+ levels deep; the walk is iterative, the bound keeps paths short
MAX_STRINGS = 5000


def is_manifest(path: str) -> bool:
    return PurePosixPath(path).name.lower() in MANIFEST_NAMES


@dataclass(frozen=True)
class Descriptions:
    """The description-like strings of a manifest, and what the bounds left unread."""
    items: tuple[tuple[str, str], ...]  # (JSON path, text)
    capped: bool  # MAX_STRINGS descriptions were read and more were left
    too_deep: int  # objects and arrays nested deeper than MAX_DEPTH, not read


def descriptions(data: Any) -> Descriptions:
    """(JSON path, text) for every description-like string under tools/prompts/resources or at top level,
    at most MAX_STRINGS of them and no deeper than MAX_DEPTH levels (both bounds counted)."""
    items: list[tuple[str, str]] = []
    too_deep = 0
    capped = False
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack and len(items) < MAX_STRINGS:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            too_deep += 1
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                k = str(key)
                if isinstance(value, str) and (k in DESCRIPTION_KEYS or k.endswith(("description", "Description"))):
                    if value.strip():
                        if len(items) >= MAX_STRINGS:
                            capped = True
                            break
                        items.append((f"{where}.{k}", value))
                elif isinstance(value, (dict, list)):
                    stack.append((value, f"{where}.{k}", depth + 1))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{where}[{i}]", depth + 1))
    return Descriptions(tuple(items), capped or (len(items) >= MAX_STRINGS and bool(stack)), too_deep)


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def line_of_string(text: str, value: str) -> int:
    """1-based line where a JSON string value appears in the file (first 40 characters, as encoded)."""
    for probe in (json.dumps(value[:40])[1:-1], json.dumps(value[:40], ensure_ascii=False)[1:-1], value[:20]):
        if probe:
            idx = text.find(probe)
            if idx >= 0:
                return text.count("\n", 0, idx) + 1
    return 1
