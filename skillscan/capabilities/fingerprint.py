"""The finding fingerprint: rule, package-relative path, whitespace-normalised snippet and occurrence —
never a line, so it survives edits above the finding. The one implementation (reports, baselines and
`Finding.fingerprint` all call it)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def fingerprint(rule_id: str, path: str, snippet: str, occurrence: int = 0) -> str:
    return _digest(rule_id, path, " ".join(snippet.split()), occurrence)


def fingerprints(keys: Iterable[tuple[str, str, str]]) -> list[str]:
    """Fingerprints of (rule, path, snippet) in order; repeated identical findings in one file get an
    occurrence index."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for rule_id, path, raw in keys:
        key = (rule_id, path, " ".join(raw.split()))
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(_digest(*key, n))
    return out


def baseline_key(root: str, fingerprint: str) -> str:
    """A finding's fingerprint is package-relative; the baseline key adds the package root."""
    return hashlib.sha256(f"{root}\0{fingerprint}".encode("utf-8", "replace")).hexdigest()[:32]


def _digest(rule_id: str, path: str, snippet: str, occurrence: int) -> str:
    return hashlib.sha256("\0".join([rule_id, path, snippet, str(occurrence)]).encode("utf-8", "replace")).hexdigest()[:32]
