"""Package-wide bounds on work that grows with hostile input. Each bound that bites is reported by
the caller as an `analysis-incomplete` finding naming what was left out and why, so a package that
reaches one is never `allow`."""

from __future__ import annotations

from collections.abc import Sequence

from skillscan.model import Surface

# Execution surfaces (load-time commands, hooks, MCP servers, install scripts) analysed per package. Real
# packages have a handful; each costs a shell parse and inference, so 100,000 `!`cmd`` lines in a SKILL.md
# would otherwise take minutes.
MAX_SURFACES = 2_000


def cap_surfaces(surfaces: Sequence[Surface], limit: int = MAX_SURFACES) -> tuple[tuple[Surface, ...], tuple[str, ...]]:
    """The first `limit` surfaces, and a note for the rest (as `path: message`, the first left-out
    surface's file), empty when all fit."""
    if len(surfaces) <= limit:
        return tuple(surfaces), ()
    rest = surfaces[limit:]
    kinds = ", ".join(sorted({s.kind for s in rest}))
    files = sorted({s.path for s in rest})
    where = files[0] + (f" and {len(files) - 1} other file(s)" if len(files) > 1 else "")
    return tuple(surfaces[:limit]), (
        f"{files[0]}: {len(rest):,} of {len(surfaces):,} execution surfaces ({kinds}) were not analysed: "
        f"a package is analysed up to {limit:,} surfaces (the rest are in {where})",)
