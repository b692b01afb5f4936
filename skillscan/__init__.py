"""skillscan: a static scanner and least-privilege gate for AI agent skill packages.

`skillscan.scan(paths, …)` and `skillscan.gate(paths, …)` are the Python API (skillscan/api.py,
docs/api.md); they are imported on first use, so `import skillscan` stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillscan._version import __version__

if TYPE_CHECKING:
    from skillscan.api import gate, scan

__all__ = ["__version__", "gate", "scan"]


def __getattr__(name: str) -> Any:
    if name in ("scan", "gate"):
        from skillscan import api

        return getattr(api, name)
    raise AttributeError(f"module 'skillscan' has no attribute {name!r}")
