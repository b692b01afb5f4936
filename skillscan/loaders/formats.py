"""The loader registry: each package format names the marker files that make a directory its root
and a parser that turns the package's files into a typed manifest and execution surfaces."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
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
    skipped: tuple[str, ...] = ()  # parts the parser knows were not scanned (e.g. remote marketplace sources)


Parser = Callable[[str, tuple[PackageFile, ...]], Parsed]
Probe = Callable[[PackageFile], bool]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    markers: tuple[str, ...]  # paths relative to a candidate root (the last part may be a glob); any one marks it
    parse: Parser
    priority: int = 0  # the highest-priority format present in a directory wins
    owns_nested: bool = False  # packages found below this root are reported inside it
    probe: Probe | None = None  # for generic marker names (manifest.json): does this file really mark the format?


# While a tree is split into packages: (this package's root inside the tree, every path of the tree). Lets a
# parser tell whether a reference that leaves its own root (a marketplace entry's source) was scanned too.
TREE: ContextVar[tuple[str, frozenset[str]]] = ContextVar("skillscan_tree", default=("", frozenset()))

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
        from skillscan.loaders import extra_formats  # noqa: F401  (registers the other formats)


def find(name: str) -> FormatSpec:
    for spec in formats():
        if spec.name == name:
            return spec
    raise KeyError(name)
