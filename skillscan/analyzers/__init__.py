"""The analyzer registry, in DESIGN.md's fixed order. Entries are import paths so that a command that
does not scan (``--help``, ``rules``) imports no engine."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

# per-file engines, in order: python → (decoded payloads as virtual files) → shell → instructions → yara
FILE_ANALYZERS: tuple[str, ...] = (
    "skillscan.analyzers.python:PythonAnalyzer",
    "skillscan.analyzers.js_decode:JsDecodeAnalyzer",
    "skillscan.analyzers.shell:ShellFileAnalyzer",
    "skillscan.analyzers.instructions:InstructionsAnalyzer",
    "skillscan.analyzers.yara:YaraAnalyzer",
)
# whole-package engines over manifests and surfaces
PACKAGE_ANALYZERS: tuple[str, ...] = (
    "skillscan.analyzers.manifest:ManifestAnalyzer",
    "skillscan.analyzers.shell:ShellSurfaceAnalyzer",
    "skillscan.analyzers.instructions:InstructionLinksAnalyzer",
    "skillscan.analyzers.references:MissingScriptAnalyzer",
)
# engines that take many packages at once (semgrep)
BATCH_ANALYZERS: tuple[str, ...] = (
    "skillscan.analyzers.semgrep:SemgrepAnalyzer",
)


def _instantiate(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)()


@lru_cache(maxsize=1)
def file_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in FILE_ANALYZERS)


@lru_cache(maxsize=1)
def package_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in PACKAGE_ANALYZERS)


@lru_cache(maxsize=1)
def batch_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in BATCH_ANALYZERS)


def engine_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist, key in (("libcst", "libcst"), ("semgrep", "semgrep"), ("yara-python", "yara")):
        try:
            out[key] = version(dist)
        except PackageNotFoundError:
            out[key] = "missing"
    return out
