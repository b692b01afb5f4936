"""PowerShell and cmd.exe batch basics: a small tokenizer (quotes, escapes, bracketed expressions,
statement separators, pipelines, redirections, literal variables) producing the same `Cmd` form
as the bash front end, plus PowerShell expression heuristics (`(New-Object Net.WebClient)
.DownloadString(url)`, `iwr url`, `[Convert]::FromBase64String('…')`) that give a word its payload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from skillscan.analyzers.shell.decode import MAX_DECODED, URL_RE, Payload, as_text
from skillscan.analyzers.shell.syntax import MAX_COMMANDS, MAX_TEXT, MAX_VIA
from skillscan.analyzers.shell.words import Cmd, Redirect, Word
from skillscan.capabilities import decoding
from skillscan.lazyre import lazy

# `OpenRead` of a WebClient fetches; `[IO.File]::OpenRead(p)` / `[ZipFile]::OpenRead(p)` (a static call) opens a file
PS_FETCH = lazy(r"(?i)(DownloadString|DownloadFile|DownloadData|(?<!::)\bOpenRead\b|Invoke-WebRequest|\biwr\b|"
                      r"Invoke-RestMethod|\birm\b|\bcurl\b|\bwget\b|Start-BitsTransfer|Net\.WebClient|HttpClient|"
                      r"GetStringAsync)")
PS_B64 = lazy(r"(?i)FromBase64String\(\s*['\"]([A-Za-z0-9+/=\s]{8,})['\"]\s*\)")
PS_VARIABLE = lazy(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# the first character of a PowerShell statement that is an expression, not a command: a variable, a
# bracketed or sub-expression, an array or hash literal, a string, a number
PS_EXPRESSION_START = frozenset("$([@'\"0123456789")
ENV_ANCHORS = {"userprofile": "~", "home": "~", "appdata": "~/AppData/Roaming", "localappdata": "~/AppData/Local",
               "temp": "$TMP", "tmp": "$TMP"}


def _b64_any(blob: str) -> str | None:
    data = re.sub(r"\s+", "", blob)
    raw = decoding.b64decode(data)
    if raw is None:
        return None
    if len(raw) >= 4 and raw[1:2] == b"\0" and raw[3:4] == b"\0":
        try:
            return raw[: MAX_DECODED * 2].decode("utf-16-le")
        except UnicodeDecodeError:
            return None
    return as_text(raw)


class _Tok:
    def __init__(self, text: str, dialect: str, env: dict[str, Word]) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.row = 0
        self.col = 0
        self.ps = dialect == "powershell"
        self.env = env
        self.reads: list[str] = []
        self.via_cut = False  # a word expanded more than MAX_VIA of the script's variables

    def _adv(self, k: int = 1) -> None:
        for _ in range(k):
            if self.i < self.n:
                if self.s[self.i] == "\n":
                    self.row += 1
                    self.col = 0
                else:
                    self.col += 1
                self.i += 1

    def _var(self, name: str) -> str | None:
        low = name.lower()
        environment = not self.ps  # a batch `%NAME%` is the environment; in PowerShell only `$env:NAME` is
        if low.startswith("env:"):
            low = low[4:]
            name = name[4:]
            environment = True
        if low in ENV_ANCHORS:
            return ENV_ANCHORS[low]
        if low in self.env or name in self.env:
            w = self.env.get(low) or self.env.get(name)
            return w.value if w else None
        if environment and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            self.reads.append(name)
        return None

    def _expand(self, text: str) -> str | None:
        """Variables in a double-quoted/unquoted PowerShell or batch word; None if any is unknown."""
        unknown = False

        def sub(m: re.Match[str]) -> str:
            nonlocal unknown
            name = m.group(1) or m.group(2) or m.group(3)
            v = self._var(name)
            if v is None:
                unknown = True
                return ""
            return v

        if self.ps:
            out = re.sub(r"\$\{([^}]+)\}|\$((?:env:)?[A-Za-z_][A-Za-z0-9_]*)|(?!)(x)", sub, text)
        else:
            out = re.sub(r"%([A-Za-z_][A-Za-z0-9_]*)%|(?!)(x)(y)", sub, text)
        return None if unknown else out

    def statements(self) -> Iterator[tuple[list[tuple[Word, bool]], str, int, int, str]]:
        """(words with is-operator flag, separator after, row, col, text), lazily: an assignment is
        recorded before the next statement's variables are expanded."""
        count = 0
        words: list[tuple[Word, bool]] = []
        start = (0, 0, 0)
        while self.i < self.n and count < MAX_COMMANDS:
            ch = self.s[self.i]
            if ch in " \t\r":
                self._adv()
                continue
            esc = "`" if self.ps else "^"
            if ch == esc and self.i + 1 < self.n and self.s[self.i + 1] in "\r\n":
                self._adv(2)
                continue
            sep = None
            for op in ("&&", "||", "|", ";", "\n", "&"):
                if self.s.startswith(op, self.i):
                    if op == "&" and self.ps:
                        continue  # the call operator
                    if op == ";" and not self.ps:
                        continue
                    sep = op
                    break
            if sep is not None:
                if words:
                    count += 1
                    yield (words, sep, start[0], start[1], self.s[start[2]:self.i])
                words = []
                self._adv(len(sep))
                continue
            if (self.ps and ch == "#") or (not self.ps and not words and
                                            re.match(r"(?i)(rem\b|::)", self.s[self.i:self.i + 4])):
                while self.i < self.n and self.s[self.i] != "\n":
                    self._adv()
                continue
            if self.ps and self.s.startswith("<#", self.i):
                end = self.s.find("#>", self.i)
                self._adv((end + 2 - self.i) if end >= 0 else self.n - self.i)
                continue
            if not words:
                start = (self.row, self.col, self.i)
            m = re.match(r"(\d?>>|\d?>|<|\*>)", self.s[self.i:])
            if m and not (self.ps and self.s[self.i:self.i + 2] == ">&"):
                self._adv(len(m.group(1)))
                words.append((Word(m.group(1), m.group(1), self.row, self.col), True))
                continue
            words.append((self._word(), False))
        if words:
            yield (words, "", start[0], start[1], self.s[start[2]:self.i])

    def _word(self) -> Word:
        row, col, begin = self.row, self.col, self.i
        parts: list[str] = []
        known = True
        depth = 0
        quote = None
        esc = "`" if self.ps else "^"
        while self.i < self.n:
            ch = self.s[self.i]
            if quote:
                if ch == quote:
                    if self.i + 1 < self.n and self.s[self.i + 1] == quote and quote == "'":
                        parts.append("'")
                        self._adv(2)
                        continue
                    quote = None
                    self._adv()
                    continue
                if ch == esc and quote == '"' and self.ps and self.i + 1 < self.n:
                    parts.append({"n": "\n", "t": "\t", "0": "\0"}.get(self.s[self.i + 1], self.s[self.i + 1]))
                    self._adv(2)
                    continue
                parts.append(ch)
                self._adv()
                continue
            if depth == 0 and (ch in " \t\r\n" or (ch in "|;" and (self.ps or ch == "|")) or
                               (ch == "&" and not self.ps) or (ch in "<>" and not self.ps)):
                break
            if ch in "([{" and self.ps:
                depth += 1
            elif ch in ")]}" and self.ps and depth:
                depth -= 1
            elif ch in "'\"" and (self.ps or ch == '"'):
                quote = ch
                self._adv()
                continue
            elif ch == esc and self.i + 1 < self.n:
                parts.append(self.s[self.i + 1])
                self._adv(2)
                continue
            parts.append(ch)
            self._adv()
            if self.i - begin > 65536:
                break
        raw = self.s[begin:self.i]
        value: str | None = "".join(parts)
        payload = None
        if self.ps and raw.startswith(("(", "$(", "[", "{")) or (self.ps and PS_FETCH.search(raw or "")):
            payload = _ps_payload(raw)
            value = None if raw.startswith(("(", "$(", "[", "{")) else value
        if value is not None and '"' not in raw[:1] and ("$" in value if self.ps else "%" in value) or value is not None and raw.startswith('"'):
            value = self._expand(value)
        if self.ps and payload is None and "$" in raw:
            # `iex $x` after `$x = (iwr url).Content`, `$t = [Text.Encoding]::UTF8.GetString($d)` after
            # `$d = [Convert]::FromBase64String('…')`: a variable holds what was fetched or decoded
            held = (self.env.get(m.group(1).lower()) for m in PS_VARIABLE.finditer(raw[:4096]))
            payload = next((w.payload for w in held if w is not None and w.payload is not None), None)
        # the script's variables expanded in the word, with what was assigned to them (as in syntax.py); a script
        # block's statements carry their own (a block is no one value)
        via = tuple((m.group(1), w) for m in PS_VARIABLE.finditer(raw[:4096])
                    if (w := self.env.get(m.group(1).lower())) is not None) \
            if self.ps and "$" in raw and not raw.startswith("{") else ()
        if len(via) > MAX_VIA:
            self.via_cut, via = True, via[:MAX_VIA]
        return Word(value if known else None, raw, row, col, payload, via=via)


