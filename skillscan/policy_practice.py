"""Transparent security practice (DESIGN.md "Permit and decide"; issue class 1: text that describes or
defends against an attack): a skill whose stated purpose — its name and description, or those of the
SKILL.md the evidence belongs to — is testing, analysing or defending against attacks (a forensic
guide, a penetration-testing methodology, a detection-rule builder) cites attack techniques as its
subject. A malice rule or a forbidden capability in such a skill's open text is review, not block.

It never softens: hidden text, the policy's any-role malice indicators (download-and-execute from an
untrusted host, fake-prerequisite lures, password-protected archives, raw-IP or paste links), or text
naming a literal outside endpoint (a public IP, a throwaway sink) — those are judged the same whatever
the skill says it is for. The vocabulary is policy data (`security_practice` in rules/policies/)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from skillscan.model import InferredCapability, Package
from skillscan.permissions.diff import Combination, strongest
from skillscan.policy_download import stated_text
from skillscan.policy_purpose import names_untrusted_endpoint


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = []
    for w in words:
        esc = re.escape(w.lower()).replace(r"\ ", r"[\s_-]+")
        parts.append(esc if re.search(r"[\u3000-\u9fff]", w) else rf"(?<![a-z0-9]){esc}(?![a-z0-9])")
    return re.compile("|".join(parts))


def security_practice(package: Package, path: str, words: Sequence[str]) -> str | None:
    """The stated-purpose words that say the skill is security practice, or None."""
    pat = _pattern(tuple(words))
    if pat is None:
        return None
    m = pat.search(stated_text(package, path).replace("_", " ").replace("-", " "))
    return m.group(0) if m else None


PRACTICE = "the skill's stated purpose is security practice (“{}”): open text about an attack is review"


def forbidden_explained(package: Package, ic: InferredCapability, roles: dict[tuple[str, int, str], str],
                         words: Sequence[str]) -> str | None:
    """Why a forbidden capability the package openly exercises is review: the stated purpose of the skill
    its evidence belongs to is security practice. Never for hidden text or an untrusted target."""
    if not _open(ic, roles):
        return None
    said = security_practice(package, strongest(ic).path, words)
    return PRACTICE.format(said) if said else None


def _open(ic: InferredCapability, roles: dict[tuple[str, int, str], str]) -> bool:
    """Openly exercised: no evidence in hidden text, no literal untrusted endpoint as its target."""
    hidden = any(roles.get((e.path, e.line, e.rule_id)) == "hidden" for e in ic.evidence)
    return not hidden and not names_untrusted_endpoint(ic.capability.scope or "")


def combination_explained(package: Package, combo: Combination, inferred: Sequence[InferredCapability],
                          roles: dict[tuple[str, int, str], str], words: Sequence[str]) -> str | None:
    """The same for a dangerous combination: every leg openly exercised and the skill the combination is
    reported in states security practice."""
    if not all(_open(ic, roles) for ic in inferred if ic.capability in combo.legs):
        return None
    said = security_practice(package, combo.evidence.path, words)
    return PRACTICE.format(said) if said else None
