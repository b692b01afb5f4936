"""shell-runs-data-command: a shell script runs, as a command, a value a data query takes out of a file or a
response — `eval "$(jq -r .workflow_command ticket.json)"`, `cmd=$(yq '.fix' issue.yaml); bash -c "$cmd"`,
`jq -r '.steps[].run' plan.json | sh`, PowerShell `iex (Get-Content t.json | ConvertFrom-Json).command`. The
shell twin of `py-runs-data-command`: the data a skill processes
(a ticket, an issue, a mail, a plan file) is written by someone else, and a command in it runs with the agent's
rights. A command written in the script, or a query whose output is only printed or compared, is not reported.

nested.py asks `data_query` of the word an `eval`, `sh -c` or `iex` runs, and `data_program` of the command
piped into a shell."""

from __future__ import annotations

from skillscan.analyzers.shell.words import Word
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("shell-runs-data-command",)

# programs that take a value out of structured data (JSON, YAML, TOML, XML, CSV)
PROGRAMS = frozenset({"jq", "gojq", "jaq", "yq", "xq", "tomlq", "dasel", "mlr", "xmllint", "xmlstarlet"})
_QUERY = lazy(r"(?:\$\(|`)\s*(?:[\w./-]*/)?(?:" + "|".join(sorted(PROGRAMS)) + r")\b[^)`]{0,200}"
              # PowerShell: a record parsed from JSON, YAML or CSV (`(Get-Content t.json | ConvertFrom-Json).cmd`)
              r"|\(\s*[^()]{0,200}\b(?:ConvertFrom-Json|ConvertFrom-Yaml|Import-Csv|Import-Clixml)\b[^()]{0,80}\)(?:\[[^\]]{0,20}\])?\.\w+")


def data_query(word: Word) -> str | None:
    """The data query (`$(jq -r .cmd t.json)`) whose output `word` holds, written in it or in a variable expanded in
    it that the script assigned from one; None otherwise."""
    for raw in (word.raw, *(w.raw for _, w in word.via)):
        m = _QUERY.search(raw or "")
        if m is not None:
            text = m.group(0).lstrip("$(`").strip()
            if text.count(")") > text.count("("):  # the PowerShell form keeps its closing bracket
                text = "(" + text
            return text if len(text) <= 90 else text[:87] + "…"
    return None


def data_program(name: str) -> bool:
    """`name` is a program that takes values out of structured data."""
    return name.lower() in PROGRAMS
