"""Transparent security practice (DESIGN.md "Permit and decide"; issue class 1: text that describes or
defends against an attack): a skill whose stated purpose — its name and description, or those of the
SKILL.md the evidence belongs to — is testing, analysing or defending against attacks (a forensic
guide, a penetration-testing methodology, a detection-rule builder) cites attack techniques as its
subject. A malice rule or a forbidden capability in such a skill's open text is review, not block.

`stated_subject`: the same for a malice finding in context text whose every content word is the skill's
stated subject (a firewall manager's permission list: "Disable firewall protection for specified assets").

It never softens: hidden text, the policy's any-role malice indicators (download-and-execute from an
untrusted host, fake-prerequisite lures, password-protected archives, raw-IP or paste links), or text
naming a public IP or a paste site — those are judged the same whatever the skill says it is for. The vocabulary is policy data (`security_practice` in rules/policies/)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from skillscan.lines import text_lines
from skillscan.model import Capability, Channel, Evidence, InferredCapability, Package
from skillscan.permissions.diff import Combination, strongest
from skillscan.policy_download import stated_text
from skillscan.policy_purpose import elevators, is_elevation
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_HOSTS = re.compile(r"(?<![\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])", re.IGNORECASE)


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


_WORD = re.compile(r"[a-z]{4,}|[\u3400-\u9fff]{2,}")
_STOP = frozenset({"this", "that", "these", "those", "with", "from", "your", "their", "into", "only", "when", "then",
                   "for", "and", "all", "any", "the", "specified", "given"})


def stated_subject(package: Package, path: str, cited: str) -> bool:
    """The cited words are the skill's stated subject: every content word of the cited text (its stem, for
    English; three in four of its character pairs, for Chinese) is in the name and description of the skill `path` belongs to —
    a firewall manager "enabling or disabling firewall protection" citing "Disable firewall" in its
    permission list. Only for context text (reference, quoted): told to the agent, the same words stay."""
    words = [w for w in _WORD.findall(cited.lower()[:200]) if w not in _STOP]
    if not words or len(words) > 6:
        return False
    stated = stated_text(package, path).replace("_", " ").replace("-", " ")
    for w in words:
        if re.match(r"[\u3400-\u9fff]", w):  # no word breaks: most of its character pairs
            pairs = [w[i:i + 2] for i in range(len(w) - 1)]
            if 4 * sum(x in stated for x in pairs) < 3 * len(pairs):
                return False
        elif not re.search(r"(?<![a-z])" + re.escape(w[:max(4, len(w) - 2)]), stated):
            return False
    return True


PRACTICE = "the skill's stated purpose is security practice (“{}”): open text about an attack is review"


def forbidden_explained(package: Package, ic: InferredCapability, roles: dict[tuple[str, int, str], str],
                         words: Sequence[str]) -> str | None:
    """Why a forbidden capability the package openly exercises is review: the stated purpose of the skill
    its evidence belongs to is security practice. Never for hidden text or an untrusted target."""
    if not _open(ic, roles):
        return None
    said = security_practice(package, strongest(ic).path, words)
    return PRACTICE.format(said) if said else None


def any_role_endpoint(text: str, categories: tuple[str, ...] = ("paste", "raw-ip")) -> bool:
    """The text names an endpoint DESIGN judges the same in any role: a public IP address or a paste
    site (and, for a tunnel, a public tunnel relay: `categories` adds `tunnel`). A request catcher or a
    file drop cited by a forensic or CTF guide is the practice's subject."""
    if any(host_info(m.group(0)).kind == "ip" for m in _IPV4.finditer(text[:4000])):
        return True
    table = load_table()
    return any((sink := table.sink(h)) is not None and sink.category in categories
               for h in _HOSTS.findall(text[:4000]))


RELAYS = ("paste", "raw-ip", "tunnel")  # a tunnel to an outside relay is malice in any role


def file_lines(package: Package, path: str) -> tuple[str, ...]:
    """The lines of a package file as findings number them (lines.text_lines); () for no such text. The
    decide stage reads many evidence lines of one file: the last few files' lines are kept."""
    pf = package.file(path)
    return _lines_of(pf.text) if pf is not None and pf.text else ()


