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
    "skillscan.analyzers.data:DataAnalyzer",
    "skillscan.analyzers.instructions:InstructionsAnalyzer",
    "skillscan.analyzers.yara:YaraAnalyzer",
    "skillscan.analyzers.bytecode:BytecodeAnalyzer",
)
# whole-package engines over manifests and surfaces
PACKAGE_ANALYZERS: tuple[str, ...] = (
    "skillscan.analyzers.manifest:ManifestAnalyzer",
    "skillscan.analyzers.shell:ShellSurfaceAnalyzer",
    "skillscan.analyzers.instructions:InstructionLinksAnalyzer",
    "skillscan.analyzers.references:MissingScriptAnalyzer",
    "skillscan.analyzers.data.values:DataValuesAnalyzer",
    "skillscan.analyzers.data.followed:FollowedDataAnalyzer",
)
# engines that take many packages at once (semgrep)
BATCH_ANALYZERS: tuple[str, ...] = (
    "skillscan.analyzers.semgrep:SemgrepAnalyzer",
)


def _instantiate(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    engine = getattr(importlib.import_module(module), attr)
    # an engine that hands interpreters' inline programs (`python -c CODE`) to the file engines is given
    # them here, so that no engine imports this registry (no import cycle: tests/test_architecture.py)
    return engine(file_engines=file_analyzers) if getattr(engine, "reads_inline_programs", False) else engine()


@lru_cache(maxsize=1)
def file_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in FILE_ANALYZERS)


@lru_cache(maxsize=1)
def package_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in PACKAGE_ANALYZERS)


@lru_cache(maxsize=1)
def batch_analyzers() -> tuple[Any, ...]:
    return tuple(_instantiate(s) for s in BATCH_ANALYZERS)


def _fast_version(dist: str) -> str | None:
    """`importlib.metadata.version(dist)` for the plain case — the first `<name>-<ver>.dist-info` on
    sys.path, its METADATA's `Version:` — without importing importlib.metadata (~10 ms a process).
    None whenever the answer could differ (an egg-info, a zip entry, another distribution finder):
    the caller then asks importlib.metadata."""
    import os
    import re
    import sys

    if any(hasattr(f, "find_distributions") and getattr(f, "__name__", "") != "PathFinder" for f in sys.meta_path):
        return None
    want = re.sub(r"[-_.]+", "-", dist).lower().replace("-", "_")
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except OSError:
            if os.path.exists(entry or "."):
                return None  # a zip or an unreadable directory
            continue
        for child in children:
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            if re.sub(r"[-_.]+", "-", low.rpartition(".")[0].partition("-")[0]).replace("-", "_") != want:
                continue
            if low.endswith(".egg-info"):
                return None
            try:
                with open(os.path.join(entry or ".", child, "METADATA"), encoding="utf-8") as fh:
                    for line in fh:
                        if not line.strip():
                            break  # end of the headers
                        if line.startswith("Version:"):
                            return line[len("Version:"):].strip() or None
            except OSError:
                pass
            return None
        if os.path.basename(entry).lower().endswith(".egg"):
            return None
    return None


def engine_versions() -> dict[str, str]:
    out = {}
    for dist, key in (("libcst", "libcst"), ("semgrep", "semgrep"), ("yara-python", "yara")):
        fast = _fast_version(dist)
        if fast is not None:
            out[key] = fast
            continue
        from importlib.metadata import PackageNotFoundError, version

        try:
            out[key] = version(dist)
        except PackageNotFoundError:
            out[key] = "missing"
    return out
