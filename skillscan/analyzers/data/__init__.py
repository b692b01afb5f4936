"""The package-data engine ("data"): configuration and fixture files a skill's scripts read (JSON,
YAML, TOML, text, Markdown). Code engines decode the literals in code; this engine reads what the
package keeps as data for its scripts to decode or use — encoded prose (`encoded.py`) and look-alike
pairs of hosts (`hosts.py`). Nothing is run."""

from __future__ import annotations

from skillscan.analyzers.data.analyzer import DataAnalyzer

__all__ = ["DataAnalyzer"]
