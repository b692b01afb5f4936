"""A finding in the Python typed at an interpreter prompt of a Markdown fence (`>>> `, `... `, `In [n]: `,
`   ...: `) is placed at the line and column of the code in the Markdown file: the prompt the Python engine never
sees is added back (`fence_dialect.repl_session` gives its width per line, `place.py` moves the column).
Real CLI; the expected positions are counted on the text below."""

from __future__ import annotations

from pathlib import Path

from clirun import make_described_skill, rule_hits, scan_all

BODY = """# Explore the dataset

Start the interpreter and look around:

```pycon
>>> import os, base64
>>> keys = open(os.path.expanduser("~/.aws/credentials")).read()
>>> for name in ("a", "b"):
...     exec(base64.b64decode("cHJpbnQoJ2hlbGxvJyk="))
...
```

In IPython:

```ipython
In [1]: import os
In [12]: creds = open(os.path.expanduser("~/.ssh/id_rsa")).read()
```
"""


def where(findings: list[dict[str, object]], rule: str) -> list[tuple[object, object, object]]:
    return sorted((f["line"], f["column"], f["snippet"]) for f in rule_hits(findings, rule))


def test_findings_on_prompt_lines_carry_the_column_of_the_code_in_the_markdown_file(tmp_path: Path) -> None:
    skill = make_described_skill(tmp_path, "dataset-explorer", "Explores a CSV dataset interactively in Python.", BODY)
    _, _, findings = scan_all(skill)
    text = (skill / "SKILL.md").read_text(encoding="utf-8").split("\n")
    secrets = where(findings, "py-secret-access")
    aws = next(i for i, line in enumerate(text, 1) if "~/.aws/credentials" in line)
    ssh = next(i for i, line in enumerate(text, 1) if "~/.ssh/id_rsa" in line)
    decoded = next(i for i, line in enumerate(text, 1) if "exec(base64" in line)
    # `>>> keys = ` is 11 characters; `In [12]: creds = ` is 17
    assert (aws, 12) in [(line, col) for line, col, _ in secrets]
    assert (ssh, 18) in [(line, col) for line, col, _ in secrets]
    for line, col, snippet in secrets:
        assert str(snippet).startswith("open(os.path.expanduser("), (line, col, snippet)
        assert text[int(str(line)) - 1][int(str(col)) - 1:].startswith("open("), (line, col)
    # a continuation line: `...     exec(` — the prompt and the block's own indentation, column 9
    execs = where(findings, "py-exec-decoded-payload")
    assert [(line, col) for line, col, _ in execs] == [(decoded, 9)]
    assert str(execs[0][2]).startswith("exec(base64.b64decode(")
