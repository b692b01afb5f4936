"""Shell text → a small intermediate form (commands with argv words, redirects, pipeline links) using
tree-sitter-bash. Words carry their static value when it can be known (literals, literal variables,
`$HOME`/`~`, command substitutions whose output is statically known — echo, printf and the inline
decoders), so the inference never re-parses text. Values travel: a `for` loop's body is followed once per
known value, arrays keep their elements, a call of a function the script defines is followed into its body
with `$1`… and `"$@"` bound to the call's words (what the body prints is the call's output when known), and
`mapfile -t` keeps the lines of known output. Everything is bounded: node count, nesting depth, passes and
text length; garbage parses into whatever commands tree-sitter recovers."""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from typing import Any

from skillscan.analyzers.shell.calls import CallsMixin
from skillscan.analyzers.shell.decode import Payload, stdout_payload
from skillscan.analyzers.shell.words import Cmd, Redirect, Script, Word, _unescape_word, ansi_c
from skillscan.lazyre import lazy

_ESC_DQ = lazy(r"\\([\\\"$`\n])")  # backslash escapes inside a double-quoted string
# an unquoted Windows path written in a shell text (`.\SharpHound.exe`, `.venv\Scripts\activate`, `C:\Tools\x.exe`,
# `.\publish\`): bash would drop each backslash, but no shell author escapes ordinary letters — the text is
# for a Windows shell, and the path is the one written, its separators read as `/`
_WINDOWS_PATH = lazy(r"(?:\.{1,2}|[A-Za-z]:)(?:\\[A-Za-z0-9_$%][\w.+$%-]*)+\\?"
                     r"|\.?[A-Za-z0-9_%][\w.+%-]*(?:\\[A-Za-z0-9_$%][\w.+$%-]*){2,}\\?")
MAX_TEXT = 512 * 1024  # characters of one command text that are parsed
# tree-sitter-bash's scanner crashes the process (SIGSEGV) on some characters outside the Basic Multilingual
# Plane after `{` (found by bench/fuzz.py). The parser reads a copy in which every byte of a non-ASCII
# character is `%` (a word character in bash, never part of a name or an operator), so byte offsets still
# point into the original text, which is where every value is read from.
_NON_ASCII = re.compile(rb"[\x80-\xff]")
MAX_NODES = 200_000  # tree nodes visited per parse
MAX_NEST = 64  # nesting of substitutions/compound statements followed
MAX_COMMANDS = 20_000
MAX_VIA = 32  # variables of the script kept per word, with what was assigned to them (Word.via); past it, said
MAX_ARRAY = 64  # elements of an array kept as known values (`A=(a b c)`, `A+=(d)`; a longer one is a run-time value)
# passes over loop bodies beyond the first, per parse: a `for` over known values follows its body once per value
# while this lasts (nested loops multiply); a loop past it is followed once with its variable unknown, and said
MAX_EXPANSIONS = 1024
# variables whose value is a scope anchor (REFERENCE §4.2): home, package, data, workspace, temp
HOME_VARS = {"HOME": "~", "USERPROFILE": "~", "CLAUDE_PLUGIN_ROOT": "$PKG", "CLAUDE_SKILL_DIR": "$PKG",
             "CLAUDE_PLUGIN_DATA": "$DATA", "CLAUDE_PROJECT_DIR": "$WORK", "TMPDIR": "$TMP",
             "GEMINI_EXTENSION_PATH": "$PKG", "extensionPath": "$PKG"}


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