def _ps_payload(raw: str) -> Payload | None:
    m = PS_B64.search(raw)
    if m:
        text = _b64_any(m.group(1))
        if text:
            return Payload(text=text, decoders=("FromBase64String",))
    if PS_FETCH.search(raw):
        u = URL_RE.search(raw)
        return Payload(url=u.group(0).rstrip("')\"") if u else "*")
    return None


# PowerShell keywords whose `{ … }` blocks hold statements that run (`if (…) { … } else { … }`, `foreach (…) { … }`,
# `try { … } catch { … }`, `function f { … }`): the blocks are parsed as statements and a condition or collection in
# parentheses as an expression; the keyword itself is no program
PS_BLOCK_KEYWORDS = frozenset({"if", "elseif", "else", "foreach", "for", "while", "do", "until", "try", "catch",
                               "finally", "function", "filter", "switch", "trap"})
MAX_BLOCK_DEPTH = 16  # nested blocks parsed; deeper ones stay one word
MAX_BLOCK_CHARS = 4 * MAX_TEXT  # characters re-read as blocks in one text, all levels together
MAX_LOOP_VALUES = 8  # values of a `foreach` collection the body is followed with, one pass each
MAX_LOOP_PASSES = 64  # extra passes over loop bodies in one text (nested loops multiply); past it, one pass each
# greedy up to the closing parenthesis (one backtrack from the end: a lazy collection with `\s*` before the `)` was
# quadratic on a long run of spaces)
_FOREACH = re.compile(r"^\(\s*\$([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)\)$", re.IGNORECASE | re.DOTALL)
_ITEM = re.compile(r'"((?:[^"`]|`.)*)"|\'((?:[^\']|\'\')*)\'')


