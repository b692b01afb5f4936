"""YAML parsed safely: the C safe loader when present, a size cap, and a cap on alias expansion
(an alias bomb loads in milliseconds but walking it later hangs)."""

from __future__ import annotations

from typing import Any

import yaml

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - C extension missing
    _Base = yaml.SafeLoader

MAX_YAML_BYTES = 1024 * 1024
MAX_ALIASES = 100


class YamlError(ValueError):
    pass


def load_yaml(text: str, *, max_bytes: int = MAX_YAML_BYTES, max_aliases: int = MAX_ALIASES) -> Any:
    if len(text) > max_bytes:
        raise YamlError(f"YAML document larger than {max_bytes} bytes")
    try:
        aliases = 0
        # an alias is always written `*name`: without a `*` there is none, and no need for a first pass
        for event in yaml.parse(text, Loader=_Base) if "*" in text else ():
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > max_aliases:
                    raise YamlError(f"YAML uses more than {max_aliases} aliases (possible alias bomb)")
        return yaml.load(text, Loader=_Base)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise YamlError(f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
