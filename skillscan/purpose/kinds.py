"""Kinds of purpose a skill states (`rules/purpose/kinds.yaml`): messaging, email, backup or sharing, agent
memory, security testing, the user's conventions, ranking, … — what a tool is *for*, read from the words of
its name, description and title.

- `load_kinds() -> tuple[Kind, ...]`: the table, memoised (`Kind(id, label, words)`).
- `stated_kinds(text) -> Mapping[str, str]`: each kind the text states, with the word that states it. English
  words match whole, case-insensitively, with a plural or verb ending (s, es, ed, ing, er, ers); the parts of
  a word of several parts may be joined by a space, hyphen or underscore. Chinese words match as written.
- `first_stated(kind_ids, text) -> str | None`: the word that states the first of these kinds, if any — what a
  prose detector asks of the kinds its rule file names (`coherent_kinds`); `known_ids` checks those names.
- `content_words(text) -> int`: how many distinct content words the text holds (the name is often repeated
  in the title) (whole Latin words of three letters or
  more, not a few function words such as "use this skill when", and not pieces of an identifier with digits;
  runs of CJK characters counted by pairs), to tell a stated purpose from an empty one.

Nothing here decides a verdict; `skillscan/policy_coherent.py` asks which kinds explain an act."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

MAX_TEXT = 4_000  # characters of stated text looked at


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    words: tuple[str, ...]


def _word_pattern(word: str) -> str:
    """The word as a pattern that starts with its first character, so that the engine's search skips every
    position whose character starts none of a kind's words: `c(?<![a-z0-9][\\s\\S])rest` holds exactly where
    `(?<![a-z0-9])c rest` holds (the letter before `c` is no letter or digit), with the same backtracking."""
    w = word.lower().strip()
    if re.search(r"[\u3400-\u9fff]", w):
        return re.escape(w)
    parts = [p for p in re.split(r"[\s_-]+", w) if p]
    end = r"(?:s|es|ed|ing|er|ers)?(?![a-z0-9])"
    if not parts:
        return r"(?<![a-z0-9])" + end
    head = re.escape(parts[0][0]) + r"(?<![a-z0-9][\s\S])" + re.escape(parts[0][1:])
    return r"[\s_-]*".join([head, *(re.escape(p) for p in parts[1:])]) + end


@lru_cache(maxsize=1)
def load_kinds() -> tuple[Kind, ...]:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "purpose" / "kinds.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise TypeError("rules/purpose/kinds.yaml: expected a mapping with `kinds`")
    out = []
    for kid, spec in data["kinds"].items():
        if not isinstance(spec, dict) or not spec.get("words"):
            raise TypeError(f"rules/purpose/kinds.yaml: kind {kid!r} needs `label` and `words`")
        out.append(Kind(str(kid), str(spec.get("label") or kid), tuple(str(w) for w in spec["words"])))
    return tuple(out)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[Kind, re.Pattern[str]], ...]:
    return tuple((k, re.compile("|".join(_word_pattern(w) for w in k.words))) for k in load_kinds())


@lru_cache(maxsize=1024)
def stated_kinds(text: str) -> Mapping[str, str]:
    """Read-only: the answer is memoised and shared by every caller."""
    low = text[:MAX_TEXT].lower()
    out: dict[str, str] = {}
    for kind, pat in _patterns():
        m = pat.search(low)
        if m:
            out[kind.id] = m.group(0)
    return MappingProxyType(out)


def known_ids(kind_ids: Iterable[str], where: str) -> tuple[str, ...]:
    """`kind_ids` as a tuple, each checked against the table: a kind a rule file names that the table lacks is a
    broken rule file, never a purpose that is silently never stated."""
    ids = tuple(str(k) for k in kind_ids)
    unknown = sorted(set(ids) - {k.id for k in load_kinds()})
    if unknown:
        raise TypeError(f"{where}: unknown purpose kinds {unknown} (rules/purpose/kinds.yaml)")
    return ids


def first_stated(kind_ids: Iterable[str], text: str) -> str | None:
    """The word of `text` that states the first of these kinds the text states, or None."""
    stated = stated_kinds(text)
    return next((stated[k] for k in kind_ids if k in stated), None)


def label(kind_id: str) -> str:
    return next((k.label for k in load_kinds() if k.id == kind_id), kind_id)


# whole words of letters only: an identifier with digits (a directory name) is not a stated word
_LATIN = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
_STOP = frozenset({"use", "this", "skill", "when", "the", "and", "for", "with", "you", "your", "any", "that",
                   "are", "can", "its", "from", "into", "all"})
_CJK = re.compile(r"[\u3400-\u9fff]+")


def content_words(text: str) -> int:
    low = text[:MAX_TEXT].lower()
    latin = {w for w in _LATIN.findall(low) if w not in _STOP}
    cjk = {run[i:i + 2] for run in _CJK.findall(low) for i in range(0, max(1, len(run) - 1), 2)}
    return len(latin) + len(cjk)
