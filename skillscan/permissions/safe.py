"""Which inferred capabilities a suggested declaration may pre-approve: safe to paste.

`safe_to_suggest(cap) -> bool` is False for
- unscoped shell (`proc.shell`, ⊤, rendered as a bare `Bash`): it pre-approves everything and
  discloses nothing — the package is left to review instead;
- a host or URL a finding would mark as malicious or throwaway: a raw public IP, plain-http or
  untrusted remote code, a paste/request-catcher/file-drop/tunnel/shortener sink
  (`WebFetch(domain:45.61.170.22)` for a `curl | bash` lure);
- a scope a parser could have mis-read: one that starts like an option or a glob bracket
  (`+repage`, `[--repo`, `-rf`), or holds whitespace, quotes, brackets, parentheses, backticks,
  `$(`, `;`, `|` or `&` (`Edit(./+repage)`, `Edit(./[--repo)`).
What it drops stays undeclared, so the verdict still reports it."""

from __future__ import annotations

import re

from skillscan.capabilities.grammar import TOP
from skillscan.model import Capability
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table

_UNSAFE_CHARS = re.compile(r"[\s\"'`()\[\]{};|&<>]|\$\(")
_OPTION_START = re.compile(r"^(?:\./|//|/)?[-+\[]")
_HOST_KINDS = ("net.egress", "code.remote", "ui.exfil-render")


def _path_scope_ok(scope: str) -> bool:
    s = scope.strip()
    for prefix in ("$WORK/", "$PKG/", "$TMP/", "$DATA/", "~/"):
        if s.startswith(prefix):
            s = s[len(prefix):]
            break
    if s.startswith("${") and "}" in s:  # ${CLAUDE_SKILL_DIR}/…
        s = s.split("}", 1)[1].lstrip("/")
    return not _OPTION_START.match(s) and not _UNSAFE_CHARS.search(s)


def _host_ok(kind: str, scope: str) -> bool:
    if kind == "code.remote" and not scope.lower().startswith("https://"):
        return False
    info = host_info(scope)
    if info.kind in ("ip", "private-ip", "invalid"):  # a literal address is no vendor domain
        return False
    return load_table().sink(scope) is None


def safe_to_suggest(cap: Capability) -> bool:
    if cap == TOP or cap.kind == "proc.shell":
        return False
    scope = cap.scope
    if scope is None or scope == "*":
        return True
    if cap.kind in _HOST_KINDS:
        return scope == "search" or _host_ok(cap.kind, scope)
    if cap.kind in ("fs.read", "fs.write", "fs.delete"):
        return _path_scope_ok(scope)
    if cap.kind == "proc.exec":
        return not _OPTION_START.match(scope) and not _UNSAFE_CHARS.search(scope)
    return True
