"""The script's own functions and `mapfile`, for the shell parse (`syntax._Builder`): a call of a function the
script defines is followed into its body with `$1`…`$9` and `"$@"` bound to the call's words, once per distinct
list of words, never recursively, at most MAX_CALL_DEPTH deep (past it, said), each pass counted in the parse's
MAX_EXPANSIONS; what a followed body prints is the call's output when every printing command prints known text
(up to MAX_OUTPUT characters, past it said), and `mapfile -t NAME < <(…)` keeps the lines of known output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillscan.analyzers.shell.decode import Payload, stdout_payload
from skillscan.analyzers.shell.words import Cmd, Word

# calls of the script's own functions followed into the function's body, with `$1`…`$9` and `"$@"` bound to
# the call's words (each call is one pass of MAX_EXPANSIONS): nested calls this deep, recursion never
MAX_CALL_DEPTH = 3  # past it a call is not followed into its function, and said
MAX_OUTPUT = 64 * 1024  # characters of what a followed function prints kept as its known output; past it, said
_POSITIONAL = tuple(str(i) for i in range(1, 10))

# commands that print nothing on standard output (what a function prints is the output of the others)
_SILENT = frozenset({"[", "[[", "test", "true", "false", ":", "local", "return", "continue", "break", "shift",
                     "declare", "export", "readonly", "unset", "set", "cd", "mkdir", "rm", "touch", "chmod"})


class CallsMixin:
    """The builder's function calls and `mapfile`; the builder's state and bounds are declared here for the type
    checker (syntax._Builder holds them)."""

    max_array: int
    max_expansions: int
    max_nodes: int

    if TYPE_CHECKING:
        env: dict[str, Word]
        arrays: dict[str, list[Word]]
        nodes: int
        expansions: int
        expansions_cut: bool
        arrays_cut: bool
        functions: dict[str, Any]
        _calls: list[str]
        _followed: dict[tuple[str, tuple[str | None, ...]], Payload | None]
        calls_cut: bool
        outputs_cut: bool
        _via: list[tuple[str, Word]]
        _reads: list[str]

        def visit(self, node: Any, depth: int) -> list[Cmd]: ...

    def _follow_call(self, cmd: Cmd, depth: int) -> None:
        """`name ARGS` calling a function the script defined: its body is followed once more, with `$1`…`$9`
        and `"$@"` holding the call's words (values travel through the function), once per distinct list of
        words, while self.max_expansions lasts and half the parse's node budget is left; past either the call is not
        followed, and said. The call itself runs no program (`Cmd.function`)."""
        name = cmd.words[0].value if cmd.words else None
        body = self.functions.get(name) if name else None
        if body is None or name is None:
            return
        cmd.function = True
        if name in self._calls:  # recursion: the body is being followed already
            return
        if len(self._calls) >= MAX_CALL_DEPTH:
            self.calls_cut = True
            return
        args = cmd.words[1:1 + self.max_array]
        key = (name, tuple(w.value for w in args))
        if key in self._followed:  # the same words again: the body was followed with them already
            cmd.output = self._followed[key]
            return
        if self.expansions + 1 > self.max_expansions or self.nodes > self.max_nodes // 2:
            self.expansions_cut = True  # the rest of the parse keeps its node budget
            return
        self.expansions += 1
        saved = {k: self.env.get(k) for k in _POSITIONAL}
        saved_all = self.arrays.get("@")
        for i, k in enumerate(_POSITIONAL):
            if i < len(args):
                self.env[k] = args[i]
            else:
                self.env.pop(k, None)
        self.arrays["@"] = list(args)
        self._calls.append(name)
        # the body's words are its own: what they expand is not part of a word the call sits in (`x=$(f "$a")`)
        via, reads = self._via, self._reads
        self._via, self._reads = [], []
        try:
            cmd.output = self._followed[key] = self._printed(self.visit(body, depth + 1))
        finally:
            self._via, self._reads = via, reads
            self._calls.pop()
            for k, w in saved.items():
                if w is None:
                    self.env.pop(k, None)
                else:
                    self.env[k] = w
            if saved_all is None:
                self.arrays.pop("@", None)
            else:
                self.arrays["@"] = saved_all

    def _printed(self, cmds: list[Cmd]) -> Payload | None:
        """What a followed function body prints, when every command that writes to its standard output prints
        known text (echo, printf, a call of a function whose output is known): that text, conditions read as
        taken (`[ -e "$p" ] && printf '%s\\n' "$p"` prints each `$p`); else None. Past MAX_OUTPUT characters
        the output is a run-time value, and said."""
        parts: list[str] = []
        total = 0
        for c in cmds:
            if c.downstream is not None or any(r.op in (">", ">>", "&>", ">|") and r.fd in (None, "1")
                                               for r in c.redirects):
                continue  # its output goes to the next stage or to a file
            if (c.words[0].value if c.words else None) in _SILENT:
                continue
            out = c.output if c.function else stdout_payload(c)
            if out is None or out.text is None or out.decoders:
                return None
            total += len(out.text)
            if total > MAX_OUTPUT:
                self.outputs_cut = True
                return None
            parts.append(out.text)
        return Payload(text="".join(parts)) if parts else None

    def _mapfile(self, cmd: Cmd) -> None:
        """`mapfile -t NAME < <(cmd)` (or `<<< "text"`): NAME is the array of the lines of the known output
        (each line without its newline: `-t`); without `-t`, or from output known only at run time, it is a
        run-time value."""
        values = [w.value for w in cmd.words[1:]]
        trim, name, i = False, "MAPFILE", 0
        while i < len(values):
            v = values[i]
            if v is None:
                return
            if v in ("-d", "-n", "-O", "-s", "-u", "-C", "-c"):
                i += 2
                continue
            if v.startswith("-"):
                trim = trim or "t" in v
            else:
                name = v
                break
            i += 1
        text = None
        for r in cmd.redirects:
            if r.op == "<" and r.target is not None and r.target.procsub and r.target.payload is not None:
                text = r.target.payload.text
            elif r.op == "<<<" and r.target is not None:
                text = r.target.value + "\n" if r.target.value is not None else None
        lines = text.split("\n")[:-1] if text is not None and text.endswith("\n") else None
        if not trim or lines is None or len(lines) > self.max_array:
            self.arrays_cut = self.arrays_cut or (lines is not None and len(lines) > self.max_array)
            self.arrays.pop(name, None)
            self.env.pop(name, None)
            return
        elements = [Word(line, line, cmd.row, cmd.col) for line in lines]
        self.arrays[name] = elements
        if elements:
            self.env[name] = elements[0]
        else:
            self.env.pop(name, None)