def parse_windows(text: str, dialect: str, said: list[str] | None = None) -> list[Cmd]:
    """The commands of a PowerShell or batch text; a bound that cut a word's variables short (MAX_VIA) is put
    in `said` (`"via"`). PowerShell blocks of control statements are parsed as statements (a `foreach` body
    once per known item of its collection, the loop variable bound to it), up to MAX_COMMANDS in all."""
    env: dict[str, Word] = {}
    budget = [MAX_COMMANDS, MAX_BLOCK_CHARS, MAX_LOOP_PASSES]  # commands left; block characters; extra loop passes
    return _parse(_Tok(text[:MAX_TEXT], dialect, env), dialect, env, said, budget, 0)


def _shift(cmd: Cmd, row: int, col: int) -> Cmd:
    """A block's command moved to where the block sits in the text (`col` applies to the block's first row)."""
    def word(w: Word) -> Word:
        return replace(w, row=w.row + row, col=w.col + (col if w.row == 0 else 0))
    cmd.words = [word(w) for w in cmd.words]
    cmd.redirects = [replace(r, target=word(r.target)) if r.target is not None else r for r in cmd.redirects]
    cmd.col += col if cmd.row == 0 else 0
    cmd.row += row
    return cmd


def _items(tok: _Tok, collection: str, env: dict[str, Word]) -> tuple[list[str | None], int]:
    """The string items of a `foreach` collection (the first MAX_LOOP_VALUES) and how many it has: a literal list
    (`"a", 'b'`, `@("a", "b")`) or a variable assigned one; [None] (one pass, variable unknown) when they are not
    all known."""
    raw = collection.strip()
    if re.fullmatch(r"\$[A-Za-z_][A-Za-z0-9_]*", raw):
        held = env.get(raw[1:].lower())
        raw = held.raw if held is not None else ""
    body = raw[2:-1] if raw.startswith("@(") and raw.endswith(")") else raw
    items = list(_ITEM.finditer(body))
    if not items or _ITEM.sub("", body).strip(" ,\t\r\n"):
        return [None], 1
    out: list[str | None] = []
    for m in items[:MAX_LOOP_VALUES]:
        out.append(tok._expand(m.group(1)) if m.group(1) is not None else m.group(2).replace("\'\'", "\'"))
    return out, len(items)


