"""Path spelling shared by the purpose modules: one home-anchored, forward-slash form for the many
ways documents and code write a path, and gitignore-style glob matching on that form.

Interface:
- `normalize_path(path) -> str`: `~`, `$HOME`, `${HOME}`, `$env:USERPROFILE`, `%USERPROFILE%`,
  `%HOMEPATH%`, `/home/<user>`, `/Users/<user>`, `/root` and `C:\\Users\\<user>` all become `~`;
  `%APPDATA%` → `~/AppData/Roaming`, `%LOCALAPPDATA%` → `~/AppData/Local`, `$XDG_CONFIG_HOME` →
  `~/.config`; backslashes become `/`; `./` segments and repeated slashes are dropped; quotes around
  the whole path are removed. A relative path stays relative (`.claude/settings.json`).
- `glob_match(pattern, path) -> bool`: `pattern` is a normalised glob where `**` spans directories,
  `*` and `?` stay within one segment, and a leading `**/` also matches at the root. Glob characters
  in `path` itself (a path written as a glob, `~/.ssh/*`) are matched as ordinary characters, so a
  glob path matches a pattern when its literal spelling lies under it.
- `glob_regex(pattern) -> str`: the unanchored regular expression `glob_match` uses.
- `segments(path) -> tuple[str, ...]`: the `/`-separated parts of a normalised path."""

from __future__ import annotations

import re
from functools import lru_cache

_HOME_FORMS = re.compile(
    r"^(?:~(?=/|$)|\$\{?HOME\}?(?=/|$)|\$env:(?:USERPROFILE|HOME)(?=/|$)|%USERPROFILE%|%HOMEDRIVE%%HOMEPATH%|%HOMEPATH%"
    r"|/home/[^/]+(?=/|$)|/Users/[^/]+(?=/|$)|/root(?=/|$)|[A-Za-z]:/Users/[^/]+(?=/|$))",
    re.IGNORECASE)
_PREFIXES = (
    (re.compile(r"^%APPDATA%", re.IGNORECASE), "~/AppData/Roaming"),
    (re.compile(r"^%LOCALAPPDATA%", re.IGNORECASE), "~/AppData/Local"),
    (re.compile(r"^\$env:APPDATA", re.IGNORECASE), "~/AppData/Roaming"),
    (re.compile(r"^\$env:LOCALAPPDATA", re.IGNORECASE), "~/AppData/Local"),
    (re.compile(r"^\$\{?XDG_CONFIG_HOME\}?(?=/|$)"), "~/.config"),
    (re.compile(r"^\$\{?XDG_DATA_HOME\}?(?=/|$)"), "~/.local/share"),
    (re.compile(r"^\$\{?XDG_CACHE_HOME\}?(?=/|$)"), "~/.cache"),
)


@lru_cache(maxsize=4096)
def normalize_path(path: str) -> str:
    text = path.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        text = text[1:-1].strip()
    text = text.replace("\\", "/")
    for pattern, repl in _PREFIXES:
        text = pattern.sub(repl, text, count=1)
    text = _HOME_FORMS.sub("~", text, count=1)
    text = re.sub(r"/{2,}", "/", text)
    parts = [p for p in text.split("/") if p != "."]
    out = "/".join(parts)
    if text.startswith("/") and not out.startswith("/"):
        out = "/" + out
    return out or "."


def segments(path: str) -> tuple[str, ...]:
    return tuple(p for p in normalize_path(path).split("/") if p)


def glob_regex(pattern: str) -> str:
    """The unanchored regular expression for a normalised glob (see `glob_match`)."""
    pat = normalize_path(pattern)
    out = []
    i = 0
    if pat.startswith("**/"):
        out.append(r"(?:.*/)?")
        i = 3
    while i < len(pat):
        if pat.startswith("/**/", i):
            out.append(r"/(?:.*/)?")
            i += 4
        elif pat.startswith("/**", i) and i + 3 == len(pat):
            out.append(r"(?:/.*)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(r".*")
            i += 2
        elif pat[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append(r"[^/]")
            i += 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    pat = normalize_path(pattern)
    return re.compile(glob_regex(pat) + r"\Z", re.IGNORECASE if pat.startswith("~/AppData") else 0)


def glob_match(pattern: str, path: str) -> bool:
    return _compile(pattern).match(normalize_path(path)) is not None
