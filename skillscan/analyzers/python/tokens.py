"""Token-level reading of Python source (stdlib `tokenize`, restarted after errors): the nesting
pre-check that keeps pathological input away from libcst, and the fallback pass for files libcst
cannot take (Python 2, syntax errors, too deep, too large) — same capabilities, lower confidence."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any

from skillscan.analyzers.decode import CODE_MARKERS, decode_chain, decode_literal, looks_like
from skillscan.analyzers.python.capmap import ApiEntry, CapMap
from skillscan.analyzers.python.events import Event, Result, VirtualPayload
from skillscan.analyzers.python.names import DECODERS, MAX_EVENTS, split_words
from skillscan.analyzers.python.values import UNKNOWN, host_of
from skillscan.capabilities.grammar import (
    is_credential_env,
    normalize_binary,
    normalize_path,
    persist_kind_of_path,
    secret_kind_of_path,
)
from skillscan.model import Capability, Confidence, Location

MAX_PAREN_DEPTH = 90  # libcst segfaults on a few thousand; CPython itself refuses 200
MAX_CHAIN = 600  # operators / implicit concatenations in one logical line (libcst recursion)
MAX_INDENT = 90
MAX_RESTARTS = 200
MAX_TOKENS = 3_000_000
_OPERATORS = frozenset(["+", "-", "*", "/", "//", "%", "**", "@", "|", "&", "^", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "and", "or", "not", "in", "is", "if", "else"])


@dataclass
class Scan:
    tokens: list[tokenize.TokenInfo] = field(default_factory=list)
    max_depth: int = 0
    max_chain: int = 0
    max_indent: int = 0
    errors: int = 0
    cut: bool = False  # MAX_TOKENS reached: the tokens (and the measures) past it were not read

    @property
    def too_deep(self) -> bool:
        return self.max_depth > MAX_PAREN_DEPTH or self.max_chain > MAX_CHAIN or self.max_indent > MAX_INDENT


def scan_tokens(text: str, keep: bool = True) -> Scan:
    """Tokenize, restarting on the line after an error (bounded); measure bracket depth, operator
    chains per logical line and indentation depth. `keep=False` measures without keeping tokens. At
    MAX_TOKENS the scan stops with `cut` set: what lies past it was neither kept nor measured."""
    out = Scan()
    lines = text.splitlines(keepends=True)
    start = 0
    restarts = 0
    count = last_row = 0
    depth = chain = indent = 0
    while start < len(lines) and restarts <= MAX_RESTARTS:
        reader = io.StringIO("".join(lines[start:])).readline
        try:
            for tok in tokenize.generate_tokens(reader):
                count += 1
                if count >= MAX_TOKENS:
                    out.cut = True
                    return out
                if keep:
                    if start:
                        row = tok.start[0] + start
                        tok = tok._replace(start=(row, tok.start[1]), end=(tok.end[0] + start, tok.end[1]))
                    out.tokens.append(tok)
                elif depth > MAX_PAREN_DEPTH or chain > MAX_CHAIN or indent > MAX_INDENT:
                    out.max_depth = max(out.max_depth, depth)
                    out.max_chain = max(out.max_chain, chain)
                    out.max_indent = max(out.max_indent, indent)
                    return out  # measuring only: the verdict (too deep) is known
                last_row = tok.start[0] + (start if not keep else 0)
                t = tok.type
                if t == tokenize.OP:
                    s = tok.string
                    if s in "([{":
                        depth += 1
                        out.max_depth = max(out.max_depth, depth)
                    elif s in ")]}":
                        depth = max(0, depth - 1)
                    elif s in _OPERATORS:
                        chain += 1
                elif t == tokenize.NAME and tok.string in _OPERATORS or t == tokenize.STRING:
                    chain += 1
                elif t == tokenize.NEWLINE:
                    out.max_chain = max(out.max_chain, chain)
                    chain = 0
                elif t == tokenize.INDENT:
                    indent += 1
                    out.max_indent = max(out.max_indent, indent)
                elif t == tokenize.DEDENT:
                    indent = max(0, indent - 1)
            out.max_chain = max(out.max_chain, chain)
            return out
        except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
            out.errors += 1
            restarts += 1
            out.max_chain = max(out.max_chain, chain)
            chain = 0
            depth = 0
            bad = getattr(exc, "lineno", None)
            if bad is None and isinstance(exc, tokenize.TokenError) and len(exc.args) > 1:
                bad = exc.args[1][0]
            nxt = max(start + int(bad or 0), last_row, start + 1)
            if nxt <= start:
                nxt = start + 1
            start = nxt
        except (RecursionError, MemoryError):
            out.errors += 1
            return out
    return out


def _literal(tok: tokenize.TokenInfo) -> str | None:
    if tok.type != tokenize.STRING or len(tok.string) > 1_000_000:
        return None
    try:
        v = ast.literal_eval(tok.string)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        s = tok.string
        m = re.match(r"^[a-zA-Z]*(['\"]{1,3})(.*)\1$", s, re.DOTALL)
        return m.group(2) if m else None
    if isinstance(v, bytes):
        return v.decode("latin-1")
    return v if isinstance(v, str) else None


def token_pass(text: str, path: str, capmap: CapMap, scan: Scan | None, shell: Any | None,
               confidence: Confidence = Confidence.LOW) -> tuple[Result, list[Any]]:
    """Capabilities from a token stream: dotted names resolved through the imports seen, followed by
    `(` or a string (Python 2 `exec "..."`), with literal arguments for scopes."""
    if scan is None or not scan.tokens:
        scan = scan_tokens(text, keep=True)
    toks = [t for t in scan.tokens if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT,
                                                      tokenize.DEDENT, tokenize.ENCODING)]
    lines = text.splitlines()
    result = Result()
    shell_found: list[Any] = []
    aliases: dict[str, str] = {}

    def loc(tok: tokenize.TokenInfo) -> Location:
        row = tok.start[0]
        snippet = lines[row - 1].strip()[:300] if 0 < row <= len(lines) else ""
        return Location(path, row, tok.start[1] + 1, None, None, snippet)

    def emit(rule: str, message: str, tok: tokenize.TokenInfo, caps: list[Capability], decoded: str | None = None) -> None:
        if len(result.events) < MAX_EVENTS:
            result.events.append(Event(rule, message, loc(tok), tuple(caps), confidence, None, (), decoded))
        else:
            result.dropped["findings"] = result.dropped.get("findings", 0) + 1

    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        if tok.type == tokenize.NAME and tok.string in ("import", "from"):
            i = _imports(toks, i, aliases)
            continue
        if tok.type == tokenize.NAME and not (i > 0 and toks[i - 1].string == "."):
            j = i
            parts = [tok.string]
            while j + 2 < n and toks[j + 1].string == "." and toks[j + 2].type == tokenize.NAME:
                parts.append(toks[j + 2].string)
                j += 2
            head = aliases.get(parts[0], parts[0])
            q = ".".join([head] + parts[1:])
            nxt = toks[j + 1] if j + 1 < n else None
            if q == "os.environ" and nxt is not None and nxt.string == "[" and j + 2 < n:
                name = _literal(toks[j + 2])
                caps = [Capability("env.read", name)]
                if name is not None and is_credential_env(name):
                    caps.append(Capability("secrets.read", f"env:{name}"))
                emit(capmap.rule_for(None, "env.read"), f"reads environment variable {name}" if name else
                     "reads an environment variable whose name is computed", tok, caps)
            if nxt is not None and (nxt.string == "(" or (nxt.type == tokenize.STRING and q in ("exec", "eval"))):
                entry = capmap.lookup(q)
                args, argv = _call_args(toks, j + 1)
                if entry is not None:
                    _token_event(entry, q, args, argv, tok, emit, capmap, shell, shell_found, path, loc, confidence)
                if q in DECODERS and args and args[0] is not None:
                    dec = decode_chain(args[0], [DECODERS[q]])
                    if dec is not None:
                        _payload(result, dec.text, dec.data, dec.chain, loc(tok))
                        emit("decoded-payload", f"literal decodes ({' → '.join(dec.chain)}) to {looks_like(dec.text)}",
                             tok, [], decoded=dec.text[:2000])
            i = j + 1
            continue
        if tok.type == tokenize.STRING and len(tok.string) >= 40 and len(result.payloads) < 16:
            value = _literal(tok)
            if value and value.count(" ") < max(2, len(value) // 20):
                for dec in decode_literal(value)[:1]:
                    if CODE_MARKERS.search(dec.text):
                        _payload(result, dec.text, dec.data, dec.chain, loc(tok))
                        emit("decoded-payload", f"literal decodes ({' → '.join(dec.chain)}) to {looks_like(dec.text)}",
                             tok, [], decoded=dec.text[:2000])
        i += 1
    return result, shell_found


def _payload(result: Result, text: str, data: bytes, chain: tuple[str, ...], location: Location) -> None:
    if len(result.payloads) < 16:
        result.payloads.append(VirtualPayload(text, data, chain, location, looks_like(text)))


def _imports(toks: list[tokenize.TokenInfo], i: int, aliases: dict[str, str]) -> int:
    n = len(toks)
    if toks[i].string == "import":
        j = i + 1
        while j < n and toks[j].type not in (tokenize.NEWLINE,) and toks[j].string != ";":
            parts = []
            while j < n and toks[j].type == tokenize.NAME and toks[j].string != "as":
                parts.append(toks[j].string)
                if j + 1 < n and toks[j + 1].string == ".":
                    j += 2
                else:
                    j += 1
                    break
            full = ".".join(parts)
            if j + 1 < n and toks[j].string == "as" and toks[j + 1].type == tokenize.NAME:
                aliases[toks[j + 1].string] = full
                j += 2
            elif parts:
                aliases.setdefault(parts[0], parts[0])
            if j < n and toks[j].string == "," or j < n and toks[j].type != tokenize.NEWLINE:
                j += 1
        return j
    # from X import a as b, c
    j = i + 1
    parts = []
    while j < n and toks[j].string != "import" and toks[j].type != tokenize.NEWLINE:
        if toks[j].type == tokenize.NAME:
            parts.append(toks[j].string)
        j += 1
    mod = ".".join(parts)
    j += 1
    while j < n and toks[j].type != tokenize.NEWLINE and toks[j].string != ";":
        if toks[j].type == tokenize.NAME:
            name = toks[j].string
            if j + 2 < n and toks[j + 1].string == "as" and toks[j + 2].type == tokenize.NAME:
                aliases[toks[j + 2].string] = f"{mod}.{name}"
                j += 3
                continue
            aliases[name] = f"{mod}.{name}"
        j += 1
    return j


def _call_args(toks: list[tokenize.TokenInfo], k: int) -> tuple[list[str | None], list[str] | None]:
    """Top-level literal arguments of a call starting at token k (`(` or a py2 string), and a first
    argument that is a list of literals (argv)."""
    n = len(toks)
    if toks[k].type == tokenize.STRING:
        return [_literal(toks[k])], None
    depth = 0
    args: list[str | None] = []
    current: list[tokenize.TokenInfo] = []
    argv: list[str] | None = None
    j = k
    while j < n and j < k + 4000:
        s = toks[j].string
        if toks[j].type == tokenize.OP and s in "([{":
            depth += 1
            if depth == 1:
                j += 1
                continue
        elif toks[j].type == tokenize.OP and s in ")]}":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and s == ",":
            args.append(_value(current))
            if len(args) == 1 and current and current[0].string in "[(":
                argv = [_literal(t) or UNKNOWN for t in current if t.type == tokenize.STRING]
            current = []
        else:
            current.append(toks[j])
        j += 1
    if current:
        args.append(_value(current))
        if not args[1:] and current[0].string in "[(":
            argv = [_literal(t) or UNKNOWN for t in current if t.type == tokenize.STRING]
    return args, argv


def _value(toks: list[tokenize.TokenInfo]) -> str | None:
    if toks and all(t.type == tokenize.STRING for t in toks):
        parts = [_literal(t) for t in toks]
        if all(p is not None for p in parts):
            return "".join(p for p in parts if p is not None)
    if toks and toks[0].type == tokenize.NAME and len(toks) > 1 and toks[1].string == "=":
        return None
    return None


def _token_event(entry: ApiEntry, q: str, args: list[str | None], argv: list[str] | None,
                 tok: tokenize.TokenInfo, emit: Any, capmap: CapMap, shell: Any | None, shell_found: list[Any],
                 path: str, loc: Any, confidence: Confidence) -> None:
    idx = entry.arg or 0
    arg = args[idx] if idx < len(args) else None
    kind = entry.kind
    caps: list[Capability]
    if entry.fixed_scope is not None or entry.handler == "const":
        caps = [Capability.parse(entry.capability)]
    elif entry.handler == "url":
        caps = [Capability(kind, host_of(arg) if arg else UNKNOWN)]
    elif entry.handler in ("open", "path"):
        mode = args[1] if entry.handler == "open" and len(args) > 1 and args[1] else "r"
        if entry.handler == "open":
            kind = "fs.write" if any(c in mode for c in "wax+") else "fs.read"
        scope = normalize_path(arg) if arg else UNKNOWN
        caps = [Capability(kind, scope)]
        if kind == "fs.read" and arg and secret_kind_of_path(scope):
            caps.append(Capability("secrets.read", secret_kind_of_path(scope)))
        if kind == "fs.write" and arg and persist_kind_of_path(scope):
            caps.append(Capability("persist", persist_kind_of_path(scope)))
    elif entry.handler in ("env", "env_write"):
        caps = [Capability(kind, arg or None)]  # an unknown name is one variable, not the whole environment
        if entry.handler == "env" and arg and is_credential_env(arg):
            caps.append(Capability("secrets.read", f"env:{arg}"))
    elif entry.handler in ("subprocess", "shell", "execv"):
        words = argv if argv else (split_words(arg) if arg else None)
        if entry.handler == "shell" and arg is None:
            caps = [Capability("proc.shell")]
        else:
            caps = [Capability("proc.exec", normalize_binary(words[0]) if words and words[0] != UNKNOWN else UNKNOWN)]
        if shell is not None and (words or arg):
            try:
                ctx = shell.CommandContext(path, line=tok.start[0], column=tok.start[1] + 1,
                                           max_confidence=confidence, source="code")
                if entry.handler == "shell" and arg:
                    shell_found.extend(shell.analyze_command(arg, ctx))
                elif words:
                    shell_found.extend(shell.analyze_argv(words, ctx))
            except Exception:  # noqa: BLE001, S110 - the shell analyzer failing must not lose our findings
                pass
    elif entry.handler == "import":
        caps = [] if arg else [Capability("code.dynamic", "import")]
    else:
        caps = [Capability.parse(entry.capability)] if "[" in entry.capability else [Capability(kind, UNKNOWN)]
    if not caps:
        return
    kinds = {c.kind for c in caps}
    rule = capmap.rule_for(None, "persist") if "persist" in kinds else capmap.rule_for(
        None, "secrets.read") if "secrets.read" in kinds else capmap.rule_for(entry, caps[0].kind)
    emit(rule, f"{q}: {', '.join(str(c) for c in caps)} (token-level)", tok, caps)