def _join_path(words: list[Word]) -> Word | None:
    """`Join-Path A B` with both parts known (positional or `-Path A -ChildPath B`): the joined path."""
    if not words or (words[0].value or "").lower() != "join-path":
        return None
    values = [w.value for w in words[1:]]
    if None in values:
        return None
    parts = [v for v in values if v is not None and v.lower() not in ("-path", "-childpath")]
    if len(parts) != 2 or any(v.startswith("-") for v in parts):
        return None
    value = parts[0].rstrip("\\/") + "\\" + parts[1].lstrip("\\/")
    return Word(value, value, words[0].row, words[0].col)


def _concatenated(words: list[Word]) -> Word | None:
    """`'A' + 'B' + $c` with every part a string or a variable whose value is known: the joined string."""
    if len(words) < 3 or len(words) % 2 == 0 or len(words) > 63:
        return None
    parts = words[0::2]
    if any(w.raw != "+" for w in words[1::2]) or any(w.value is None or w.raw[:1] not in "'\"$" for w in parts):
        return None
    value = "".join(w.value or "" for w in parts)
    return Word(value, " ".join(w.raw for w in words), words[0].row, words[0].col)


def _blocks(tok: _Tok, plain: list[Word], dialect: str, env: dict[str, Word], said: list[str] | None,
            budget: list[int], depth: int) -> list[Cmd]:
    """The statements of the `{ … }` blocks of a control statement, placed where the blocks are."""
    out: list[Cmd] = []
    keyword = (plain[0].value or "").lower()
    loop = _FOREACH.match(plain[1].raw) if keyword == "foreach" and len(plain) > 1 else None
    values, total = _items(tok, loop.group(2), env) if loop else ([None], 1)
    if total > MAX_LOOP_VALUES and said is not None:
        said.append("loop")
    if len(values) > 1 and budget[2] < len(values) - 1:  # nested loops past the bound: the body once, variable unknown
        values = [None]
        if said is not None:
            said.append("passes")
    budget[2] -= len(values) - 1
    for w in plain:
        if not w.raw.startswith("{"):
            continue
        inner = w.raw[1:-1] if w.raw.endswith("}") else w.raw[1:]
        if depth >= MAX_BLOCK_DEPTH or budget[1] < len(inner) * len(values):
            if said is not None:
                said.append("blocks")
            continue
        budget[1] -= len(inner) * len(values)
        for value in values:
            if budget[0] <= 0:
                break
            if loop is not None:
                bound = Word(value, value if value is not None else "$" + loop.group(1), w.row, w.col)
                env[loop.group(1).lower()] = bound
                env[loop.group(1)] = bound
            out += [_shift(c, w.row, w.col + 1) for c in
                    _parse(_Tok(inner, dialect, env), dialect, env, said, budget, depth + 1)]
    return out


