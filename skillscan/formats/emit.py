"""How a suggested declaration is written as text: the `Suggestion` record every format's writer returns,
and deterministic YAML/JSON text for it."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from skillscan.capabilities.grammar import is_credential_env
from skillscan.model import Capability, InferredCapability


@dataclass(frozen=True)
class Suggestion:
    format: str
    path: str  # the manifest file the fragment belongs in ("" = no native file)
    text: str
    data: dict[str, Any]


def yaml_suggestion(fmt: str, path: str, data: dict[str, Any]) -> Suggestion:
    return Suggestion(fmt, path, _yaml(data), data)


def json_suggestion(fmt: str, path: str, data: dict[str, Any]) -> Suggestion:
    return Suggestion(fmt, path, json.dumps(data, indent=2, sort_keys=True) + "\n", data)


def _yaml(data: dict[str, Any]) -> str:
    fast = _block_yaml(data)
    if fast is not None:
        return fast
    return str(yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100000))


# PyYAML's emitter is pure Python and cost more than the rest of the gate: the shapes a suggestion takes
# (nested mappings of strings, booleans and lists of strings) are written here exactly as `safe_dump`
# above writes them, deciding each scalar's style with PyYAML's own analysis and resolver. Anything
# else (other types, shared objects, long or multi-line strings, keys that are not plain) goes to
# PyYAML. tests/test_gate_fast_paths.py compares the two on generated data.
MAX_FAST_SCALAR = 4096
_STR_TAG = "tag:yaml.org,2002:str"
_dumper: list[Any] = []


def _safe_dumper() -> Any:
    """A SafeDumper configured as `_yaml`'s, used only for its scalar analysis and its resolver."""
    if not _dumper:
        _dumper.append(yaml.SafeDumper(io.StringIO(), allow_unicode=True, width=100000))
    return _dumper[0]


@lru_cache(maxsize=4096)
def _scalar(value: str, key: bool) -> str | None:
    """`value` as `safe_dump` writes it after `key: ` (or as a key), or None when it is not a simple case."""
    if not value or len(value) > MAX_FAST_SCALAR:
        return None
    dumper = _safe_dumper()
    a = dumper.analyze_scalar(value)
    if a.multiline or a.empty:
        return None
    if dumper.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG and a.allow_block_plain:
        return value
    if key or not a.allow_single_quoted:
        return None
    return "'" + value.replace("'", "''") + "'"


def _block_yaml(data: Any) -> str | None:
    if not isinstance(data, dict) or not data:
        return None
    lines: list[str] = []
    seen: set[int] = set()
    return "".join(lines) if _mapping(data, "", lines, seen) else None


def _mapping(data: dict[Any, Any], indent: str, lines: list[str], seen: set[int]) -> bool:
    if id(data) in seen or not all(type(k) is str for k in data):
        return False
    seen.add(id(data))
    for k in sorted(data):
        v = data[k]
        key = _scalar(k, True)
        if key is None or len(key) > 100:
            return False
        t = type(v)
        if t is str:
            text = _scalar(v, False)
            if text is None:
                return False
            lines.append(f"{indent}{key}: {text}\n")
        elif t is bool:
            lines.append(f"{indent}{key}: {'true' if v else 'false'}\n")
        elif t is dict:
            if not v:
                lines.append(f"{indent}{key}: {{}}\n")
                continue
            lines.append(f"{indent}{key}:\n")
            if not _mapping(v, indent + "  ", lines, seen):
                return False
        elif t is list:
            if not v:
                lines.append(f"{indent}{key}: []\n")
                continue
            if id(v) in seen:
                return False
            seen.add(id(v))
            lines.append(f"{indent}{key}:\n")
            for item in v:
                text = _scalar(item, False) if type(item) is str else None
                if text is None:
                    return False
                lines.append(f"{indent}- {text}\n")
        else:
            return False
    return True


def env_names(caps: Sequence[Capability]) -> list[str]:
    """The named environment variables among the needed capabilities."""
    return sorted({c.scope for c in caps if c.kind == "env.read" and c.scope and c.scope != "*"})


def needed_env(caps: Sequence[Capability], inferred: Sequence[InferredCapability]) -> list[tuple[str, bool]]:
    """Each named environment variable among the needed capabilities, with whether it holds a secret (the
    findings read it as one, or its name says it is a credential) — what every env-declaring format writes."""
    secret = secret_env_names(inferred)
    return [(e, e in secret or is_credential_env(e)) for e in env_names(caps)]


def without_env(caps: Sequence[Capability]) -> list[Capability]:
    """The needed capabilities an environment declaration does not cover."""
    return [c for c in caps if c.kind != "env.read"]


def secret_env_names(inferred: Sequence[InferredCapability]) -> set[str]:
    """Environment variables the findings read as secrets (`secrets.read[env:NAME]`)."""
    return {(c.scope or "")[4:] for ic in inferred for c in [ic.capability]
            if c.kind == "secrets.read" and (c.scope or "").startswith("env:")}
