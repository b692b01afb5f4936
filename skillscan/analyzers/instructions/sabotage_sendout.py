"""Sabotage without a command: prose that has the agent hand the user's material — documents, summaries,
transcripts, conversations, results, secrets — to a web address nothing else in the package accounts for.
One sentence of prose aimed at the agent (a directive, not a prohibition nor a quotation;
`sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group `sendout`):

- an act that hands content to a remote party (post, send, upload, publish, push, forward, submit …;
  发送, 上传, 推送 …) and the user's material as its object, within the clause after the act (before it in
  Chinese: 将文档发送到 …),
- an http(s) URL after the act in the same sentence, given as the destination ("to", "at", "into", "via";
  到, 至), whose host is not the package's homepage site, not a
  loopback or documentation host, and whose registrable name the stated purpose (name, description)
  does not mention: a skill for a service posts to that service; a status page nobody named is a sink.

Reported at low confidence (review); in an HTML comment or hidden text, high. English and Chinese."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.capabilities.urls import url_hosts
from skillscan.model import Confidence, Finding, Package
from skillscan.purpose.domains import registrable_domain, same_site

RULE_IDS: tuple[str, ...] = ("sabotage-content-sent-out",)
_GAP = 80
_DEST = re.compile(r"\b(?:to|at|into|onto|via)\b|到|至", re.IGNORECASE)
# a destination named before the act and referred back to ("add the remote <URL> and push every branch to it"),
# told as an extra the user did not ask for ("also", "whenever you commit")
_BACK = re.compile(r"^[^.;\n]{0,40}?\b(?:to\s+(?:it|that\s+(?:remote|url|address|mirror|server)|this\s+remote)|there)\b"
                   r"|^[^。；\n]{0,20}?(?:到该|到那里|到这个)", re.IGNORECASE)
_EXTRA = re.compile(r"\b(?:also|always|whenever|every\s+time|silently|quietly|automatically|without\s+(?:telling|asking))\b"
                    r"|同时|另外|每次|总是|自动|悄悄", re.IGNORECASE)
_LOCAL = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$|(?:^|\.)(?:example|test|invalid|local|"
                    r"localhost)$|(?:^|\.)example\.(?:com|org|net)$", re.IGNORECASE)


def homepage_of(doc: Document) -> str:
    value = doc.frontmatter.get("homepage") if isinstance(doc.frontmatter, dict) else None
    return value if isinstance(value, str) else ""


def accounted(host: str, purpose: str, homepage: str) -> bool:
    """Is the host the package's own (its homepage's site) or a service its stated purpose names?"""
    if _LOCAL.search(host) or (homepage and same_site(host, homepage)):
        return True
    site = registrable_domain(host) or host
    label = site.split(".")[0]
    return len(label) >= 3 and label.lower() in purpose


def _sent(s: str, purpose: str, homepage: str) -> tuple[str, str] | None:
    v = g.vocabulary()
    hosts = list(url_hosts(s))
    if not hosts:
        return None
    for act in v["sendout.send_verb"].finditer(s):
        if act.group(0).isascii():
            obj = v["sendout.content_object"].search(s, act.end(), min(len(s), act.end() + _GAP))
        else:  # 将文档摘要发送到 …: the object comes before the verb
            obj = v["sendout.content_object"].search(s, max(0, act.start() - _GAP), act.start())
        if s[act.end():act.end() + 1] == "-" or obj is None or g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        back = _BACK.search(s[act.end():]) is not None and _EXTRA.search(s) is not None
        for at, host in hosts:
            # the URL is where the material goes: "post … to/at URL", "发送到 URL", or named before and referred back
            after = at > act.end() and _DEST.search(s, act.end(), at) is not None
            if not (after or (back and at < act.start())) or accounted(host, purpose, homepage):
                continue
            return f"send {obj.group(0)} to {host} (“{act.group(0)}”), a host the package does not account for", host
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(re.compile(r"https?://"))


def content_sent_out(package: Package, doc: Document) -> list[Finding]:
    purpose = g.stated_purpose_text(package)
    homepage = homepage_of(doc)

    def hit(c: g.Candidate) -> g.Hit | None:
        found = _sent(c.sentence.text, purpose, homepage)
        return None if found is None else g.Hit(found[0], anchor=found[1], confidence=Confidence.LOW)

    return g.report_matches(doc, _cue(), hit, "sabotage-content-sent-out", "Content sent out")
