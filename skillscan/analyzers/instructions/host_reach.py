"""Host reach: prose that points the agent out of the sandbox it works in — a container given the host (its
root filesystem mounted, `-v /:/host`; its Docker socket, `/var/run/docker.sock`; its process table,
`--pid=host`) or the cloud instance-metadata service (`169.254.169.254`, `metadata.google.internal`,
`/latest/meta-data`, `/computeMetadata/v1`), which hands the machine's cloud credentials to whoever asks.
One sentence of prose aimed at the agent (vocabulary in `rules/instructions/host_reach.yaml`) that names one
of them, is neither a prohibition nor a quotation, and does not guard against it (block, deny, SSRF,
firewall, detect …: a defence or a review checklist names the same things), in a package whose stated
purpose is not cloud, container or security tooling (whose subject they are). The fenced command is the shell
analyzer's (`docker run --privileged -v /:/host` is `proc.elevate`); this rule reads the sentence that asks
for it without a command. Evidence for review; in an HTML comment raised (medium), in other hidden text high. English
and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import Said, confidence, line_of, reports
from skillscan.analyzers.literal_gate import fold, gated_search
from skillscan.model import Confidence, Finding, Package

RULE_IDS: tuple[str, ...] = ("host-reach-instruction",)
KINDS = g.KINDS  # prose, HTML comments and hidden text
MAX_REPORTS = 5  # per file: enough for a verdict


@dataclass(frozen=True)
class ReachWords:
    container_host: re.Pattern[str]
    container_words: re.Pattern[str]
    metadata: re.Pattern[str]
    defence: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> ReachWords:
    return g.word_set(ReachWords, "host_reach")


@dataclass(frozen=True)
class Reach:
    named: str  # what the sentence names, as written
    what: str  # what it is, in the message


def reach(sentence: str) -> Reach | None:
    """What a sentence points the agent at outside its sandbox, or None."""
    w = words()
    low = fold(sentence)  # each pattern runs only where its literal gate is open (literal_gate.py)
    if gated_search(w.defence, sentence, low):
        return None
    m = gated_search(w.metadata, sentence, low)
    if m is not None and not g.negated(sentence, m.start()) and not g.quoted(sentence, m.start()):
        return Reach(m.group(0), "the cloud instance-metadata service, which hands out the machine's credentials")
    if not gated_search(w.container_words, sentence, low):
        return None
    for m in w.container_host.finditer(sentence):
        named = m.group(0).strip(" `'\"=(")
        if g.negated(sentence, m.start()) or g.quoted(sentence, m.start()):
            continue
        if "docker.sock" in named:
            return Reach(named, "the host's Docker socket, which controls every container and the host")
        if "pid" in named:
            return Reach(named, "the host's process table, shared with a container")
        return Reach(named, "the host's root filesystem, mounted into a container")
    return None


def _said(doc: Document) -> Iterator[Said]:
    for seg in doc.segments:
        if seg.kind not in KINDS:
            continue
        text = seg.raw or seg.text
        if "/" not in text and "169.254" not in text and "metadata" not in text.lower():
            continue
        for sent in g.sentences(text):
            hit = reach(sent.text)
            if hit is not None:
                yield Said(seg.kind, line_of(seg, sent.start, sent.text, hit.named),
                           f"point the agent at {hit.named}, {hit.what}", sent.text,
                           confidence(seg.kind, Confidence.LOW, Confidence.MEDIUM))


def host_reach(package: Package, doc: Document) -> list[Finding]:
    if g.purpose_states("host_reach", g.stated_purpose_text(package)):
        return []  # cloud, container or security tooling: the host and the metadata service are its subject
    return reports(doc, "host-reach-instruction", "Host reach", _said(doc), MAX_REPORTS)
