"""The loader registry: each package format names the marker files that make a directory its root
and a parser that turns the package's files into a typed manifest and execution surfaces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillscan.model import PackageFile, Surface


@dataclass(frozen=True)
class Parsed:
    name: str
    format: str
    version: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_path: str = ""
    surfaces: tuple[Surface, ...] = ()
    errors: tuple[str, ...] = ()


Parser = Callable[[str, tuple[PackageFile, ...]], Parsed]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    markers: tuple[str, ...]  # paths relative to a candidate root; any one marks it
    parse: Parser
    priority: int = 0  # the highest-priority format present in a directory wins
    owns_nested: bool = False  # packages found below this root are reported inside it


_REGISTRY: list[FormatSpec] = []


def register(spec: FormatSpec) -> FormatSpec:
    if any(s.name == spec.name for s in _REGISTRY):
        raise ValueError(f"format {spec.name} registered twice")
    _REGISTRY.append(spec)
    _REGISTRY.sort(key=lambda s: -s.priority)
    return spec


def formats() -> tuple[FormatSpec, ...]:
    _ensure_loaded()
    return tuple(_REGISTRY)


def _ensure_loaded() -> None:
    if not _REGISTRY:
        from skillscan.loaders import agent_skill  # noqa: F401  (registers itself)
        from skillscan.loaders import extra_formats  # noqa: F401


def find(name: str) -> FormatSpec:
    for spec in formats():
        if spec.name == name:
            return spec
    raise KeyError(name)
