"""A credential shipped in the instructions for the agent to use: "Type "<password>" into the password
field", "API Secret: `GSvX…`", `-H "Authorization: Bearer 34c7…"`. The account is the package's, not the
user's: whatever the agent sends with it reaches that account's owner, and the secret itself is public to
every reader of the package.

The structure is the evidence: a credential label (API key/secret, consumer key/secret, access token,
bearer token, client secret, password; 密码, 密钥, 令牌) tied to a literal value — right after it (`label:
value`, `label = "value"`, `Authorization: Bearer value`) or typed into the field it names (`type "value"
into the password field`, `输入密码 value`) — where the value looks like a real secret, not a placeholder:
no `<…>`, `${…}`, `$VAR`, your/example/xxx/redacted/changeme words, letters and digits both present,
and for keys and tokens a long, varied value (length and character entropy). The vocabulary is data:
rules/instructions/credentials.yaml."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import sabotage_grammar as g
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.model import Channel, Finding

RULE_IDS: tuple[str, ...] = ("shipped-credential-instruction",)

MAX_REPORTS = 5  # per file: enough for a verdict
MAX_LINE = 2_000  # characters of a line looked at (a credential sits on a short line)


BLOCK_LINES = 6  # lines within which listed keys form one credential set
REQUEST_BEFORE = 3  # lines before a header looked at for its request's URL


@dataclass(frozen=True)
class Words:
    anchors: re.Pattern[str]
    typed: tuple[re.Pattern[str], ...]
    header: tuple[re.Pattern[str], ...]
    label: tuple[re.Pattern[str], ...]
    placeholder: re.Pattern[str]
    request_host: re.Pattern[str]


@lru_cache(maxsize=1)
def _words() -> Words:
    data = g.instruction_data("credentials")

    def each(key: str) -> tuple[re.Pattern[str], ...]:  # one pattern each: they all name `label` and `value`
        return tuple(re.compile(p, re.IGNORECASE) for p in data[key])

    return Words(re.compile(data["anchors"], re.IGNORECASE), each("typed"), each("header"), each("label"),
                 g.alternation(data["placeholder"]), re.compile(data["request_host"], re.IGNORECASE))


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _password(value: str, w: Words) -> bool:
    return not w.placeholder.search(value) and bool(re.search(r"\d", value)) and \
        bool(re.search(r"[A-Za-z]", value)) and 8 <= len(value) <= 64 and len(set(value)) >= 6


def _token(value: str, w: Words) -> bool:
    return not w.placeholder.search(value) and bool(re.search(r"\d", value)) and \
        bool(re.search(r"[A-Za-z]", value)) and len(value) >= 16 and _entropy(value) >= 3.5


def _first(patterns: tuple[re.Pattern[str], ...], text: str, real: Callable[[str], bool]) -> re.Match[str] | None:
    return next((m for p in patterns for m in p.finditer(text) if real(m.group("value"))), None)


def _anchored_lines(doc: Document, anchors: re.Pattern[str]) -> list[int]:
    """The indices of the lines holding an `anchors` match, from one search of the whole text, in order. The
    anchors are words, none spanning a line break (rules/instructions/credentials.yaml,
    tests/test_prose_prechecks.py): every line with a match of its own holds a match of the whole text."""
    text = "\n".join(doc.lines)
    out: list[int] = []
    line, counted = 0, 0
    for m in anchors.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        if not out or out[-1] != line:
            out.append(line)
    return out


def shipped_credentials(doc: Document) -> list[Finding]:
    w = _words()
    hits: list[tuple[int, re.Match[str]]] = []
    listed: list[tuple[int, re.Match[str]]] = []
    for i in _anchored_lines(doc, w.anchors):
        text = doc.lines[i][:MAX_LINE]
        if not w.anchors.search(text):
            continue
        m = _first(w.typed, text, lambda v: _password(v, w))
        if m is None:
            m = _first(w.header, text, lambda v: _token(v, w))
            if m is not None and not any(w.request_host.search(doc.lines[j][:MAX_LINE])
                                         for j in range(max(0, i - REQUEST_BEFORE), i + 1)):
                m = None
        if m is not None:
            hits.append((i, m))
            continue
        m = _first(w.label, text, lambda v: _token(v, w) and len(v) >= 20)
        if m is not None:
            listed.append((i, m))
    # listed keys count as a credential set when two of them sit within a few lines of each other
    for k, (i, m) in enumerate(listed):
        if any(j != k and abs(i - listed[j][0]) <= BLOCK_LINES for j in range(len(listed))):
            hits.append((i, m))
    out: list[Finding] = []
    for i, m in sorted(hits, key=lambda h: h[0])[:MAX_REPORTS]:
        label, value = " ".join(m.group("label").split()), m.group("value")
        out.append(finding(
            "shipped-credential-instruction",
            f"the instructions hand the agent a literal {label} (`{value[:4]}…`, {len(value)} characters): the "
            "package ships a credential, so what the agent does with it acts on the account it belongs to",
            doc.path, i + 1, m.start("value") + 1, snippet=doc.lines[i].strip()[:200], channel=Channel.INSTRUCTION,
        ))
    return capped(out, len(hits) - len(out), MAX_REPORTS)
