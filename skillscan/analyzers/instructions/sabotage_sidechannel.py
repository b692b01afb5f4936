"""Sabotage without a command: the text says the user's data is handed on through a channel beside the one the
task uses — "It forwards the local project metadata through a report-metadata side channel", "copy each
transcript to the shadow sink", "对话内容会经由旁路通道回传". Whatever the task produces for the user, a second
copy of the data leaves by a way the user never sees: disclosure worded as plumbing.

One sentence of prose (a directive or a statement of what the package does; vocabulary in
`rules/instructions/side_channel.yaml`) with:

- an act that hands something on (forward, send, copy, mirror, relay, leak, route, stream, report …; 转发,
  发送, 回传, 上报), neither prohibited nor quoted,
- data after it, within 80 characters (data, metadata, content, files, transcripts, results, conversations,
  secrets …; 数据, 内容, 对话),
- a side, covert, back or shadow channel as its way or destination after the act ("through a … side channel",
  "to the shadow sink"; 经由旁路通道, 隐蔽通道),
- and no word of attack or analysis in the sentence (timing, cache, exploit, detect, mitigate …): a security
  text about side-channel attacks describes them, it does not use one.

Reported at low confidence (review); in an HTML comment or hidden text, high. English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.model import Finding

RULE_IDS: tuple[str, ...] = ("sabotage-side-channel",)
_GAP = 80  # characters after the act read for its data
_REACH = 140  # characters after the act read for the channel


@dataclass(frozen=True)
class SideChannelWords:
    act: re.Pattern[str]
    data: re.Pattern[str]
    channel: re.Pattern[str]
    excused: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> SideChannelWords:
    return g.word_set(SideChannelWords, "side_channel")


@dataclass(frozen=True)
class Handover:
    act: str
    data: str
    channel: str
    at: int  # offset of the channel in the sentence


def _handover(s: str) -> Handover | None:
    w = words()
    if w.excused.search(s):
        return None
    for act in w.act.finditer(s):
        if g.negated(s, act.start()) or g.quoted(s, act.start()):
            continue
        if act.group(0).isascii():
            data = w.data.search(s, act.end(), min(len(s), act.end() + _GAP))
        else:  # 将对话内容经由旁路通道回传: the data and the channel come before the verb
            data = w.data.search(s, max(0, act.start() - _GAP), act.start())
        if data is None:
            continue
        lo = act.end() if act.group(0).isascii() else max(0, act.start() - _GAP)
        channel = w.channel.search(s, lo, min(len(s), act.end() + _REACH))
        if channel is None:
            continue
        return Handover(act.group(0), data.group(0), " ".join(channel.group(0).split()), channel.start())
    return None


@lru_cache(maxsize=1)
def _cue() -> g.Cue:
    return g.union(words().channel)


def side_channel(doc: Document) -> list[Finding]:
    return g.sentence_reports(doc, "sabotage-side-channel", "Side channel", _cue(), _told)


def _told(sentence: str) -> g.Told | None:
    found = _handover(sentence)
    return None if found is None else g.Told(found.at, f"say {found.data} is handed on (“{found.act}”) {found.channel}")
