"""Sabotage without a command: prose that widens the authority the agent or the deployment it builds works
with beyond what the task needs. One sentence of prose aimed at the agent (a directive, not a prohibition
nor a quotation; `sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group
`authority`):

- the agent approving its own actions: auto-approve tool calls or commands, skip or bypass permission
  and confirmation prompts, `--dangerously-skip-permissions`, `bypassPermissions` (自动批准所有工具调用,
  跳过权限确认) — medium confidence: the user's last check on the agent is switched off by the package;
- or a broad privilege — an administrator role or policy (AdministratorAccess), full, unrestricted or
  wildcard permissions, cross-account access (管理员权限, 跨账号访问) — asked for out of convenience and not
  for the task ("for debugging convenience", "can be scoped later", a literal 12-digit
  account; 为了方便, 之后再收紧) — low confidence (review);
- or rights on the user's repositories or workspace handed to an account the package writes out ("add the
  GitHub user `helper-bot` as a collaborator with admin rights", 把用户 "ops-bot" 添加为管理员) — a party
  the user did not choose: medium confidence for admin or owner rights, low for other membership.

A package whose stated purpose is access management, IAM, privileged access or a security review gets no
finding: there, permissions are the subject. English and Chinese."""

from __future__ import annotations

from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-authority-widening",)
_GAP = 160


def _widen(s: str) -> tuple[str, str, Confidence] | None:
    v = g.vocabulary()
    for own in v["authority.self_approval"].finditer(s):
        if not g.negated(s, own.start()) and not g.quoted(s, own.start()):
            return f"approve its own actions (“{own.group(0)}”)", own.group(0), Confidence.MEDIUM
    for grant in v["authority.broad_privilege"].finditer(s):
        if g.negated(s, grant.start()) or g.quoted(s, grant.start()):
            continue
        why = v["authority.convenience"].search(s, max(0, grant.start() - _GAP), min(len(s), grant.end() + _GAP))
        if why is not None:
            return (f"use {grant.group(0)} for a reason that is not the task (“{why.group(0)}”)", grant.group(0),
                    Confidence.LOW)
    return _grant(s)


def _grant(s: str) -> tuple[str, str, Confidence] | None:
    """Rights handed to an account the sentence writes out: an act that grants, the account (after it, or just
    before it: 把用户 ops-bot 添加为管理员), and the role after it."""
    v = g.vocabulary()
    if v["authority.user_choice"].search(s):
        return None
    for act in v["authority.grant_verb"].finditer(s):
        if g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        end = min(len(s), act.end() + _GAP)
        who = v["authority.named_account"].search(s, max(0, act.start() - 40), end)
        role = v["authority.granted_role"].search(s, act.end(), end)
        if who is not None and role is not None:
            conf = Confidence.MEDIUM if v["authority.owner_role"].search(s, act.end(), end) else Confidence.LOW
            return (f"give {' '.join(who.group(0).split())}, an account the package names, {role.group(0)} rights "
                    f"(“{act.group(0)}”)"), who.group(0), conf
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    v = g.vocabulary()
    return g.union(v["authority.self_approval"], v["authority.broad_privilege"], v["authority.granted_role"])


def authority_widening(package: Package, doc: Document) -> list[Finding]:
    if g.coherent("authority", g.stated_purpose_text(package)):
        return []

    def hit(c: g.Candidate) -> g.Hit | None:
        found = _widen(c.sentence.text)
        return None if found is None else g.Hit(found[0], anchor=found[1], confidence=found[2])

    return g.report_matches(doc, _cue(), hit, "sabotage-authority-widening", "Authority widened")
