"""What an HTTP client command (`curl`, `wget`, `http`) sends, as flow facts (issue 14): which
credential variables or files, in which part of the request (a header — which one —, the body, the
URL), to which host, and whether the variable's service owns that host — the same `model.Flow` the
Python engine gives ("`curl` sends DO_API_TOKEN as the Authorization header to api.digitalocean.com
(the variable's own service)").

- `sent_values(words, credential, attached=True) -> list[Sent]`: the credential variables (`credential(name)`
  says which names are credentials) and files (`-d @FILE`, `-F f=@FILE`, `-T FILE`) each option carries
  (`attached`: a short option may hold its value, `-TFILE`; not in PowerShell, whose `-TimeoutSec` is one word).
- `url_host(words) -> str | None`: the host of the request's URL when the URL is only partly static
  (`https://api.telegram.org/bot$TOKEN/sendMessage` → api.telegram.org): the host part must be literal.
Words are read as written (`Word.raw`), so a value computed at run time still shows its variables."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from skillscan.analyzers.shell.words import Word
from skillscan.capabilities.urls import static_host

_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
HEADER_OPTIONS = frozenset({"-H", "--header"})
BODY_OPTIONS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "-F",
                          "--form", "--form-string", "--json", "--post-data", "--body-data"})
FILE_OPTIONS = frozenset({"-T", "--upload-file", "--post-file", "--body-file"})
_FILE_FIELD = re.compile(r"^(?:[\w.\[\]-]{1,64}=)?@(?!-$)([^;\s\"']+)")
MAX_WORDS = 256


@dataclass(frozen=True)
class Sent:
    thing: str  # the variable's name, or the file's path
    source: str  # `variables` | `file`
    part: str  # `header` | `body` | `url`
    header: str | None = None  # the header's name, for part `header`


def _unquote(raw: str) -> str:
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" else raw


def _option(raw: str, attached: bool = True) -> tuple[str, str | None]:
    """`--header=X` → (`--header`, X); `-HX` → (`-H`, X) when short options take attached values (not in
    PowerShell, where `-TimeoutSec` is one parameter); `-d` → (`-d`, None)."""
    if raw.startswith("--") and "=" in raw:
        name, value = raw.split("=", 1)
        return name, value
    if attached and len(raw) > 2 and raw[0] == "-" and raw[1] != "-" and \
            raw[:2] in HEADER_OPTIONS | BODY_OPTIONS | FILE_OPTIONS:
        return raw[:2], raw[2:]
    return raw, None


def sent_values(words: Sequence[Word], credential: Callable[[str], bool], attached: bool = True) -> list[Sent]:
    out: list[Sent] = []
    i = 0
    seen_url = False
    while i < min(len(words), MAX_WORDS):
        raw = words[i].raw
        name, value = _option(_unquote(raw), attached)
        if name in HEADER_OPTIONS | BODY_OPTIONS | FILE_OPTIONS:
            if value is None:
                i += 1
                value = _unquote(words[i].raw) if i < len(words) else ""
            if name in HEADER_OPTIONS:
                header = value.split(":", 1)[0].strip() if ":" in value else None
                out += [Sent(v, "variables", "header", header) for v in _VAR.findall(value) if credential(v)]
            elif name in FILE_OPTIONS:
                if value and value != "-":
                    out.append(Sent(value, "file", "body"))
            else:
                m = _FILE_FIELD.match(value)
                if m:
                    out.append(Sent(m.group(1), "file", "body"))
                out += [Sent(v, "variables", "body") for v in _VAR.findall(value) if credential(v)]
        elif not seen_url and "://" in raw and not raw.startswith("-"):
            seen_url = True
            out += [Sent(v, "variables", "url") for v in _VAR.findall(raw) if credential(v)]
        i += 1
    return list(dict.fromkeys(out))


_ENV_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]")
_LEADING_VAR = re.compile(r"""^["']?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?""")


def url_host(words: Sequence[Word]) -> str | None:
    """The literal host of the first URL operand whose later parts are computed at run time: written in the
    word (`https://api.telegram.org/bot$TOKEN/…`) or in the known URL of the variable it starts with
    (`"$STORE/snapshots/$(whoami)"` after `STORE="https://snapshots.example/api"`)."""
    for w in words[:MAX_WORDS]:
        if w.raw.startswith("-"):
            continue
        if "://" in w.raw:
            return static_host(w.raw)
        base = leading_url(w)
        if base is not None:
            return static_host(base.rstrip("/") + "/")
    return None


def leading_url(w: Word) -> str | None:
    """The known URL a word starts with through its first variable (`"$STORE/x/$(id)"`), else None."""
    m = _LEADING_VAR.match(w.raw)
    first = dict(w.via).get(m.group(1)) if m else None
    if m is None or first is None or first.value is None or "://" not in first.value or \
            w.raw[m.end():][:1] not in ("/", '"', "'", "?", "") or _ENV_DEFAULT.search(first.raw):
        return None  # `URL="${SERVICE_URL:-http://localhost:8001}"`: the environment's value first, not that URL
    return first.value
