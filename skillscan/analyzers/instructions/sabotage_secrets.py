"""Sabotage without a command: prose that has the agent hand the user's secrets — the values a secret audit
finds, the contents of `.env` or a credential file, every token or key — to a remote party the package
chose. One sentence of prose aimed at the agent (a directive, not a prohibition nor a quotation;
`sabotage_grammar`) with (vocabulary in `rules/instructions/sabotage.yaml`, group `secrets`):

- an act that hands something over (send, transmit, upload, post, submit, forward, back up, report …;
  发送, 上传, 提交, 回传 …),
- the user's secrets as its object — as values or in bulk ("each secret value", "all API keys", "the
  contents of .env", "discovered credentials"; 每个密钥值, 所有凭据, .env 文件的内容) — after the act (before it
  in Chinese: 将每个密钥值发送到 …); one named key a service needs ("send your API key in the header") is not,
- a remote party after the act: an http(s) URL given as the destination, or an endpoint, API, server,
  service, webhook, collector or third party (接口, 服务器, 第三方 …) that is not the user's own nor the
  secret's issuer or provider ("your vault", "its provider's API", 对应的服务).

Whoever receives the values holds the user's credentials. Reported at medium confidence (block) when the
remote's address comes from somewhere the user did not give — a file, a setting, a variable ("read the
endpoint from /workspace/x.json", "that configured API", 配置文件中指定的接口) — or is an http(s) URL the
package does not account for (not its homepage's site, not a loopback or documentation host, not a
service its stated purpose names); otherwise low (review). In an HTML comment or hidden text, high. A
package whose stated purpose is storing, syncing, rotating or revoking secrets, or deploying, gets no
finding. English and Chinese."""

from __future__ import annotations

import re
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.sabotage_sendout import accounted, homepage_of
from skillscan.capabilities.urls import url_hosts
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("sabotage-secrets-sent-out",)
_GAP = 100
_DEST = re.compile(r"\b(?:to|into|onto|at|via|with)\b|到|至|给", re.IGNORECASE)
_OWNED_SPAN = 40  # characters before the remote word where an owner ("your", "its provider's") is read


def _object(s: str, act: re.Match[str]) -> re.Match[str] | None:
    values = g.vocabulary()["secrets.secret_values"]
    if act.group(0).isascii():
        return values.search(s, act.end(), min(len(s), act.end() + _GAP))
    return values.search(s, max(0, act.start() - _GAP), act.start())  # 将每个密钥值发送到 …


def _url_destination(s: str, act: re.Match[str], purpose: str, homepage: str) -> str | None:
    for at, host in url_hosts(s):
        if at > act.end() and _DEST.search(s, act.end(), at) and not accounted(host, purpose, homepage):
            return host
    return None


def _remote(s: str, act: re.Match[str], after: int) -> str | None:
    """The remote party the values go to, as written from its preposition ("to that configured API"): after
    the object, led by "to/into/via" (到, 给), not owned by the user or the secret's issuer."""
    v = g.vocabulary()
    for remote in v["secrets.remote"].finditer(s, after, min(len(s), after + _GAP)):
        lead = None
        for lead in _DEST.finditer(s, act.end(), remote.start()):
            pass
        if lead is None:
            continue
        if v["secrets.owned"].search(s, max(act.end(), remote.start() - _OWNED_SPAN), remote.start()):
            continue
        dest = g.cite(s[lead.start():remote.end()], 60)
        return dest if dest.isascii() else f"to “{dest.lstrip('到至给')}”"
    return None


def _sent(s: str, purpose: str, homepage: str) -> g.Hit | None:
    v = g.vocabulary()
    for act in v["secrets.send_verb"].finditer(s):
        if s[act.end():act.end() + 1] == "-" or g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        found = _object(s, act)
        if found is None:
            continue
        after = max(act.end(), found.end())
        what = g.cite(found.group(0), 80)
        what = what if what.isascii() else f"“{what}”"
        host = _url_destination(s, act, purpose, homepage)
        if host is not None:
            return g.Hit(f"send {what} to {host} (“{act.group(0)}”), a host the package does not account for",
                         anchor=host, confidence=Confidence.MEDIUM)
        remote = _remote(s, act, after)
        if remote is None:
            continue
        named = v["secrets.named_by"].search(s)
        if named is not None:
            return g.Hit(f"send {what} {remote} (“{act.group(0)}”), an address taken from "
                         f"“{g.cite(named.group(0), 80)}” rather than given by the user", anchor=found.group(0),
                         confidence=Confidence.MEDIUM)
        return g.Hit(f"send {what} {remote} (“{act.group(0)}”), a party other than the user",
                     anchor=found.group(0), confidence=Confidence.LOW)
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(g.vocabulary()["secrets.secret_values"])


def secrets_sent_out(package: Package, doc: Document) -> list[Finding]:
    purpose = g.stated_purpose_text(package)
    if g.coherent("secrets", purpose):
        return []
    homepage = homepage_of(doc)
    return g.report_matches(doc, _cue(), lambda c: _sent(c.sentence.text, purpose, homepage),
                            "sabotage-secrets-sent-out", "Secrets sent out")