class _Builder(CallsMixin):
    max_array, max_expansions, max_nodes = MAX_ARRAY, MAX_EXPANSIONS, MAX_NODES  # the bounds calls.py reads

    def __init__(self, src: bytes, env: dict[str, Word] | None = None) -> None:
        self.src = src
        self.lines = src.split(b"\n")
        self.env: dict[str, Word] = dict(env or {})
        self.arrays: dict[str, list[Word]] = {}  # NAME=(a b c): the elements, when the list is literal
        self.settings: list[tuple[str, Word]] = []  # NAME=value statements, in order
        self.commands: list[Cmd] = []
        self.nodes = 0
        self.errors = 0
        self.expansions = 0  # extra passes over loop bodies so far (MAX_EXPANSIONS)
        self.expansions_cut = False
        self.via_cut = False  # a word expanded more than MAX_VIA of the script's variables
        self.arrays_cut = False  # an array longer than MAX_ARRAY became a run-time value
        self.truncated = False
        self._conts: dict[int, list[int]] = {}
        self._reads: list[str] = []  # environment variables expanded in the word being built
        self._via: list[tuple[str, Word]] = []  # variables of the script expanded in the word being built
        self._nested_redirects: list[Redirect] = []  # redirects found inside a here-doc redirect
        self.functions: dict[str, Any] = {}  # name → body of each `name() { … }` the script defines
        self._calls: list[str] = []  # the functions being followed into, outermost first
        self._followed: dict[tuple[str, tuple[str | None, ...]], Payload | None] = {}  # (name, words) → output
        self.calls_cut = False  # a call nested past MAX_CALL_DEPTH was not followed into its function
        self.outputs_cut = False  # a followed function printed more than MAX_OUTPUT: its output is a run-time value

    # -- positions ---------------------------------------------------------------
    def pos(self, node: Any) -> tuple[int, int]:
        """(row, character column): byte columns corrected by the UTF-8 continuation bytes before them."""
        row, bcol = node.start_point
        conts = self._conts.get(row)
        if conts is None:
            line = self.lines[row] if row < len(self.lines) else b""
            conts = [i for i, b in enumerate(line) if 0x80 <= b < 0xC0] if not line.isascii() else []
            self._conts[row] = conts
        return row, bcol - bisect.bisect_left(conts, bcol) if conts else bcol

    def text(self, node: Any) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- words -------------------------------------------------------------------
    def word(self, node: Any, depth: int) -> Word:
        row, col = self.pos(node)
        raw = self.text(node)
        outer, self._via = self._via, []
        value, payload, procsub, sq = self._value(node, depth)
        if node.type == "word" and "\\" in raw and _WINDOWS_PATH.fullmatch(raw):
            value = raw.replace("\\", "/")
        got = self._via
        if len(got) > MAX_VIA:
            self.via_cut, got = True, got[:MAX_VIA]
        via, self._via = tuple(got), outer + got
        return Word(value, raw, row, col, payload, procsub, sq, via)

    def _value(self, node: Any, depth: int) -> tuple[str | None, Payload | None, bool, bool]:
        self.nodes += 1
        t = node.type
        if t in ("word", "number", "variable_name", "extglob_pattern", "special_variable_name"):
            v = _unescape_word(self.text(node))
            return v, None, False, False
        if t == "raw_string":
            return self.text(node)[1:-1], None, False, True
        if t == "ansi_c_string":
            body = self.text(node)[2:-1]
            decoded = ansi_c(body)
            pl = Payload(text=decoded, decoders=("ansi-c",)) if re.search(r"\\(x|[0-7]{3}|u)", body) else None
            return decoded, pl, False, True
        if t in ("string", "translated_string", "concatenation"):
            parts: list[str] = []
            known = True
            payload: Payload | None = None
            sq = False
            quoted = t != "concatenation"
            pos = node.start_byte
            for child in node.children:
                ct = child.type
                if quoted and child.start_byte > pos and pos > node.start_byte:
                    # text between children (newlines inside "…") is not in any child node
                    parts.append(_ESC_DQ.sub(r"\1", self.src[pos:child.start_byte].decode("utf-8", "replace")))
                pos = child.end_byte
                if ct == '"' or ct == "$":
                    continue
                if ct == "string_content":
                    parts.append(_ESC_DQ.sub(r"\1", self.text(child)))
                    continue
                cv, pl, _, csq = self._value(child, depth)
                sq = sq or csq
                payload = payload or pl
                if cv is None:
                    known = False
                else:
                    parts.append(cv)
            return ("".join(parts) if known else None), payload, False, sq
        if t == "simple_expansion" or t == "expansion":
            return self._expansion(node, depth)
        if t in ("command_substitution", "process_substitution"):
            if depth >= MAX_NEST:
                self.truncated = True
                return None, None, t == "process_substitution", False
            inner = self._visit_children(node, depth + 1)
            last = inner[-1] if inner else None
            pl = stdout_payload(last) if last is not None else None
            if t == "process_substitution":
                return None, pl, True, False
            if pl is not None and pl.text is not None:
                return pl.text.rstrip("\n"), pl, False, False
            return None, pl, False, False
        if t == "arithmetic_expansion":
            return None, None, False, False
        return (_unescape_word(self.text(node)) if node.child_count == 0 else None), None, False, False

    def _expansion(self, node: Any, depth: int) -> tuple[str | None, Payload | None, bool, bool]:
        name = None
        default: Word | None = None
        op = None
        for child in node.children:
            if child.type in ("variable_name", "special_variable_name") and name is None:
                name = self.text(child)
            elif child.type in (":-", "-", ":=", "="):
                op = child.type
            elif op and default is None and child.type not in ("}",):
                default = self.word(child, depth)
        if node.child_count and any(c.type in ("#", "!") for c in node.children[:2]):
            return None, None, False, False
        if name is None:
            return None, None, False, False
        if name in HOME_VARS:
            return HOME_VARS[name], None, False, False
        if name in self.env:
            w = self.env[name]
            self._via.append((name, w))
            return w.value, w.payload, False, w.single_quoted
        if name.isidentifier() and not name.isdigit():
            self._reads.append(name)
        if default is not None and default.value is not None:
            return default.value, default.payload, False, False
        return None, None, False, False

    # -- statements ---------------------------------------------------------------
    def _visit_children(self, node: Any, depth: int) -> list[Cmd]:
        out: list[Cmd] = []
        children = node.children
        for i, child in enumerate(children):
            cmds = self.visit(child, depth)
            if cmds and i + 1 < len(children) and children[i + 1].type == "&" and \
                    self.src[children[i + 1].end_byte:children[i + 1].end_byte + 1] in (b"", b" ", b"\t", b"\n",
                                                                                      b"\r", b")", b"}", b";"):
                cmds[-1].background = True  # `a | b &`: one background job, reported once
            out.extend(cmds)
        return out

    def visit(self, node: Any, depth: int) -> list[Cmd]:
        """Commands produced by `node` in source order (top level of this node)."""
        self.nodes += 1
        if self.nodes > MAX_NODES or len(self.commands) > MAX_COMMANDS:
            self.truncated = True
            return []
        if depth > MAX_NEST:
            self.truncated = True
            return []
        t = node.type
        if t == "ERROR":
            self.errors += 1
        if t == "command":
            return self._command(node, [], depth)
        if t == "redirected_statement":
            return self._redirected(node, depth)
        if t == "pipeline":
            return self._pipeline(node, depth)
        if t == "variable_assignment":
            self._assign(node, depth)
            return []
        if t == "declaration_command":
            for child in node.children:
                if child.type == "variable_assignment":
                    self._assign(child, depth)
            return []
        if t in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return []
        if t == "for_statement":
            return self._for(node, depth)
        if t == "function_definition":
            name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
            if name is not None and body is not None:
                self.functions[self.text(name)] = body
                self._calls.append(self.text(name))  # the body as written; a call of itself in it is not followed
                try:
                    return self._visit_children(node, depth + 1)
                finally:
                    self._calls.pop()
        return self._visit_children(node, depth + 1)

    def _array_ref(self, node: Any) -> list[Word] | None:
        """`${A[@]}`, `"${A[@]}"`, `${A[*]}` of an array whose elements are known: those elements."""
        quoted = node.type == "string"
        if quoted and node.named_child_count == 1:
            node = node.named_children[0]
        if node.type in ("simple_expansion", "expansion") and node.named_child_count == 1 and \
                node.named_children[0].type == "special_variable_name":
            # `"$@"` (and a bare `$@`/`$*`) inside a function followed from a call: the call's words; `"$*"` is one word
            special = self.text(node.named_children[0])
            return self.arrays.get("@") if special == "@" or (special == "*" and not quoted) else None
        if node.type != "expansion":
            return None
        sub = next((c for c in node.children if c.type == "subscript"), None)
        if sub is None:
            return None
        name, index = sub.child_by_field_name("name"), sub.child_by_field_name("index")
        if name is None or index is None or self.text(index) not in ("@", "*"):
            return None
        return self.arrays.get(self.text(name))

    def _values(self, nodes: list[Any], depth: int) -> list[Word]:
        out: list[Word] = []
        for n in nodes:
            elements = self._array_ref(n)
            out.extend(elements if elements is not None else [self.word(n, depth + 1)])
        return out

    def _for(self, node: Any, depth: int) -> list[Cmd]:
        """`for v in a b c; do …; done`: the body is followed once per known value, with `$v` holding that
        value, while the parse's MAX_EXPANSIONS lasts; otherwise once with `$v` unknown (past the bound: said)."""
        var = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        if var is None or body is None:
            return self._visit_children(node, depth + 1)
        name = self.text(var)
        values = self._values(node.children_by_field_name("value"), depth)
        # a run-time value among them: follow the body once, `$v` unknown
        known = [] if any(w.value is None for w in values) else values
        if len(known) > 1 and self.expansions + len(known) - 1 > MAX_EXPANSIONS:
            self.expansions_cut = True
            known = []
        self.expansions += max(0, len(known) - 1)
        out: list[Cmd] = []
        for w in known or [None]:
            if w is None:
                self.env.pop(name, None)
            else:
                self.env[name] = w
            out.extend(self.visit(body, depth + 1))
        self.env.pop(name, None)
        return out

    def _assign(self, node: Any, depth: int) -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if name_node is None:
            return
        name = self.text(name_node)
        self._reads = []
        if value_node is None:
            self.env[name] = Word("", "", *self.pos(node))
            return
        if value_node.type == "array":
            elements = self._values(list(value_node.named_children), depth)
            if any(c.type == "+=" for c in node.children):  # `A+=(x)`: appended to what is known of A
                known = self.arrays.get(name)
                elements = known + elements if known is not None else [Word(None, "", *self.pos(node))]
            if len(elements) > MAX_ARRAY:
                self.arrays_cut = True
            if len(elements) <= MAX_ARRAY and all(w.value is not None for w in elements):
                self.arrays[name] = elements  # `A=()` is known too: an empty list a loop may append to
                if elements:
                    self.env[name] = elements[0]  # `$A` is the first element
                else:
                    self.env.pop(name, None)
            else:
                self.arrays.pop(name, None)
                self.env.pop(name, None)
            return
        self.arrays.pop(name, None)
        self.env[name] = self.word(value_node, depth + 1)
        self.settings.append((name, self.env[name]))  # as many as the parse's node bound (said when reached) allows

    def _pipeline(self, node: Any, depth: int) -> list[Cmd]:
        stages: list[list[Cmd]] = []
        for child in node.children:
            if child.type in ("|", "|&"):
                continue
            stages.append(self.visit(child, depth + 1))
        out: list[Cmd] = []
        text = self.text(node)[:500]
        for stage in stages:
            for c in stage:
                if not c.stmt:
                    c.stmt = text
        for prev, nxt in itertools.pairwise(stages):
            if prev and nxt:
                nxt[0].upstream = prev[-1]
                prev[-1].downstream = nxt[0]
        for s in stages:
            out.extend(s)
        return out

    def _redirected(self, node: Any, depth: int) -> list[Cmd]:
        body = node.child_by_field_name("body")
        redirects: list[Redirect] = []
        trailing: list[Any] = []
        for child in node.children:
            if child is body or (body is not None and child.id == body.id):
                continue
            if child.type.endswith("_redirect"):
                redirects.append(self._redirect(child, depth, trailing))
                redirects.extend(self._take_nested())
        if body is None:
            cmds: list[Cmd] = []
        elif body.type == "command":
            cmds = self._command(body, redirects, depth)
        else:
            cmds = self.visit(body, depth + 1)
            if cmds:
                cmds[-1].redirects.extend(redirects)
        # `cat <<EOF | sh`: tree-sitter hangs the rest of the pipeline off the here-doc redirect
        for extra in trailing:
            more = self.visit(extra, depth + 1)
            if more and cmds and extra.type in ("pipeline", "command", "redirected_statement") and \
                    self._starts_with_pipe(extra):
                more[0].upstream = cmds[-1]
                cmds[-1].downstream = more[0]
            cmds = cmds + more
        return cmds

    def _take_nested(self) -> list[Redirect]:
        out, self._nested_redirects = self._nested_redirects, []
        return out

    @staticmethod
    def _starts_with_pipe(node: Any) -> bool:
        return bool(node.children) and node.children[0].type in ("|", "|&")

    def _redirect(self, node: Any, depth: int, trailing: list[Any]) -> Redirect:
        op, fd, target, body, brow, bcol = "", None, None, None, 0, 0
        for child in node.children:
            ct = child.type
            if ct == "file_descriptor":
                fd = self.text(child)
            elif ct in (">", ">>", "<", "&>", "&>>", ">&", "<&", ">|", "<>", "<<", "<<-", "<<<", ">&-", "<&-"):
                op = ct
            elif ct == "heredoc_body":
                body = self.text(child)
                brow, bcol = self.pos(child)
            elif ct in ("heredoc_start", "heredoc_end"):
                continue
            elif ct.endswith("_redirect"):  # `cat <<EOF > FILE`: the file redirect hangs off the here-doc
                self._nested_redirects.append(self._redirect(child, depth, trailing))
            elif ct == "ERROR":  # tree-sitter-bash has no `<>`: `5<> /dev/tcp/…` parses as `<` ERROR(`>`)
                if op == "<" and self.text(child).strip() == ">":
                    op = "<>"
                continue
            elif ct in ("pipeline", "list", "command", "redirected_statement", "&&", "||", ";", "&"):
                if ct not in ("&&", "||", ";", "&"):
                    trailing.append(child)
            elif target is None and child.is_named:
                target = self.word(child, depth + 1)
        if op == "<<<" and target is not None:
            body = (target.value or "") + "\n" if target.value is not None else None
            brow, bcol = target.row, target.col
        return Redirect(op, fd, target, body, brow, bcol)

    def _command(self, node: Any, redirects: list[Redirect], depth: int) -> list[Cmd]:
        """One command, or several when tree-sitter joined lines (a known grammar ambiguity: `a | b`
        at the end of a line followed by `( … )` makes the next lines arguments of `b`): words
        separated by an unescaped newline start a new command."""
        groups: list[list[Word]] = [[]]
        rows: list[tuple[int, int, int]] = []  # (row, col, start byte) of each group
        assigns: list[tuple[str, Word]] = []
        self._reads = []
        reads: list[str] = []
        local_env: dict[str, Word] = {}
        prev_end: int | None = None
        ends: dict[int, int] = {}
        for child in node.children:
            ct = child.type
            if prev_end is not None and child.is_named and not ct.endswith("_redirect") and groups[-1]:
                gap = self.src[prev_end:child.start_byte]
                if b"\n" in gap.replace(b"\\\r\n", b"").replace(b"\\\n", b""):
                    groups.append([])
            if ct == "variable_assignment":
                name_node = child.child_by_field_name("name")
                value_node = child.child_by_field_name("value")
                if name_node is not None:
                    w = self.word(value_node, depth + 1) if value_node is not None else Word("", "", *self.pos(child))
                    assigns.append((self.text(name_node), w))
                    local_env[self.text(name_node)] = w
                prev_end = child.end_byte
                continue
            if ct.endswith("_redirect"):
                trailing: list[Any] = []
                redirects = redirects + [self._redirect(child, depth, trailing)] + self._take_nested()
                prev_end = child.end_byte
                continue
            if ct == "comment":
                continue
            if ct == "command_name" or child.is_named:
                target = child.children[0] if ct == "command_name" and child.children else child
                if not groups[-1]:
                    rows.append((*self.pos(child), child.start_byte))
                if ct == "subshell" or ct == "compound_statement":
                    self._visit_children(child, depth + 1)  # joined by the ambiguity: analyse it on its own
                else:
                    elements = self._array_ref(target) if target.type in ("string", "expansion") else None
                    if elements is not None and groups[-1]:  # `cmd "${A[@]}"`: one word per element
                        groups[-1].extend(elements)
                    else:
                        groups[-1].append(self.word(target, depth + 1))
                    ends[len(groups) - 1] = child.end_byte
                reads += self._reads
                self._reads = []
                prev_end = child.end_byte
        split = len(groups) > 1
        kept = [k for k, g in enumerate(groups) if g]
        ends = {i: ends[k] for i, k in enumerate(kept) if k in ends}
        rows = [rows[k] for k in kept if k < len(rows)] if split else rows
        groups = [groups[k] for k in kept] or [[]]
        row, col = self.pos(node)
        if not rows:
            rows = [(row, col, node.start_byte)]
        out: list[Cmd] = []
        for k, words in enumerate(groups):
            grow, gcol, gstart = rows[k] if k < len(rows) else (row, col, node.start_byte)
            gend = ends.get(k, node.end_byte) if split else node.end_byte
            if not split:
                grow, gcol, gstart, gend = row, col, node.start_byte, node.end_byte
            text = self.src[gstart:gend].decode("utf-8", "replace").strip()
            last = k == len(groups) - 1
            cmd = Cmd(words=words, row=grow, col=gcol, text=text, assigns=assigns if k == 0 else [],
                      redirects=list(redirects) if last else [], env_reads=reads if k == 0 else [])
            out.append(cmd)
            self.commands.append(cmd)
        for cmd in out:
            if cmd.words and self.functions:
                self._follow_call(cmd, depth)
            if cmd.words and cmd.words[0].value in ("mapfile", "readarray"):
                self._mapfile(cmd)
        if not groups[0] and assigns:
            self.env.update(local_env)
        # a pipeline continues from the last of the split commands
        return out


def parse_script(text: str, env: dict[str, Word] | None = None) -> Script:
    truncated = len(text) > MAX_TEXT
    src = text[:MAX_TEXT].encode("utf-8", "replace")
    tree = _parser().parse(_NON_ASCII.sub(b"%", src))
    b = _Builder(src, env)
    b.visit(tree.root_node, 0)
    return Script(b.commands, truncated or b.truncated, b.errors, b.settings, b.expansions_cut, b.via_cut,
                  b.arrays_cut, b.calls_cut, b.outputs_cut)
