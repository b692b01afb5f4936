from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def file_analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many packages each group of a scan sent to the file engines (0: all from the cache)."""
    import skillscan.engine as engine

    calls: list[int] = []
    real = engine._submit

    def counting(packages, *rest):  # type: ignore[no-untyped-def]
        calls.append(len(packages))
        return real(packages, *rest)

    monkeypatch.setattr(engine, "_submit", counting)
    return calls
