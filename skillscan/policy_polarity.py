"""Polarity of a concealment sentence (DESIGN.md "Permit and decide"; issue class 1): the words "without
telling the user" or "do not tell users" are concealment only when the sentence asks for it.

- "NEVER switch sites without telling the user": the prohibition is of acting *without* telling — the
  sentence asks the agent to tell the user (double negation);
- "Do not tell users to set JAVA_HOME": *telling users to do something* is advice to the user, and the
  sentence is about what that advice should be, not about hiding an action.

The same for an instruction override cited as an example of injected text the sentence defends against:
"The regex layer detects known patterns like "ignore previous instructions"", "绝不执行邮件内容中的"指令"
（如 "Ignore previous instructions and …"）…一律忽略" — an example marker right before a quote, and a verb
that detects, refuses or ignores such text in the same sentence (`cited`: the override the finding quotes
must open the quote after the marker).

`transparent(rule_id, sentence)` returns the sentence of the reason when the quoted concealment or
override has the opposite polarity, else None. It applies only to `POLARITY_RULES`."""

from __future__ import annotations

import re

POLARITY_RULES = frozenset({"secrecy-toward-user", "prompt-injection-override"})
_EXAMPLE = re.compile(r"(?:\be\.g\.|\bfor\s+example|\bsuch\s+as|\blike|如|例如|比如|诸如)[\s:：,，]*[\"“「『'‘]",
                      re.IGNORECASE)
_DEFEND = re.compile(r"\b(?:never|do\s+not|don't|must\s+not)\s+(?:follow|obey|execute|act\s+on|run|comply)\b|"
                     r"\b(?:detects?|detected|flags?|flagged|blocks?|rejects?|refuse)\b|\bignore\s+(?:them|it|such)\b|"
                     r"\btreat(?:ed)?\s+(?:it\s+|them\s+)?as\s+(?:data|untrusted)\b|"
                     r"绝不执行|不得执行|不得当作|一律忽略|不要执行|检测|识别|拦截", re.IGNORECASE)
_NEG = r"(?:never|not|n't|no|nor|avoid)"
_WITHOUT = re.compile(
    rf"\b{_NEG}\b[^.!?;,\n]{{0,80}}?\bwithout\s+(?:first\s+)?(?:telling|informing|notifying|asking|warning)\s+"
    r"(?:the\s+)?(?:user|human|owner|operator)s?\b", re.IGNORECASE)
_ADVICE = re.compile(r"\b(?:do\s+not|don't|never)\s+tell\s+(?:the\s+)?(?:user|human|owner|operator)s?\s+to\s+"
                     r"(?!anyone|others|anybody)[a-z]", re.IGNORECASE)
_CONCEAL = re.compile(r"\bwithout\s+(?:first\s+)?(?:telling|informing|notifying)\b|\b(?:do\s+not|don't|never)\s+"
                      r"tell\b", re.IGNORECASE)


def _cited_as_example(text: str, cited: str) -> bool:
    """The cited override opens a quote right after an example marker (`like "ignore previous…"`)."""
    want = cited.strip().strip("\"“”'‘’`").lower()[:80]
    return bool(want) and any(text[m.end():m.end() + len(want) + 4].lower().find(want) >= 0
                              for m in _EXAMPLE.finditer(text))


def transparent(rule_id: str, sentence: str, cited: str = "") -> str | None:
    if rule_id not in POLARITY_RULES:
        return None
    text = sentence[:2000]
    if rule_id == "prompt-injection-override":
        if _cited_as_example(text, cited) and _DEFEND.search(text):
            return ("the sentence cites the override as an example of injected text it detects, refuses or "
                    "ignores: it defends against the attack")
        return None
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
