"""Polarity of a concealment sentence (DESIGN.md "Permit and decide"; issue class 1): the words "without
telling the user" or "do not tell users" are concealment only when the sentence asks for it.

- "NEVER switch sites without telling the user": the prohibition is of acting *without* telling — the
  sentence asks the agent to tell the user (double negation);
- "Do not tell users to set JAVA_HOME": *telling users to do something* is advice to the user, and the
  sentence is about what that advice should be, not about hiding an action.

`transparent(rule_id, sentence)` returns the sentence of the reason when the quoted concealment has the
opposite polarity, else None. It applies only to the concealment rules (`POLARITY_RULES`)."""

from __future__ import annotations

import re

POLARITY_RULES = frozenset({"secrecy-toward-user"})
_NEG = r"(?:never|not|n't|no|nor|avoid)"
_WITHOUT = re.compile(
    rf"\b{_NEG}\b[^.!?;,\n]{{0,80}}?\bwithout\s+(?:first\s+)?(?:telling|informing|notifying|asking|warning)\s+"
    r"(?:the\s+)?(?:user|human|owner|operator)s?\b", re.IGNORECASE)
_ADVICE = re.compile(r"\b(?:do\s+not|don't|never)\s+tell\s+(?:the\s+)?(?:user|human|owner|operator)s?\s+to\s+"
                     r"(?!anyone|others|anybody)[a-z]", re.IGNORECASE)
_CONCEAL = re.compile(r"\bwithout\s+(?:first\s+)?(?:telling|informing|notifying)\b|\b(?:do\s+not|don't|never)\s+"
                      r"tell\b", re.IGNORECASE)


def transparent(rule_id: str, sentence: str) -> str | None:
    if rule_id not in POLARITY_RULES:
        return None
    text = sentence[:2000]
    hits = list(_CONCEAL.finditer(text))
    if not hits:
        return None
    for m in hits:
        start = max(0, m.start() - 90)
        window = text[start:m.end() + 40]
        if not (_WITHOUT.search(window) or _ADVICE.search(text[m.start():m.end() + 60])):
            return None  # one plain concealment is enough to keep the finding's polarity
    return ("the sentence forbids acting without telling the user, or advises what to tell users: "
            "it asks for transparency, not concealment")
