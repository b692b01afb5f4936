"""The messages of capability-map rules, read from `rules/capabilities/shell-messages.yaml` (data, not
code) and filled in once per finding."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.catalog import rules_dir

_FIELD = re.compile(r"\{(name|host|peer|arg1)\}")


@lru_cache(maxsize=1)
def _templates() -> dict[str, str]:
    from skillscan.yamlsafe import load_yaml

    data = load_yaml((rules_dir() / "capabilities" / "shell-messages.yaml").read_text(encoding="utf-8"))
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        raise ValueError("shell-messages.yaml: `messages` must be a mapping of rule id to template")
    return {str(k): str(v) for k, v in messages.items()}


def program_message(rule: str, name: str, fill: dict[str, str]) -> str:
    """The sentence for `rule` reported on program `name`; `fill` holds host and arg1."""
    template = _templates().get(rule)
    if template is None:
        return f"`{name}`: {rule}"
    host = fill.get("host", "*")
    values = {"name": name, "host": host, "peer": host if host != "*" else "a network host",
              "arg1": fill.get("arg1", "data")}
    return _FIELD.sub(lambda m: values[m.group(1)], template)
