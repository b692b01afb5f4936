"""Tool, prompt and parameter descriptions an MCP client shows the model, from manifests shipped in a
package (MCPB `manifest.json`, registry `server.json`, `tools.json`, Gemini extensions)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

MANIFEST_NAMES = frozenset({"manifest.json", "server.json", "tools.json", "mcp.json", ".mcp.json",
                            "gemini-extension.json", "dxt.json"})
DESCRIPTION_KEYS = frozenset({"description", "title", "text", "instructions", "prompt", "long_description",
                              "longDescription", "usage", "contextFileName_contents"})
MAX_DEPTH = 12
MAX_STRINGS = 5000


def is_manifest(path: str) -> bool:
    return PurePosixPath(path).name.lower() in MANIFEST_NAMES


def descriptions(data: Any) -> Iterator[tuple[str, str]]:
    """(JSON path, text) for every description-like string under tools/prompts/resources or at top level."""
    count = 0
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack and count < MAX_STRINGS:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                k = str(key)
                if isinstance(value, str) and (k in DESCRIPTION_KEYS or k.endswith(("description", "Description"))):
                    if value.strip():
                        count += 1
                        yield f"{where}.{k}", value
                elif isinstance(value, (dict, list)):
                    stack.append((value, f"{where}.{k}", depth + 1))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{where}[{i}]", depth + 1))


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
