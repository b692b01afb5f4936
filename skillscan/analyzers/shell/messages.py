"""The shell analyzer's finding messages, read from `rules/capabilities/shell-messages.yaml` (data, not
code): `messages` for the capability-map rules (one per rule id, `program_message`), `texts` for every
other sentence the shell analyzer writes (one per key, `say`), each filled in with named fields."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.catalog import rules_dir

_PROGRAM_FIELD = re.compile(r"\{(name|host|peer|arg1)\}")
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@lru_cache(maxsize=1)
def _data() -> dict[str, dict[str, str]]:
    from skillscan.ruledata import load_yaml_file  # parsed data cached on disk (start-up time)

    data = load_yaml_file(rules_dir() / "capabilities" / "shell-messages.yaml")
    out: dict[str, dict[str, str]] = {}
    for key in ("messages", "texts"):
        table = data.get(key) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            raise TypeError(f"shell-messages.yaml: `{key}` must be a mapping of name to template")
        out[key] = {str(k): str(v) for k, v in table.items()}
    return out


def texts() -> dict[str, str]:
    """Every `texts` template by key."""
    return _data()["texts"]


def program_message(rule: str, name: str, fill: dict[str, str]) -> str:
    """The sentence for `rule` reported on program `name`; `fill` holds host and arg1."""
    template = _data()["messages"].get(rule)
    if template is None:
        return f"`{name}`: {rule}"
    host = fill.get("host", "*")
    values = {"name": name, "host": host, "peer": host if host != "*" else "a network host",
              "arg1": fill.get("arg1", "data")}
    return _PROGRAM_FIELD.sub(lambda m: values[m.group(1)], template)


def say(key: str, **fields: object) -> str:
    """The `texts` sentence `key` with its named fields filled in. A field the template names must be
    given (KeyError otherwise); values are inserted as they are, never read as templates."""
    return _FIELD.sub(lambda m: str(fields[m.group(1)]), texts()[key])
