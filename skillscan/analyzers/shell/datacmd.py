"""shell-runs-data-command: a shell script runs, as a command, a value a data query takes out of a file or a
response — `eval "$(jq -r .workflow_command "$1")"`, `cmd=$(yq '.fix' "$ISSUE"); bash -c "$cmd"`,
`curl -o plan.json …; jq -r '.steps[].run' plan.json | sh`, PowerShell
`iex (Get-Content $args[0] | ConvertFrom-Json).command`. The
shell twin of `py-runs-data-command`: the data a skill processes
(a ticket, an issue, a mail, a plan file) is written by someone else, and a command in it runs with the agent's
rights. A command written in the script, a query whose output is only printed or compared, or a query of a
fixed source — a file whose path the script writes down (`eval "$(jq -r .setup ./config.json)"`,
`"$(dirname "$0")/steps.yaml"`), the author's own configuration (`capabilities/fixed_source.py`, shared with
the Python twin) — is not reported; a file the script takes as an argument, downloads or writes itself first,
or a record read from a pipe (`gh issue view 7 --json body | jq -r .body`), is.

nested.py asks `data_query` of the word an `eval`, `sh -c` or `iex` runs, and `data_piped` of the command
piped into a shell."""

from __future__ import annotations

from collections.abc import Collection

from skillscan.analyzers.shell.decode import prog_name
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.fixed_source import fixed_path
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("shell-runs-data-command",)

# programs that take a value out of structured data (JSON, YAML, TOML, XML, CSV)
PROGRAMS = frozenset({"jq", "gojq", "jaq", "yq", "xq", "tomlq", "dasel", "mlr", "xmllint", "xmlstarlet"})
# programs whose first operand is the query and the rest the files it reads
FILTER_FIRST = frozenset({"jq", "gojq", "jaq", "yq", "xq", "tomlq"})
# options that take values (jq: `--arg name value`, `--slurpfile name file`; yq: `--indent n`)
OPTION_ARITY = {"--arg": 2, "--argjson": 2, "--slurpfile": 2, "--rawfile": 2, "--indent": 1, "-I": 1,
                "--from-file": 1, "-f": 1, "--file": 1, "-o": 1, "--output-format": 1, "-p": 1,
                "--input-format": 1, "--xpath": 1}
FILE_OPTIONS = frozenset({"--file", "--slurpfile", "--rawfile"})  # dasel -f/--file: the data file
READERS = frozenset({"get-content", "gc", "cat", "type", "import-csv", "import-clixml"})  # PowerShell
READER_PATHS = frozenset({"-path", "-literalpath", "-lp", "-pspath"})  # a reader's option whose value is a file
READER_VALUED = frozenset({"-encoding", "-totalcount", "-tail", "-head", "-first", "-last", "-readcount",
                           "-delimiter", "-stream", "-filter", "-include", "-exclude", "-header"})  # take a value
MAX_SUBSTITUTION = 400  # characters of one command substitution read for the files its query reads
MAX_QUERIES = 64  # data queries read in one word run as a command (and the variables expanded in it)
_START = lazy(r"(?:\$\(|`)\s*(?:[^()`|]{0,200}\|\s*)?(?:[\w./-]*/)?(?:" + "|".join(sorted(PROGRAMS)) + r")\b"
              # PowerShell: a record parsed from JSON, YAML or CSV (`(Get-Content t.json | ConvertFrom-Json).cmd`)
              r"|\(\s*[^()]{0,200}\b(?:ConvertFrom-Json|ConvertFrom-Yaml|Import-Csv|Import-Clixml)\b[^()]{0,80}\)"
              r"(?:\[[^\]]{0,20}\])?\.\w+")
_TOKEN = lazy(r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|\$\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)|[^\s"'|;])+|\|""")


def _substitution(raw: str, start: int) -> tuple[str, bool]:
    """The text of the command substitution opened at `start` (`$(` or a backquote), to its balanced end, read up to
    MAX_SUBSTITUTION characters, and whether its end was reached (False: the files it reads are not all known)."""
    if raw[start] == "`":
        end = raw.find("`", start + 1, start + 1 + MAX_SUBSTITUTION)
        return (raw[start + 1:end], True) if end > 0 else (raw[start + 1:start + 1 + MAX_SUBSTITUTION], False)
    depth, i = 0, start + 1
    while i < len(raw) and i < start + MAX_SUBSTITUTION:
        if raw[i] == "(":
            depth += 1
        elif raw[i] == ")":
            depth -= 1
            if depth == 0:
                return raw[start + 2:i], True
        i += 1
    return raw[start + 2:i], False


