"""A login cookie taken out of the user's browser, told in prose: "extract the `li_at` cookie from the browser
and store it for API requests", "copy the session cookie from DevTools", "从浏览器中提取登录 cookie". A session
cookie is the logged-in account itself — no password, no second factor — and once copied out of the browser it
works wherever it is pasted: a skill that has the agent lift it holds the user's account.

One sentence of prose aimed at the agent — an imperative or a statement of what the package does, neither
prohibited nor quoted (`sabotage_grammar`; vocabulary in `rules/instructions/cookies.yaml`) — with:

- an act that takes it out (extract, copy, grab, export, dump, read, get …; 提取, 复制, 导出, 获取),
- a login cookie after it (a session, auth or login cookie, or a cookie named in code: the `li_at` cookie;
  会话 cookie),
- out of the browser after that (from the browser, DevTools, Chrome, the cookie store; 从浏览器),
- and no word of testing, attack, defence or clean-up in the sentence (penetration test, XSS, HttpOnly,
  clear, delete …): a security text about stolen cookies describes the attack.

Reported at low confidence (review); in an HTML comment or hidden text, high. A package whose stated purpose
is security testing or browser forensics gets no finding. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Finding, Package

RULE_IDS: tuple[str, ...] = ("session-cookie-lift-instruction",)
_GAP = 60  # characters between the act and the cookie, and between the cookie and the browser


@dataclass(frozen=True)
class CookieWords:
    act: re.Pattern[str]
    cookie: re.Pattern[str]
    browser: re.Pattern[str]
    excused: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> CookieWords:
    return g.word_set(CookieWords, "cookies")


def _lifted(s: str) -> tuple[str, str, int] | None:
    """(the cookie, the browser words, the cookie's offset) when the sentence takes a login cookie out of the
    browser."""
    w = words()
    if w.excused.search(s):
        return None
    for act in w.act.finditer(s):
        if g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        if act.group(0).isascii():
            cookie = w.cookie.search(s, act.end(), min(len(s), act.end() + _GAP))
            browser = cookie and w.browser.search(s, cookie.end(), min(len(s), cookie.end() + _GAP))
        else:  # 从浏览器中提取登录 cookie: the browser before the act, the cookie after it
            cookie = w.cookie.search(s, act.end(), min(len(s), act.end() + _GAP))
            browser = cookie and w.browser.search(s, max(0, act.start() - _GAP), act.start())
        if cookie and browser:
            return " ".join(cookie.group(0).split()), " ".join(browser.group(0).split()), cookie.start()
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(re.compile(r"cookie", re.IGNORECASE))


def cookie_lift(package: Package, doc: Document) -> list[Finding]:
    # every sentence, not only directives: "extract the `li_at` cookie from the browser" is an imperative
    # without a modal, and "the skill reads the session cookie from Chrome" states what the package does
    if g.purpose_states("cookies", g.stated_purpose_text(package)):
        return []
    return g.sentence_reports(doc, "session-cookie-lift-instruction", "Session cookie lifted", _cue(), _told)


def _told(sentence: str) -> g.Told | None:
    found = _lifted(sentence)
    if found is None:
        return None
    cookie, browser, at = found
    return g.Told(at, f"say a cookie is taken out of the user's browser (“{cookie}”, “{browser}”)")
