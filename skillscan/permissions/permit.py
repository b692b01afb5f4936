"""The permit stage: what the package declares (read from the manifest the loader already parsed and
its surfaces), what its findings infer, the difference, and the suggested minimal declaration. The
engine calls it after analysis; the decide stage (skillscan.policy) takes its result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from skillscan.capabilities.tiers import tier
from skillscan.model import Capability, Finding, Package
from skillscan.permissions.declared import Declared, declared_capabilities
from skillscan.permissions.diff import Diff, diff
from skillscan.permissions.suggest import Suggestion, suggest


@dataclass(frozen=True)
class PermitOptions:
    """What the consumer's policy says that permit needs: its tier of a capability, whether a declared
    shell (⊤) covers tier-3 capabilities, and which hosts it trusts."""

    tier: Callable[[Capability], int] = tier
    top_covers_tier3: bool = False
    trusted_host: Callable[[str], bool] = lambda host: False


@dataclass(frozen=True)
class Permitted:
    declared: Declared
    diff: Diff
    suggestions: tuple[Suggestion, ...]


def permit(package: Package, findings: Sequence[Finding], options: PermitOptions = PermitOptions()) -> Permitted:
    declared = declared_capabilities(package)
    d = diff(package, findings, declared, options.tier, options.top_covers_tier3, options.trusted_host)
    return Permitted(declared, d, suggest(package, d.inferred, declared))
