"""Sabotage without a command: message text in the package that makes the agent the author of a phishing
message. A skill that drafts email or notices from its own templates sends whatever the template says; a
template that asks its reader for a secret, through a link, under the threat of losing the account is
credential phishing whoever signs it.

One sentence of a prose segment (vocabulary in `rules/instructions/sabotage.yaml`, group `phishing`) that:

- asks the reader for a secret only they should hold — enter or confirm their current password, login
  credentials, a one-time code, a recovery phrase, a card number (输入您的当前密码, 验证码, 助记词) — and is
  neither prohibited ("we will never ask for your password") nor quoted;
- in a section that also threatens the reader's account or access (will be suspended, locked, revoked;
  将被冻结) and gives a way in: a link, a link placeholder ({{VERIFICATION_URL}}), "click here" (点击链接).

A package whose stated purpose is phishing simulation or security-awareness training gets no finding. English
and Chinese."""

from __future__ import annotations

from bisect import bisect_right

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document, Section
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.analyzers.literal_gate import fold, gate
from skillscan.model import Channel, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-phishing-message",)
MAX_SECTION = 20_000  # characters of a section searched for the threat and the link


def _section_text(doc: Document, line: int) -> str:
    """The text of the innermost section holding `line` (the whole document when it has no sections)."""
    sections: tuple[Section, ...] = doc.sections
    starts = [s.start for s in sections]
    i = bisect_right(starts, line) - 1
    while i >= 0 and sections[i].end < line:
        i -= 1
    if i < 0:
        return "\n".join(doc.lines)[:MAX_SECTION]
    s = sections[i]
    return "\n".join(doc.lines[s.start - 1:s.end])[:MAX_SECTION]


def phishing_message(package: Package, doc: Document) -> list[Finding]:
    if g.coherent("phishing", g.stated_purpose_text(package)):
        return []
    v = g.vocabulary()
    ask_words = v["phishing.credential_ask"]
    ask_gate = gate(ask_words)  # a text holding none of the words every ask holds is not searched (literal_gate.py)
    out: list[Finding] = []
    more = 0
    for seg in doc.segments:
        if seg.kind not in g.KINDS or not ask_gate.may_match(fold(seg.text)) or not ask_words.search(seg.text):
            continue
        for sent in g.sentences(seg.text):
            ask = ask_words.search(sent.text) if ask_gate.may_match(fold(sent.text)) else None
            if ask is None or g.negated(sent.text, ask.start()) or g.quoted(sent.text, ask.start()):
                continue
            line = seg.line_at(sent.start + ask.start())
            section = _section_text(doc, line)
            threat, lure = v["phishing.threat"].search(section), v["phishing.lure"].search(section)
            if threat is None or lure is None:
                continue
            if len(out) >= g.MAX_REPORTS:
                more += 1
                break
            out.append(finding(
                "sabotage-phishing-message",
                f"Phishing message: message text the package gives the agent{g.where(seg.kind)} asks its reader for a "
                f"secret "
                f"(“{ask.group(0)}”), beside a link (“{g.cite(lure.group(0), 60)}”) and a threat to their account (“{threat.group(0)}”): "
                f"“{g.cite(sent.text)}”",
                doc.path, line, snippet=g.snippet(doc, line), channel=Channel.INSTRUCTION))
            break
    return capped(out, more, g.MAX_REPORTS)
