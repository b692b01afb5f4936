"""Nested interpreters: `sh -c '…'`, `bash file`, `… | sh`, `eval`, `source`, interpreters'
inline code (`python -c`, `node -e`, PowerShell -EncodedCommand), decoded payloads, and shells
piped to a network peer."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace

from skillscan.analyzers.shell.capmap import Interpreter, base_name, normalise
from skillscan.analyzers.shell.datacmd import data_piped, data_query
from skillscan.analyzers.shell.decode import MAX_DECODED, Payload, prog_name, stdin_payload, utf16_b64
from skillscan.analyzers.shell.inline_decode import decoded_literals
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.state import MAX_DEPTH, AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.urls import host_of
from skillscan.capabilities.urls import operand_host as host_operand
from skillscan.lazyre import lazy
from skillscan.model import Capability

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("shell-decoded-payload-exec", "shell-dynamic-command", "shell-reverse-shell")

# interpreters whose inline code (`python -c`, `node -e` …) the code engines read as a file of this language
INLINE_LANGUAGE = {"python": "python", "python2": "python", "pypy": "python", "pypy3": "python",
                   "node": "javascript", "nodejs": "javascript", "deno": "javascript", "bun": "javascript"}
MAX_INLINE_CODES = 16  # inline programs handed on from one analysed text
MAX_INLINE_CODE = 256 * 1024  # characters of one inline program handed on
MAX_INLINE_READ = 20_000  # characters of one inline program read here (commands, URLs, reverse shells)
MAX_INLINE_COMMANDS = 16  # command literals of one inline program analysed in turn

NETCAT = {"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "telnet", "socat", "openssl", "pwncat"}
PS_IEX = {"iex", "invoke-expression"}


class NestedMixin(AnalyzerBase):
    # shells: sh -c '…', sh file, … | sh, bash <(curl …)
    def _shell(self, cmd: Cmd, name: str, args: list[Word], frame: Frame) -> None:
        values = [w.value for w in args]
        for idx, v in enumerate(values):
            if v is not None and (v == "-c" or re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", v)) and idx + 1 < len(args):
                self._code_word(cmd, args[idx + 1], "bash", say("how-shell-c", name=name), frame)
                return
        stdin_mode = any(v is not None and re.fullmatch(r"-[a-zA-Z]*s[a-zA-Z]*", v) for v in values)
        operand = None
        for w in args:
            if stdin_mode:
                break
            if w.value == "--":
                continue
            if w.value is None or not w.value.startswith(("-", "+")):
                operand = w
                break
        if operand is not None:
            if operand.procsub or operand.payload is not None:
                if operand.payload is not None:
                    self._payload(cmd, operand.payload, frame, "bash", say("how-procsub", name=name))
                return
            if operand.value is not None:
                self._run_file(cmd, operand.value, frame, say("how-program", name=name))
            return
        payload = stdin_payload(cmd)
        if payload is not None:
            self._payload(cmd, payload, frame, "bash", say("how-piped", name=name))

    def _interpreter(self, cmd: Cmd, name: str, it: object, args: list[Word], frame: Frame) -> None:
        assert isinstance(it, Interpreter)
        key = base_name(normalise(name))
        dialect = "powershell" if key in ("powershell", "pwsh") else "batch" if key == "cmd" else None
        values = [w.value for w in args]
        for idx, v in enumerate(values):
            if v is None:
                continue
            vl = v.lower()
            if it.module and v == it.module and idx + 1 < len(args):
                # python -m pip install … → analysed as `pip install …`
                sub = Cmd(words=args[idx + 1:], row=cmd.row, col=cmd.col, text=cmd.text, upstream=cmd.upstream,
                          redirects=cmd.redirects)
                if args[idx + 1].value and args[idx + 1].value not in ("http.server",):
                    self.command(sub, frame)
                return
            if vl in it.encoded and idx + 1 < len(args):
                blob = args[idx + 1].value
                text = utf16_b64(blob) if blob else None
                if text:
                    self._decoded(cmd, text, ("base64 utf-16le",), frame, "powershell",
                                  say("how-encoded", name=name))
                return
            if vl in it.inline and idx + 1 < len(args):
                code_word = args[idx + 1]
                if dialect is not None:
                    rest = args[idx + 1:]
                    if dialect == "batch" or len(rest) > 1:
                        joined = " ".join(w.value or "" for w in rest) if all(w.value is not None for w in rest) \
                            else None
                        code_word = Word(joined, " ".join(w.raw for w in rest), rest[0].row, rest[0].col,
                                         rest[0].payload)
                    self._code_word(cmd, code_word, dialect, say("how-flag", name=name, flag=v), frame)
                else:
                    self.run.add(frame, cmd, "shell-dynamic-command", ["code.dynamic[eval]"],
                                 say("inline-code", name=name, flag=v))
                    if code_word.payload is not None and (code_word.payload.url or code_word.payload.decoders):
                        self._payload(cmd, code_word.payload, frame, None, say("how-flag", name=name, flag=v))
                    elif code_word.value:
                        self._inline_program(cmd, name, code_word.value, frame)
                return
            if dialect == "powershell" and not vl.startswith("-") and idx == 0:
                break
            if dialect is None and not v.startswith("-"):
                operand = args[idx]
                if operand.payload is not None:
                    self._payload(cmd, operand.payload, frame, None, say("how-procsub", name=name))
                else:
                    self._run_file(cmd, v, frame, say("how-program", name=name), dialect="python")
                return
        if dialect is None:
            payload = stdin_payload(cmd)
            if payload is not None and (payload.url or payload.decoders or payload.text):
                self.run.add(frame, cmd, "shell-dynamic-command", ["code.dynamic[eval]"],
                             say("stdin-code", name=name))
                if payload.url or payload.decoders:
                    self._payload(cmd, payload, frame, None, say("how-piped", name=name))
                elif payload.text:
                    self._inline_program(cmd, name, payload.text, frame)

    _REVSHELL_CODE = lazy(
        r"(?is)(socket.{0,400}(subprocess|pty\.spawn|os\.dup2|/bin/(ba)?sh|exec\s*\()|"
        r"fsockopen.{0,200}(exec|system|passthru|shell_exec|proc_open|/bin/sh)|"
        r"TCPSocket\.(new|open).{0,200}(exec|spawn|system|/bin/sh)|"
        r"net\.(connect|Socket).{0,300}(child_process|spawn\(|/bin/sh)|"
        r"IO::Socket::INET.{0,300}(exec|system|/bin/sh)|"
        r"Net\.Sockets\.TCPClient.{0,400}(iex|Invoke-Expression|GetStream))")

    _EXEC_LITERAL = lazy(
        r"""(?:\b(?:exec|execSync|spawnSync|system|popen|shell_exec|passthru|check_output|check_call|getoutput|"""
        r"""getstatusoutput|run|call|Popen|proc_open)\s*\(\s*(?:\[\s*)?|`)(['"`])((?:(?!\1)[^\\]|\\.){3,2000})\1?""")

    _EXEC_LIST = lazy(r"\b(?:run|call|Popen|check_output|check_call|spawn|spawnSync|execFile|execFileSync|"
                            r"execv|execvp|create_subprocess_exec)\s*\(\s*\[([^\]]{1,2000})\]")

    def _inline_program(self, cmd: Cmd, name: str, code: str, frame: Frame) -> None:
        """Interpreter inline code (`python -c`, `node -e` …): reverse-shell shapes, URLs, and string
        literals handed to exec/system/subprocess, which are shell commands analysed in turn."""
        program = name if name != "decoded code" else (cmd.words[0].value or "") if cmd.words else ""
        language = INLINE_LANGUAGE.get(base_name(prog_name(program)))
        if language is not None and len(self.run.inline_code) >= MAX_INLINE_CODES:
            self.run.skip(frame, say("bound-inline-count", limit=MAX_INLINE_CODES), cmd.row, cmd.col)
        elif language is not None:
            pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
            self.run.inline_code.append((pin[0], language, code[:MAX_INLINE_CODE]))
            if len(code) > MAX_INLINE_CODE:
                self.run.skip(frame, say("bound-inline-size", limit=f"{MAX_INLINE_CODE:,}", size=f"{len(code):,}"),
                              cmd.row, cmd.col)
        if language is None and len(code) > MAX_INLINE_READ:  # no code engine reads the rest
            self.run.skip(frame, say("bound-inline-read", limit=f"{MAX_INLINE_READ:,}", size=f"{len(code):,}"),
                          cmd.row, cmd.col)
        head = code[:MAX_INLINE_READ]
        found: list[tuple[int, str]] = []
        for m in list(self._EXEC_LITERAL.finditer(head))[:MAX_INLINE_COMMANDS + 1]:
            if " " in m.group(2) or "|" in m.group(2):
                found.append((m.start(), m.group(2)))
        for m in list(self._EXEC_LIST.finditer(head))[:MAX_INLINE_COMMANDS + 1]:
            items = [a or b for a, b in re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", m.group(1))]
            if items and "," in m.group(1):
                found.append((m.start(), " ".join(shlex.quote(i) for i in items)))
        if len(found) > MAX_INLINE_COMMANDS:
            self.run.skip(frame, say("bound-inline-commands", limit=MAX_INLINE_COMMANDS), cmd.row, cmd.col)
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        for _, literal in sorted(found)[:MAX_INLINE_COMMANDS]:
            self.text(literal, Frame(frame.line, frame.column, frame.depth + 1, "bash", pin, frame.decoded))
        if self._REVSHELL_CODE.search(head):
            self.run.add(frame, cmd, "shell-reverse-shell", ["proc.shell", "net.egress[*]"],
                         say("inline-reverse-shell", name=name))
        for url in re.findall(r"https?://[^\s'\"<>)]+", head)[:8]:
            self.run.add(frame, cmd, "shell-network-egress", [Capability("net.egress", host_of(url))],
                         say("inline-egress", name=name, host=host_of(url)))
        if language is None:
            # perl -e / ruby -e / php -r: no code engine reads them, so their decoded literals are read here
            decoded = decoded_literals(code)
            if decoded and frame.depth >= MAX_DEPTH:
                self.run.skip(frame, say("bound-nesting", limit=MAX_DEPTH), cmd.row, cmd.col)
                decoded = []
            for decoder, text in decoded:
                self._decoded(cmd, text, (decoder,), replace(frame, depth=frame.depth + 1), None,
                              say("how-inline-code", name=name))

    # eval / iex / source
    def _eval(self, cmd: Cmd, name: str, args: list[Word], frame: Frame) -> None:
        if not args:
            payload = stdin_payload(cmd) if frame.dialect == "powershell" else None
            if payload is not None:
                self._payload(cmd, payload, frame, frame.dialect, say("how-piped", name=name))
            return
        joined_value = " ".join(w.value for w in args if w.value is not None) \
            if all(w.value is not None for w in args) else None
        payload = next((w.payload for w in args if w.payload is not None), None)
        word = Word(joined_value, " ".join(w.raw for w in args), args[0].row, args[0].col, payload,
                    via=tuple(v for w in args for v in w.via))
        self._code_word(cmd, word, frame.dialect, say("how-program", name=name), frame, is_eval=True)

    def _source(self, cmd: Cmd, args: list[Word], frame: Frame) -> None:
        if not args:
            return
        w = args[0]
        if w.payload is not None:
            self._payload(cmd, w.payload, frame, "bash", say("how-procsub", name="source"))
        elif w.value:
            self._run_file(cmd, w.value, frame, say("how-program", name="source"))

    def _code_word(self, cmd: Cmd, word: Word, dialect: str, how: str, frame: Frame, is_eval: bool = False) -> None:
        pl = word.payload
        if pl is not None and (pl.url or pl.decoders):
            self._payload(cmd, pl, frame, dialect, how)
            return
        if word.value is None:
            caps = ["proc.shell"] + (["code.dynamic[eval]"] if is_eval else [])
            self.run.add(frame, cmd, "shell-dynamic-command", caps, say("dynamic-code-word", how=how))
            said: list[str] = []
            query = data_query(word, self.run.written_files(frame, cmd), said)
            for why in said:
                self.run.skip(frame, why, cmd.row, cmd.col)
            if query is not None:
                self.run.add(frame, cmd, "shell-runs-data-command", caps, say("data-command", how=how, query=query))
            return
        quote = 2 if word.raw.startswith("$'") else 1 if word.raw[:1] in "'\"" else 0
        line, column = frame.at(word.row, word.col + quote)
        self.text(word.value, Frame(line, column, frame.depth + 1, dialect, frame.pin, frame.decoded))

    def _payload(self, cmd: Cmd, pl: Payload, frame: Frame, dialect: str | None, how: str) -> None:
        if pl.url:
            self._remote(cmd, pl.url, frame, say("fetched-code", how=how, url=pl.url))
        if pl.decoders and pl.text:
            self._decoded(cmd, pl.text, pl.decoders, frame, dialect, how)
        elif pl.text and not pl.url and dialect is not None:
            if pl.row is not None and frame.pin is None:
                line, column = frame.at(pl.row, pl.col)
                self.text(pl.text, Frame(line, column, frame.depth + 1, dialect))
            else:
                self.text(pl.text, Frame(frame.line, frame.column, frame.depth + 1, dialect,
                                          frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text),
                                          frame.decoded))

    def _decoded(self, cmd: Cmd, text: str, decoders: tuple[str, ...], frame: Frame, dialect: str | None,
                 how: str) -> None:
        shown = text[:MAX_DECODED]
        self.run.add(frame, cmd, "shell-decoded-payload-exec", ["proc.shell"],
                     say("decoded-command", how=how, decoders=" | ".join(dict.fromkeys(decoders))),
                     decoded=shown)
        if dialect is None:
            self._inline_program(cmd, "decoded code", text, frame)
            return
        pin = frame.pin or (*frame.at(cmd.row, cmd.col), cmd.stmt or cmd.text)
        if len(self.run.decoded_texts) < 16:
            self.run.decoded_texts.append((pin[0], dialect, shown))
        self.text(text, Frame(frame.line, frame.column, frame.depth + 1, dialect, pin, shown))

    def _pipeline_shell(self, cmd: Cmd, key: str, args: list[Word], frame: Frame) -> None:
        """`mkfifo f; cat f | sh -i 2>&1 | nc host port > f` and `nc host port | sh`."""
        if not (key in self.cm.shells or base_name(key) in self.cm.shells):
            return
        if any(w.value and re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", w.value) for w in args):
            return
        if any(w.value and not w.value.startswith("-") for w in args):
            return
        up = cmd.upstream
        if up is not None and data_piped(up, self.run.written_files(frame, cmd)):
            self.run.add(frame, cmd, "shell-runs-data-command", ["proc.shell"],
                         say("data-piped", name=key, query=" ".join((up.text or "").split())[:60]))
        for other in (cmd.upstream, cmd.downstream):
            if other is None or not other.words or other.words[0].value is None:
                continue
            oname = prog_name(other.words[0].value)
            if normalise(oname) == "openssl" and not any(w.value == "s_client" for w in other.words[1:]):
                continue
            if normalise(oname) in NETCAT:
                hosts = [host_operand(w.value) for w in other.words[1:] if w.value and not w.value.startswith("-")]
                host = next((h for h in hosts if h != "*"), "*")
                self.run.add(frame, cmd, "shell-reverse-shell", [Capability("net.egress", host), "proc.shell"],
                             say("piped-shell", peer=oname, host=host))
                return
