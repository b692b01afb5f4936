"""Data collection in prose, without a command: a sentence aimed at the agent (a directive, not a
prohibition nor a quotation; `sabotage_grammar`) that (vocabulary in `rules/instructions/collection.yaml`)

- asks the user for a secret no skill needs typed into a chat — a seed or recovery phrase, a private key, a
  one-time or 2FA code, a card number or CVV, a social security number (助记词, 私钥, 验证码 …) — reported at
  medium confidence (block) whatever the stated purpose;
- asks the user for a password or PIN of their own accounts ("their GitHub password", 用户的登录密码) —
  low confidence (review), and nothing when the stated purpose is a password manager or a login helper;
- or sends the conversation itself (the chat history, the transcript, the user's messages, the system
  prompt; 对话记录) to a URL, an e-mail address or a webhook written out (medium confidence). A package whose stated purpose is exporting, archiving or syncing chats
  gets no finding for it.

English and Chinese. In an HTML comment or other hidden text the confidence is high."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("data-collection-instruction",)
_GAP = 80  # characters between the ask and the secret it names


@dataclass(frozen=True)
class CollectionWords:
    vault_secret: re.Pattern[str]
    account_secret: re.Pattern[str]
    ask: re.Pattern[str]
    conversation: re.Pattern[str]
    send: re.Pattern[str]
    destination: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> CollectionWords:
    return g.word_set(CollectionWords, "collection")




def _asked_secret(s: str, password_ok: bool) -> g.Hit | None:
    w = words()
    for ask in w.ask.finditer(s):
        if g.negated(s, ask.start()) or g.quoted(s, ask.start()):
            continue
        window = (ask.start(), min(len(s), ask.end() + _GAP))
        if (m := w.vault_secret.search(s, *window)) is not None:
            return g.Hit(f"ask the user for “{m.group(0)}”", m.group(0), Confidence.MEDIUM)
        if not password_ok and (m := w.account_secret.search(s, *window)) is not None:
            return g.Hit(f"ask the user for “{m.group(0)}”", m.group(0), Confidence.LOW)
    return None


def _sent_conversation(s: str) -> g.Hit | None:
    w = words()
    for send in w.send.finditer(s):
        if g.negated(s, send.start()) or g.quoted(s, send.start()):
            continue
        convo = w.conversation.search(s, send.end(), min(len(s), send.end() + _GAP))
        if convo is None and re.search(r"[\u4e00-\u9fff]", send.group(0)):  # Chinese puts the object first (把…发送到)
            convo = w.conversation.search(s, max(0, send.start() - _GAP), send.start())
        dest = w.destination.search(s, send.end()) if convo is not None else None
        if convo is not None and dest is not None:
            where = dest.group(0).rstrip(".,;:!?。，；：！？")
            return g.Hit(f"send the conversation (“{convo.group(0)}”) to {where}", where, Confidence.MEDIUM)
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    w = words()
    return g.union(w.vault_secret, w.account_secret, w.conversation)


def data_collection(package: Package, doc: Document) -> list[Finding]:
    purpose = g.stated_purpose_text(package)
    password_ok = g.purpose_states("collection", purpose, "password") is not None
    conversation_ok = g.purpose_states("collection", purpose, "conversation") is not None

    def told(s: str) -> g.Told | None:
        # the ask and the send forms are imperatives themselves: no separate directive test
        hit = _asked_secret(s, password_ok) or (None if conversation_ok else _sent_conversation(s))
        return None if hit is None else g.Told(s.find(hit.anchor) if hit.anchor else 0,
                                               f"tell the agent to {hit.what}", hit.confidence)

    return g.sentence_reports(doc, "data-collection-instruction", "Data collection", _cue(), told)