def _parse(tok: _Tok, dialect: str, env: dict[str, Word], said: list[str] | None, budget: list[int],
           depth: int) -> list[Cmd]:
    cmds: list[Cmd] = []
    prev: Cmd | None = None
    prev_sep = ""
    for words, sep, row, col, stmt in tok.statements():
        if budget[0] <= 0:
            break
        plain: list[Word] = []
        redirects: list[Redirect] = []
        k = 0
        while k < len(words):
            w, is_op = words[k]
            if is_op and k + 1 < len(words):
                op = w.value or ">"
                target = words[k + 1][0]
                redirects.append(Redirect(op.lstrip("0123456789*") or ">", op[0] if op[0].isdigit() else None, target))
                k += 2
                continue
            if not is_op:
                plain.append(w)
            k += 1
        called = bool(plain) and plain[0].value in ("&", ".")  # the call operators run what follows
        if called:
            plain = plain[1:]
        if not plain and not redirects:
            continue
        if dialect == "powershell" and plain and ((plain[0].value or "").lower() in PS_BLOCK_KEYWORDS or
                                                  (plain[0].raw.startswith("{") and not called)):
            # the condition or collection in parentheses is an expression that runs (`if ((iwr u).Content …)`)
            for w in plain[1:]:
                if w.raw.startswith(("(", "$(")) and budget[0] > 0:
                    cmds.append(Cmd(words=[w], row=w.row, col=w.col, text=w.raw, expression=True))
                    budget[0] -= 1
            cmds += _blocks(tok, plain, dialect, env, said, budget, depth)  # counted in the budget by their parse
            prev, prev_sep = None, sep
            continue
        if dialect == "batch" and plain and plain[0].value and plain[0].value.lower().lstrip("@") == "set" and \
                len(plain) > 1 and plain[1].value and "=" in plain[1].value:
            name, _, value = " ".join(w.value or "" for w in plain[1:]).strip('"').partition("=")
            env[name.strip().lower()] = Word(value, value, row, col)
            env[name.strip()] = env[name.strip().lower()]
            continue
        if dialect == "powershell" and len(plain) >= 3 and plain[0].raw.startswith("$") and plain[1].value == "=":
            var = plain[0].raw[1:]
            assigned = plain[2]
            joined = _join_path(plain[2:]) or _concatenated(plain[2:])
            if joined is not None:  # `$db = Join-Path $_ 'Network\Cookies'`, `$k = '…\' + 'Run'`: a value, nothing runs
                env[var.lower()] = env[var] = joined
                continue
            command = assigned.raw[:1] not in PS_EXPRESSION_START  # `$c = Get-Content p`: a command's output
            if command:  # the variable holds what the command printed, not its name
                assigned = Word(None, assigned.raw, assigned.row, assigned.col, assigned.payload)
            env[var.lower()] = assigned
            env[var] = assigned
            if not command and assigned.payload is None:
                continue  # a string, a number, an expression over known values: nothing runs
            plain = plain[2:]
        if plain and plain[0].value:
            plain[0] = Word(plain[0].value.lstrip("@") if dialect == "batch" else plain[0].value, plain[0].raw,
                            plain[0].row, plain[0].col, plain[0].payload)
        if dialect == "powershell" and prev is not None and prev_sep == "|" and len(plain) >= 2 and \
                (plain[0].value or "").lower() in ("foreach-object", "%") and plain[1].raw.startswith("{"):
            # `$list | Where-Object {…} | ForEach-Object { … $_ … }`: the block runs once per item of the
            # pipeline's first stage, `$_` bound to it, as a `foreach ($_ in $list) { … }` would
            head = prev
            while head.upstream is not None:
                head = head.upstream
            if len(head.words) == 1:
                loop = [Word("foreach", "foreach", row, col), Word(None, f"($_ in {head.words[0].raw})", row, col),
                        plain[1]]
                cmds += _blocks(tok, loop, dialect, env, said, budget, depth)
        cmd = Cmd(words=plain, row=row, col=col, text=stmt.strip(), redirects=redirects,
                  env_reads=list(tok.reads), expression=dialect == "powershell" and not called and bool(plain)
                  and plain[0].raw[:1] in PS_EXPRESSION_START)
        tok.reads = []
        if prev is not None and prev_sep == "|":
            cmd.upstream = prev
            prev.downstream = cmd
        cmds.append(cmd)
        budget[0] -= 1
        prev, prev_sep = cmd, sep
    if tok.via_cut and said is not None:
        said.append("via")
    return cmds
