"""The stated-purpose search asks each service's name patterns only when a cheap test says they can match
(skillscan/purpose/stated.py: `folded`, `_first_word_at`, the proper-name containment test) and reads each service's slug
tokens once (`_name_tokens`). Both must give exactly what the patterns and the per-call slugs gave: compared
here with the ungated search on every service of the table over the corpora's descriptions and over texts made
to sit on the edges (case, Unicode case folding, separators, CJK, sentence starts)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from skillscan.purpose import stated
from skillscan.purpose.services import load_table

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _ungated_description(svc: stated.Service, text: str) -> str | None:
    names, proper = stated._name_patterns(svc)
    if names is not None:
        m = names.search(text)
        if m:
            return text[m.start():m.end()]
    if proper is not None:
        for m in proper.finditer(text):
            if not stated._sentence_initial(text, m.start()):
                return m.group(0)
    return None


def _ungated_name(svc: stated.Service, slug: str) -> str | None:
    padded = f" {slug} "
    for name in (svc.id, *svc.names, *svc.proper_names):
        token = stated._slug_text(name)
        if token and f" {token} " in padded:
            return name
    return None


def _texts() -> list[str]:
    table = load_table()
    rng = random.Random(7)
    words = [n for s in table.services for n in (s.id, *s.names, *s.proper_names)]
    edges = ["\u212a", "\u017f", "\u0130", "\u0131", "_", "-", ".", " ", "\t", "\n", "é", "ß", "飞书", "x", "A", ". "]
    texts = ["", "plain words only", "Send to SLACK.", "uses Amazon_Web-Services daily", "the Notion API. Notion is",
             "ſlack and \u212aubernetes", "GitHub-hosted", "my.slack.com", "slack-bot", "a Linear issue", "Linear issues"]
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 6)):
            w = rng.choice(words)
            w = rng.choice([w, w.upper(), w.title(), w.replace(" ", rng.choice(["_", "-", "  ", "\t"]))])
            parts.append(w)
            parts.append(rng.choice(edges))
        texts.append("".join(parts))
    if CORPUS.is_dir():
        for skill in sorted(CORPUS.glob("*/*/*/SKILL.md"))[:400]:
            head = skill.read_text(encoding="utf-8", errors="replace")[:3000]
            texts.append(head)
    return texts


TEXTS = _texts()


@pytest.mark.parametrize("chunk", range(4))
def test_gated_description_search_finds_what_the_patterns_find(chunk: int) -> None:
    table = load_table()
    for text in TEXTS[chunk::4]:
        low = stated.folded(text)
        for svc in table.services:
            assert stated._in_description(svc, text, low) == _ungated_description(svc, text), (svc.id, text[:80])
            assert stated._in_description(svc, text) == _ungated_description(svc, text)


def test_name_tokens_find_what_the_per_call_slugs_find() -> None:
    table = load_table()
    for text in TEXTS:
        slug = stated._slug_text(text[:200])
        if not slug:
            continue
        for svc in table.services:
            assert stated._in_name(svc, slug) == _ungated_name(svc, slug)


def test_the_gate_refuses_only_texts_without_the_name_words() -> None:
    svc = next(s for s in load_table().services if "amazon web services" in s.names)
    assert stated._first_word_at(svc, "nothing of the kind") == -1
    assert stated._first_word_at(svc, "see the amazon_web-services console") >= 0
    assert stated.folded("caf\u00e9 AWS") == "caf\u00e9 aws"  # lowered in place: indices kept
    for fold in ("\u0130", "\u0131", "\u017f", "\u212a"):  # they match an ASCII letter under IGNORECASE
        assert stated.folded(f"a {fold} b") is None


def test_the_four_folds_are_all_the_characters_that_match_ascii_case_insensitively() -> None:
    import re
    import string

    found = {chr(c) for a in string.ascii_letters for c in range(0x80, 0x3000)
             if re.fullmatch(re.escape(a), chr(c), re.I)}
    assert found == set(stated._FOLDS)