@lru_cache(maxsize=4)
def _lines_of(text: str) -> tuple[str, ...]:
    return tuple(text_lines(text))


def line_text(package: Package, path: str, line: int, fallback: str = "") -> str:
    lines = file_lines(package, path)
    return lines[line - 1] if 0 < line <= len(lines) else fallback


def names_relay(package: Package, evidence: Sequence[Evidence]) -> bool:
    """A line of the evidence names a public IP, a paste site or a public tunnel relay (`bore.pub`)."""
    return any(any_role_endpoint(line_text(package, e.path, e.line), RELAYS) for e in evidence[:16])


def _open(ic: InferredCapability, roles: dict[tuple[str, int, str], str]) -> bool:
    """Openly exercised: no evidence in hidden text, no raw-IP or paste endpoint as its target."""
    hidden = any(roles.get((e.path, e.line, e.rule_id)) == "hidden" for e in ic.evidence)
    return not hidden and not any_role_endpoint(ic.capability.scope or "")


def combination_explained(package: Package, combo: Combination, inferred: Sequence[InferredCapability],
                          roles: dict[tuple[str, int, str], str], words: Sequence[str]) -> str | None:
    """The same for a dangerous combination: every leg openly exercised and the skill the combination is
    reported in states security practice."""
    if not all(_open(ic, roles) for ic in inferred if ic.capability in combo.legs):
        return None
    said = security_practice(package, combo.evidence.path, words)
    return PRACTICE.format(said) if said else None


_MAX_LINES = 64


def practice_privilege(package: Package, ic: InferredCapability, inferred: Sequence[InferredCapability],
                       roles: dict[tuple[str, int, str], str], words: Sequence[str], kinds: frozenset[str],
                       tier: Callable[[Capability], int], never: frozenset[str] = frozenset()) -> str | None:
    """Why an undeclared elevation is proportionate to a skill whose stated purpose is security practice
    (the policy's `security_practice.proportionate`): packet capture, monitor mode, memory acquisition and
    `sudo -l` enumeration need root, so a pentest, forensics or CTF guide's instructions elevate as its
    subject. Every piece of evidence must be open text of an instruction document (not code, not hidden or
    decoded: the elevator is written on the line), the document's skill must state security practice, and
    each line that elevates must do nothing else dangerous (no other tier-3 capability: a write to /etc, a
    credential store, persistence, remote code) and elevate none of the `never` programs (the policy's
    `security_practice.not_proportionate`: accounts, permission bits, the firewall, the audit trail,
    deleting records); else None. The elevation's own evidence is judged here;
    what else the skill does is judged on its own."""
    cap = ic.capability
    if not (cap.kind in kinds or (is_elevation(cap) and "proc.elevate" in kinds)) or not ic.evidence:
        return None
    lines = {(e.path, e.line) for e in ic.evidence}
    if len(lines) > _MAX_LINES:
        return None
    said = ""
    for e in ic.evidence:
        if e.channel is not Channel.INSTRUCTION or roles.get((e.path, e.line, e.rule_id)) in ("hidden", "code"):
            return None
        text = line_text(package, e.path, e.line).lower()
        if is_elevation(cap) and not any(re.search(rf"(?<![\w-]){re.escape(x)}(?![\w-])", text) for x in elevators()):
            return None  # not written on the line (decoded, built at run time): judged as usual
        here = security_practice(package, e.path, words)
        if not here:
            return None
        said = said or here
    for other in inferred:
        oc = other.capability
        if oc == cap or is_elevation(oc):
            continue
        named = oc.kind == "proc.exec" and (oc.scope or "").lower().rsplit("/", 1)[-1] in never
        if (named or tier(oc) >= 3) and any((e.path, e.line) in lines for e in other.evidence):
            return None  # something else dangerous is done on an elevated line
    return (f"the skill's stated purpose is security practice (“{said}”) and every line that elevates is open "
            "text of its instructions that does nothing else dangerous: proportionate to its stated purpose")
