"""The intermediate form of a parsed shell text — words with their static values, redirects, commands
and scripts — and the quoting rules (ANSI-C `$'…'` strings, backslash escapes) that give a word its
value. skillscan.analyzers.shell.syntax builds it from tree-sitter-bash; every shell module reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from skillscan.analyzers.shell.decode import Payload
from skillscan.capabilities import decoding
from skillscan.lazyre import lazy


@dataclass
class Word:
    value: str | None  # static value, None when it depends on run time
    raw: str
    row: int  # 0-based within the analysed text
    col: int  # 0-based character column
    payload: Payload | None = None  # what a substitution inside produced (decoded / fetched)
    procsub: bool = False  # `<(…)`: a path whose content is `payload`
    single_quoted: bool = False
    # the variables of the script expanded in it, each with the word assigned to it (`curl "$API/x"` after
    # `API=https://…`): where a value it carries is written (flow carriers, analyzers/shell/programs.py)
    via: tuple[tuple[str, Word], ...] = ()

    @property
    def decoded(self) -> bool:
        return bool(self.payload and self.payload.decoders)

    @property
    def url(self) -> str | None:
        return self.payload.url if self.payload else None


@dataclass
class Redirect:
    op: str
    fd: str | None
    target: Word | None = None
    body: str | None = None  # here-doc / here-string text
    body_row: int = 0
    body_col: int = 0


@dataclass
class Cmd:
    words: list[Word]
    row: int
    col: int
    text: str
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    upstream: Cmd | None = None  # previous pipeline stage (its stdout is our stdin)
    downstream: Cmd | None = None
    background: bool = False
    env_reads: list[str] = field(default_factory=list)
    stmt: str = ""  # the whole pipeline this command is a stage of (for snippets)
    # a PowerShell statement that is an expression, not a command (`$vm.OSProfile`, `(iwr url).Content`,
    # `[IO.File]::ReadAllText(p)`): it runs no program; its value is output, or piped to the next stage
    expression: bool = False
    # a call of a function the script defines: no program runs; the body was followed with its words bound
    function: bool = False
    output: Payload | None = None  # what the followed function body prints, when known (syntax._printed)

    @property
    def argv(self) -> list[str | None]:
        return [w.value for w in self.words]

    def stdin_text(self) -> tuple[str, int, int] | None:
        for r in self.redirects:
            if r.body is not None:
                return r.body, r.body_row, r.body_col
        return None


@dataclass
class Script:
    commands: list[Cmd]
    truncated: bool = False
    error_nodes: int = 0
    settings: list[tuple[str, Word]] = field(default_factory=list)  # NAME=value statements, in order
    expansions_cut: bool = False  # a loop followed once with its variable unknown (syntax.MAX_EXPANSIONS)
    via_cut: bool = False  # a word expanding more of the script's variables than are kept (syntax.MAX_VIA)
    arrays_cut: bool = False  # an array longer than is kept as known values (syntax.MAX_ARRAY): a run-time value
    calls_cut: bool = False  # a call nested past syntax.MAX_CALL_DEPTH was not followed into its function
    outputs_cut: bool = False  # a function printed more than syntax.MAX_OUTPUT: its output is a run-time value


_ANSI = lazy(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|[abefnrtv\\'\"?]|c.)")
_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                "\\": "\\", "'": "'", '"': '"', "?": "?"}


def ansi_c(body: str) -> str:
    """The value of an ANSI-C `$'…'` string body: bash's escapes, read by the shared decoder."""
    return decoding.string_unescape(body, _ANSI, _ANSI_SIMPLE)[0]


def _unescape_word(text: str) -> str:
    if "\\" not in text:  # nothing escaped: the loop below would copy every character
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
