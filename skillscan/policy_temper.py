"""How the decide stage tempers an undeclared capability's decision: by the roles of its evidence, the
vendor's own installer, and formats with nowhere to declare it (privilege without malice is review)."""

from __future__ import annotations

from typing import Any

from skillscan.model import Decision, InferredCapability
from skillscan.policy_purpose import untrusted_target, vendor_installer
from skillscan.policy_roles import context_ceiling, context_only, vendor_ok


def rank(d: Decision) -> int:
    return d.rank


def temper(dec: Decision, text: str, t: int, ic: InferredCapability, no_field: bool,
            roles: dict[tuple[str, int, str], str], policy: Any, purpose: Any) -> tuple[Decision, str]:
    """An undeclared capability's decision, tempered by roles, the vendor's own installer and formats with
    nowhere to declare it (privilege without malice is review). A raw-IP, plain-http or throwaway target
    is a malice indicator: judged the same in every role and format."""
    if untrusted_target(ic.capability.kind, ic.capability.scope or ""):
        return dec, text
    if context_only(ic.evidence, roles):
        cap_at = context_ceiling(ic.capability, ic.evidence, roles, vendor_ok(
            ic.capability, purpose, policy.trusted_installer)) if t >= 3 else Decision.ALLOW
        return min(dec, cap_at, key=rank), text + "; every mention is reference, quoted, test or user-command text"
    if ic.capability.kind == "code.remote":
        said = vendor_installer(ic.capability.scope or "", purpose)
        if said:
            return min(dec, Decision.REVIEW, key=rank), f"{text}; {said}"
    if t >= 3 and no_field and dec is Decision.BLOCK and ic.capability.kind not in policy.payload_kinds:
        return min(dec, policy.no_field_tier3, key=rank), text
    if t >= 3 and policy.strict_tier3 and not no_field:
        return Decision.BLOCK, f"{text}; the policy requires dangerous capabilities to be declared"
    return dec, text
