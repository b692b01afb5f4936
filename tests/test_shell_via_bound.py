"""A word keeps the script's variables it expands (Word.via, with what was assigned to them) up to MAX_VIA: a data
query held in any of them is seen, and past the bound the cut is said (analysis-incomplete), in bash and in
PowerShell alike — no variable is dropped silently."""

from __future__ import annotations

from pathlib import Path

from skillscan.analyzers.shell import CommandContext, analyze_command
from skillscan.analyzers.shell.syntax import MAX_VIA


def _found(script: str, dialect: str = "bash") -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in analyze_command(script, CommandContext("run.sh"), dialect=dialect)]


def _bash(n: int) -> str:
    """`n` variables set to literals, then one set to a data query of the script's argument, all expanded in one
    word that is run."""
    sets = "".join(f"V{i}=word{i}\n" for i in range(n))
    return sets + 'Q="$(jq -r .cmd "$1")"\neval "' + "".join(f"${{V{i}}}" for i in range(n)) + '$Q"\n'


def _ps(n: int) -> str:
    sets = "".join(f"$v{i} = 'word{i}'\n" for i in range(n))
    return sets + "$q = (Get-Content $args[0] | ConvertFrom-Json).command\niex \"" + \
        "".join(f"$v{i}" for i in range(n)) + '$q"\n'


def test_a_query_in_a_ninth_variable_is_seen() -> None:
    rules = [r for r, _ in _found(_bash(8))]
    assert "shell-runs-data-command" in rules and "analysis-incomplete" not in rules


def test_at_the_bound_every_variable_is_read_and_nothing_is_said() -> None:
    found = _found(_bash(MAX_VIA - 1))  # MAX_VIA variables in the word, the query's the last
    rules = [r for r, _ in found]
    assert "shell-runs-data-command" in rules
    assert "analysis-incomplete" not in rules


def test_past_the_bound_the_cut_is_said() -> None:
    found = _found(_bash(MAX_VIA))  # one variable more than is kept: the query's is the one cut
    said = [m for r, m in found if r == "analysis-incomplete"]
    assert len(said) == 1 and f"more than {MAX_VIA} of the script's variables" in said[0]


def test_powershell_at_and_past_the_bound() -> None:
    assert "shell-runs-data-command" in [r for r, _ in _found(_ps(8), "powershell")]
    at = [r for r, _ in _found(_ps(MAX_VIA - 1), "powershell")]
    assert "shell-runs-data-command" in at and "analysis-incomplete" not in at
    over = [m for r, m in _found(_ps(MAX_VIA), "powershell") if r == "analysis-incomplete"]
    assert len(over) == 1 and f"more than {MAX_VIA} of the script's variables" in over[0]


def test_powershell_block_and_loop_bounds_are_said(tmp_path: Path) -> None:
    """Blocks nested past the depth the parser reads, and a foreach over more items than it follows, are said."""
    from skillscan.analyze import analyze_files
    from skillscan.analyzers.shell.winshell import MAX_BLOCK_DEPTH, MAX_LOOP_VALUES
    from skillscan.loaders.discover import load_inputs
    from skillscan.loaders.files import Limits

    deep = "if ($a) { " * (MAX_BLOCK_DEPTH + 2) + "Invoke-RestMethod -Uri https://api.example.com/x" + " }" * (MAX_BLOCK_DEPTH + 2)
    items = ", ".join(f'"f{i}.txt"' for i in range(MAX_LOOP_VALUES + 3))
    loop = f"foreach ($f in {items}) {{ Get-Content $f }}"
    for text, said in ((deep, "blocks nested more than"), (loop, "`foreach` over more than")):
        (tmp_path / "run.ps1").write_text(text + "\n", encoding="utf-8")
        (pkg,) = load_inputs([str(tmp_path)], Limits())
        found = [f for f in analyze_files(pkg, pkg.files)[0] if f.rule_id == "analysis-incomplete"]
        assert any(said in f.message for f in found), [f.message for f in found]


def test_a_foreach_header_is_read_up_to_its_closing_parenthesis() -> None:
    """The collection of a `foreach` header is matched greedily up to its `)` (a lazy match with `\\s*` before the
    `)` was quadratic on a long run of spaces); an unclosed header is no loop, and the collection keeps its items."""
    from skillscan.analyzers.shell.winshell import _FOREACH

    assert _FOREACH.match("($f in x" + " " * 64_000 + "y") is None
    m = _FOREACH.match('($f in "a", "b" )')
    assert m is not None and m.group(1) == "f" and m.group(2).strip() == '"a", "b"'


def test_nested_powershell_loops_past_the_pass_bound_are_followed_once_and_said() -> None:
    from skillscan.analyzers.shell.winshell import MAX_LOOP_PASSES, parse_windows

    items = ", ".join(f'"C:\\\\d{i}"' for i in range(8))
    for nested in ("$l | % { " * 6 + "Copy-Item $_ 'b'" + " }" * 6,
                   "".join(f"foreach ($v{i} in $l) {{ " for i in range(6)) + "Copy-Item $v5 'b'" + " }" * 6):
        said: list[str] = []
        cmds = parse_windows(f"$l = @({items})\n{nested}", "powershell", said)
        copies = [c for c in cmds if c.words and (c.words[0].value or "").lower() == "copy-item"]
        assert "passes" in said
        assert 8 <= len(copies) <= 8 + MAX_LOOP_PASSES  # items followed while the bound lasts, then once each
        assert any(c.words[1].value is None for c in copies)  # past it: the variable unknown
    found = analyze_command(f"$l = @({items})\n" + "$l | % { " * 6 + "Copy-Item $_ 'b'" + " }" * 6,
                            CommandContext("scripts/x.ps1"), dialect="powershell")
    assert any(f.rule_id == "analysis-incomplete" and "nested" in f.message for f in found)
