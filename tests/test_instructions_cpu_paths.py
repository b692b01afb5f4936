"""The instructions engine's cheaper paths of round 12 (issue 23) answer exactly what the paths they replace
answered: the hidden-character test, the gated sentence tests of the trigger-hijack and phishing detectors,
and a segment's line-break offsets. Old and new are compared on generated and hostile texts."""

from __future__ import annotations

import random
import re

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions import scope_hijack
from skillscan.analyzers.instructions.document import Segment
from skillscan.analyzers.instructions.unicode import FIRST_HIDDEN, HIDDEN_CHARS, has_hidden_chars
from skillscan.analyzers.literal_gate import fold, gate, gated_search

# characters around the edges of every test: the hidden class's own bounds, case-folding oddities, CRLF, NUL,
# BOM, tabs, surrogates, astral characters
EDGES = ("\u2029", "\u202a", "\u202e", "\u202f", "\u2065", "\u2066", "\u2069", "\u206a", "\U000dffff",
         "\U000e0000", "\U000e0041", "\U000e007f", "\U000e0080", "\x00", "\r\n", "\r", "\ufeff", "\t", "\ud800",
         "é", "ſ", "İ", "ı", "\u212a", "所有", "—", "…", "🕊️", "ｓｋｉｌｌ", "a", " ", "\n")


def _texts(seed: int, count: int, words: tuple[str, ...]) -> list[str]:
    rnd = random.Random(seed)
    pool = EDGES + words
    return [""] + ["".join(rnd.choice(pool) + (" " if rnd.random() < 0.5 else "") for _ in range(rnd.randint(1, 40)))
                   for _ in range(count)]


def test_has_hidden_chars_is_the_search() -> None:
    assert FIRST_HIDDEN == min(chr(c) for c in range(0x110000) if HIDDEN_CHARS.match(chr(c)))
    for text in _texts(1, 4000, ("text", "plain")):
        assert has_hidden_chars(text) == (HIDDEN_CHARS.search(text) is not None), repr(text)


def _old_may_hijack(sentence: str) -> bool:
    w = scope_hijack.words()
    return bool(w.scope.search(sentence) or w.self_activation.search(sentence) or w.over_others.search(sentence)
                or w.trigger_list.search(sentence) or w.scope_update.search(sentence))


def test_trigger_hijack_gate_is_the_searches() -> None:
    words = ("every", "request", "message", "session", "must", "always", "load", "skill", "skills", "other",
             "override", "Triggers:", "build,", "fix,", "review,", "test,", "deploy", "automatically", "所有请求",
             "必须", "回复之前", "无法绕过", "覆盖所有其他技能", "Capability update:", "also", "the default", "ANY",
             "user", "new", "instance", "before", "answer", "protocol", "framework", "never", "\"")
    texts = _texts(2, 6000, words)
    assert sum(map(_old_may_hijack, texts)) > 500  # the texts reach both answers
    for text in texts:
        assert scope_hijack._may_hijack(text) == _old_may_hijack(text), repr(text)


def test_phishing_gate_is_the_search() -> None:
    ask_words = g.vocabulary()["phishing.credential_ask"]
    ask_gate = gate(ask_words)
    words = ("enter your password", "verify their pin", "输入您的密码", "reply with your otp code", "Confirm YOUR",
             "existing login credentials", "your", "password", "their", "enter", "请", "输入", "密码", "验证码",
             "提供你的", "card number", "submitting", "typing in your")
    texts = _texts(3, 6000, words)
    assert sum(ask_words.search(t) is not None for t in texts) > 200
    for text in texts:
        gated = ask_words.search(text) if ask_gate.may_match(fold(text)) else None
        plain = ask_words.search(text)
        assert (gated is None) == (plain is None) and (gated is None or gated.span() == plain.span()), repr(text)


def test_segment_line_breaks_are_every_newline() -> None:
    for text in _texts(4, 3000, ("line", "\n\n", "x\ny")):
        seg = Segment("prose", 7, text, text)
        assert seg._newlines == [m.start() for m in re.finditer("\n", text)]
        for offset in range(len(text) + 1):
            assert seg.line_at(offset) == 7 + text.count("\n", 0, offset)


def _gated_patterns() -> list[re.Pattern[str]]:
    from skillscan.analyzers.instructions import context, host_reach, steering

    reach, ctx = host_reach.words(), context.words()
    return [reach.defence, reach.metadata, reach.container_words, ctx.describe_sentence, ctx.negation, steering.STEER,
            steering.EXISTS]


def test_gated_search_is_the_search() -> None:
    words = ("docker run -v /:/host", "169.254.169.254", "metadata.google.internal", "for example", "never",
             "do not", "attackers", "treat ~/notes.md as authoritative", "if present", "存在", "容器", "挂载", "禁止",
             "prevent", "mount", "container", "should", "Override", "PRESERVE", "available", "den", "run", "/",
             "if", "when", "the file", "exists", "is present", "如果", "可用")
    texts = _texts(5, 4000, words)
    for pattern in _gated_patterns():
        found = 0
        for text in texts:
            plain = pattern.search(text)
            gated = gated_search(pattern, text, fold(text))
            assert (gated is None) == (plain is None) and (gated is None or gated.span() == plain.span()), \
                (pattern.pattern[:60], text)
            found += plain is not None
        assert found > 20, pattern.pattern[:60]  # the texts reach both answers


def test_sentence_split_spans_are_finditer() -> None:
    from skillscan.analyzers.instructions.sentence_split import SPLIT, split_spans

    pool = (".", "!", "?", "。", "！", "？", "；", ";", "\n", "\n\n", " ", "\t", "\r", "- ", "1. ", "2)", "*", "+",
            "word", "\u3000", "\x85", "\u2028", "。\n", "！ ", "\x00", "\ufeff", "\r\n")
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30))) for _ in range(40000)]
    texts += _texts(8, 2000, pool)
    for text in texts:
        assert list(split_spans(text)) == [m.span() for m in SPLIT.finditer(text)], repr(text)
