"""What a fenced block read as shell really holds (rules/instructions/fence_dialect.yaml):

* `session_lines` — the lines of a protocol session (SMTP, FTP, POP3, IMAP, HTTP: what a client types into
  `telnet host 25` and what the server answers, a mail's DATA body) or of an interpreter session (`>>> …`):
  they are typed into that session, not run by a shell, so the shell analyzer is given the fence with those
  lines blank (line numbers kept) and reads the shell lines around them as before;
* `unlabelled` — a line that puts a one-word label before a command (`exec: curl … | sh`, `run: …`, `cmd: …`)
  holds that command: an agent told to run the line runs what follows the label, so the label is blanked (columns
  kept) when what follows starts like a command; a label before anything else (`name: value`) stays as written;
* `repl_python` (`repl_session`: with the prompt widths) — the Python typed at the `>>>` / `In [n]:` prompts of a fence (with their `...` continuation
  lines): the statements the agent would type into the interpreter, for the Python engine (the shell reader gets
  them blank, as above);
* `powershell_text` — an unlabelled fence whose command lines are mostly PowerShell (cmdlets, `$var = …`,
  `$env:NAME`, `[Type]::Member`, backtick continuations) is read in the PowerShell dialect, not as bash.

A protocol line is a whole line of plain words: a client, server or DATA-body line holding a shell operator
(`;`, `|`, `&`, `$`, a backtick) is never taken for a session line, so a shell command cannot hide as one. An
interpreter prompt line (`>>> …`, `In [1]: …`, `irb(…)> …`, `mysql> …`) is taken whatever follows the prompt:
what follows is that interpreter's language, where `;` and `|` are its own; it is blanked for the shell
reader and not handed to another engine."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from skillscan.catalog import rules_dir

PY_PROMPT = re.compile(r"^\s*(?:>>>|In \[\d+\]:)(?: |$)")
PY_CONTINUATION = re.compile(r"^\s*(?:\.\.\.|\.\.\.:|\s+\.\.\.:)(?: |$)")
LABEL = re.compile(r"^(\s*)[A-Za-z][A-Za-z0-9_-]{0,23}:[ \t]+(?=\S)")
SHELL_OPERATOR = re.compile(r"[|;&`]|\$\(")
MAX_DATA_BODY = 200  # lines of a mail's DATA body looked through for its terminating `.`


@dataclass(frozen=True)
class FenceWords:
    client: re.Pattern[str]
    server: re.Pattern[str]
    header: re.Pattern[str]
    prompt: re.Pattern[str]
    continuation: re.Pattern[str]
    cmdlet: re.Pattern[str]
    powershell: re.Pattern[str]


def _alt(items: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(f"(?:{x})" for x in items) + ")")


@lru_cache(maxsize=1)
def words() -> FenceWords:
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "instructions" / "fence_dialect.yaml") or {}
    verbs = "|".join(sorted((str(v) for v in data["powershell_verbs"]), key=len, reverse=True))
    return FenceWords(
        client=_alt(data["session_client"]), server=_alt(data["session_server"]),
        header=re.compile(data["session_header"]), prompt=_alt(data["repl_prompt"]),
        continuation=re.compile(data["repl_continuation"]),
        cmdlet=re.compile(rf"(?:&\s*)?(?:{verbs})-[A-Z][A-Za-z0-9]+(?:\s.*)?"),
        powershell=_alt(data["powershell_line"]))


def session_lines(body: str) -> set[int]:
    """The 0-based indexes of the lines of `body` that belong to a protocol or interpreter session."""
    w = words()
    lines = [x.strip() for x in body.split("\n")]
    out: set[int] = set()
    mail_to = False  # a MAIL FROM / RCPT TO line came before: a DATA line opens the message body
    i = 0
    while i < len(lines):
        text = lines[i]
        if w.client.fullmatch(text) or w.server.fullmatch(text):
            out.add(i)
            mail_to = mail_to or text.startswith(("MAIL FROM:", "RCPT TO:"))
            if text == "DATA" and mail_to:
                i = _data_body(lines, i + 1, out)
                continue
            if text.split(" ", 1)[0] in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT",
                                         "TRACE") and w.client.fullmatch(text):
                i += 1
                while i < len(lines) and lines[i] and w.header.fullmatch(lines[i]):
                    out.add(i)
                    i += 1
                continue
        elif w.prompt.fullmatch(text):
            out.add(i)
            while i + 1 < len(lines) and w.continuation.fullmatch(lines[i + 1]):
                i += 1
                out.add(i)
        i += 1
    return out


def _data_body(lines: list[str], start: int, out: set[int]) -> int:
    """Mark a mail's DATA body: to its lone `.` line when there is one (within MAX_DATA_BODY lines), else only the
    header lines right after DATA. The index after the body."""
    end = next((j for j in range(start, min(len(lines), start + MAX_DATA_BODY)) if lines[j] == "."), None)
    if end is not None:  # a body line holding a shell operator is still read as shell: nothing hides in a body
        out.update(j for j in range(start, end + 1) if not SHELL_OPERATOR.search(lines[j]))
        return end + 1
    j = start
    while j < len(lines) and lines[j] and words().header.fullmatch(lines[j]):
        out.add(j)
        j += 1
    return j


def without_sessions(body: str) -> str:
    """`body` with every session line blank (same line count)."""
    drop = session_lines(body)
    if not drop:
        return body
    return "\n".join("" if i in drop else x for i, x in enumerate(body.split("\n")))


def unlabelled(body: str, command: Callable[[str], bool]) -> str:
    """`body` with the label blanked on every line where a one-word label (`exec:`) comes before text that
    `command` says starts a command; line count and columns kept."""
    if ":" not in body:
        return body
    lines = body.split("\n")
    for i, line in enumerate(lines):
        m = LABEL.match(line)
        if m is not None and command(line[m.end():]):
            lines[i] = m.group(1) + " " * (m.end() - len(m.group(1))) + line[m.end():]
    return "\n".join(lines)


def repl_python(body: str) -> str | None:
    """The Python statements typed at the interpreter prompts of `body`, each at its own line (prompts removed,
    every other line blank, so line numbers are kept), or None when there is none. A statement (a prompt line
    and its continuation lines) that does not parse alone is left out (it is not Python the interpreter would
    run as written)."""
    session = repl_session(body)
    return None if session is None else session[0]


def repl_session(body: str) -> tuple[str, tuple[int, ...]] | None:
    """`repl_python` of `body` and, for each of its lines, the width of the prompt taken off it (`>>> ` 4,
    `In [12]: ` 9, 0 on a blank line), so a position in the code is the same line of `body` that many columns
    further right."""
    import ast

    if ">>>" not in body and "In [" not in body:
        return None
    lines = body.split("\n")
    out = [""] * len(lines)
    widths = [0] * len(lines)
    found = False
    i = 0
    while i < len(lines):
        m = PY_PROMPT.match(lines[i])
        if m is None:
            i += 1
            continue
        group = [(i, m.end())]
        j = i + 1
        while j < len(lines) and (c := PY_CONTINUATION.match(lines[j])) is not None:
            group.append((j, c.end()))
            j += 1
        code = "\n".join(lines[k][w:] for k, w in group)
        try:
            ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            i = j
            continue
        for k, w in group:
            out[k], widths[k] = lines[k][w:], w
        found = found or bool(code.strip())
        i = j
    return ("\n".join(out), tuple(widths)) if found else None


def powershell_text(body: str) -> bool:
    """Most command lines (not blank, not `#` comments) are PowerShell, and at least one is."""
    w = words()
    lines = [x.strip() for x in body.split("\n") if x.strip() and not x.strip().startswith("#")]
    ps = sum(1 for x in lines if w.cmdlet.fullmatch(x) or w.powershell.fullmatch(x))
    return ps > 0 and ps * 2 >= len(lines)