def query_files(tokens: list[str]) -> list[str] | None:
    """The files a data query reads, as written, from its words (`jq -r .cmd a.json` → [`a.json`]); None when it
    reads its standard input (a pipe, a response) or the words are not a data query."""
    if not tokens:
        return None
    prog = tokens[0].strip("'\"").replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    rest = tokens[1:]
    if prog in READERS:  # every operand is a file it reads (`Get-Content a.json b.json`, `-Path p`)
        files, i = [], 0
        while i < len(rest):
            t = rest[i]
            if t.startswith("-") and t != "-":
                option = t.lower()
                if option in READER_PATHS:
                    files += rest[i + 1:i + 2]
                i += 2 if option in READER_PATHS or option in READER_VALUED else 1
                continue
            files.append(t)
            i += 1
        return files or None
    if prog not in PROGRAMS:
        return None
    files, operands, i = [], [], 0
    if prog in ("yq", "xq") and rest and rest[0] in ("eval", "e", "eval-all", "ea"):
        rest = rest[1:]
    while i < len(rest):
        t = rest[i]
        if t.startswith("-") and t != "-":
            arity = 0 if "=" in t else OPTION_ARITY.get(t, 0)  # `--indent=2` carries its value
            if t in FILE_OPTIONS or (t == "-f" and prog == "dasel"):
                files += rest[i + arity:i + arity + 1]
            elif t in ("-f", "--from-file"):
                operands.append("")  # the query comes from a file: every operand is a data file
            i += 1 + arity
            continue
        operands.append(t)
        i += 1
    data = operands[1:] if prog in FILTER_FIRST or (operands and operands[0] == "") else operands[-1:]
    files += [t for t in data if t]
    return files or None


_VARIABLE = lazy(r"\$\{?([A-Za-z_]\w*)\}?")


def _assigned(word: Word) -> dict[str, str]:
    """The variables expanded in `word` that the script assigned, each with the text assigned to it (followed
    through the variables expanded in that text, two steps)."""
    out: dict[str, str] = {}
    _assign_into(word, 0, out, set())
    return out


def _assign_into(word: Word, depth: int, out: dict[str, str], seen: set[tuple[int, int]]) -> None:
    # depth first, the first text of a name kept; a word met again at the same depth adds nothing new, so it is
    # not walked again (each word holds up to syntax.MAX_VIA variables: the walk stays linear in the words met)
    if (id(word), depth) in seen:
        return
    seen.add((id(word), depth))
    for name, w in word.via:
        out.setdefault(name, w.raw or "")
        if depth < 2:
            _assign_into(w, depth + 1, out, seen)


def _expand(text: str, env: dict[str, str]) -> str:
    """`text` with each variable the script assigned replaced by what it assigned (`"$CONFIG"` after
    `CONFIG="$(dirname "$0")/config.json"`); other expansions are kept."""
    for _ in range(3):
        new = _VARIABLE.sub(lambda m: env[m.group(1)].strip("'\"") if m.group(1) in env else m.group(0), text)
        if new == text:
            break
        text = new
    return text


def _fixed_query(text: str, written: Collection[str], env: dict[str, str]) -> bool:
    """Every stage of the query `text` reads a fixed source (`jq -r .cmd ./config.json`,
    `Get-Content "$PSScriptRoot/steps.json" | ConvertFrom-Json`, a variable the script set to one)."""
    stages: list[list[str]] = [[]]
    for t in _TOKEN.findall(text):
        if t == "|":
            stages.append([])
        else:
            stages[-1].append(t)
    files = query_files(stages[0])
    return files is not None and all(fixed_path(_expand(f, env), written) for f in files)


def data_query(word: Word, written: Collection[str] | None = (), said: list[str] | None = None) -> str | None:
    """The data query (`$(jq -r .cmd t.json)`) whose output `word` holds, written in it or in a variable expanded in
    it that the script assigned from one; None otherwise, and None when every query there reads a fixed source (a
    file whose path the script writes down and did not write itself: `written`; None: any file may be one). Every
    query of the word and of those variables is read, up to MAX_QUERIES: past it, the bound is put in `said`."""
    seen = 0
    for raw in (word.raw, *(w.raw for _, w in word.via)):
        for m in _START.finditer(raw or ""):
            if seen >= MAX_QUERIES:
                if said is not None:
                    said.append(say("bound-queries", limit=MAX_QUERIES))
                return None
            seen += 1
            if m.group(0).startswith("("):  # the PowerShell form keeps its brackets
                body, text = m.group(0)[1:m.group(0).rindex(")")], m.group(0)
                if text.count(")") > text.count("("):
                    text = "(" + text
                whole = True
            else:
                body, whole = _substitution(raw, m.start())
                body = text = body.strip()
            # a query read only in part (its end past MAX_SUBSTITUTION) may read more files than those seen
            if written is not None and whole and _fixed_query(body, written, _assigned(word)):
                continue
            return text if len(text) <= 90 else text[:87] + "…"
    return None


def data_piped(up: Cmd, written: Collection[str] | None = ()) -> bool:
    """`up`, the stage piped into a shell, is a data query that does not read a fixed source (`written`: the
    files the script wrote before, None when any file may be one)."""
    if not up.words or up.words[0].value is None or not data_program(prog_name(up.words[0].value)):
        return False
    files = None if up.upstream is not None else query_files([w.raw for w in up.words])
    env = {name: raw for w in up.words for name, raw in _assigned(w).items()}
    return files is None or written is None or not all(fixed_path(_expand(f, env), written) for f in files)


def data_program(name: str) -> bool:
    """`name` is a program that takes values out of structured data."""
    return name.lower() in PROGRAMS
