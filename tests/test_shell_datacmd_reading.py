"""shell-runs-data-command reads every data query of a word (bounded at MAX_QUERIES, the bound said), readers
read every file operand, one reader finds what a download writes (a written or a computed URL alike), and the
files a script writes are remembered up to MAX_MADE — past it every file is taken as one it may have written, and
that is said — so that no silent bound turns a file the script wrote into "the author's own configuration"."""

from __future__ import annotations

from skillscan.analyzers.shell import CommandContext, analyze_command
from skillscan.analyzers.shell.datacmd import MAX_QUERIES, query_files
from skillscan.analyzers.shell.state import MAX_MADE


def _found(script: str, dialect: str = "bash") -> list[tuple[str, int, str]]:
    return [(f.rule_id, f.location.line, f.message)
            for f in analyze_command(script, CommandContext("run.sh"), dialect=dialect)]


def _rules(script: str, dialect: str = "bash") -> list[str]:
    return [r for r, _, _ in _found(script, dialect)]


def test_every_query_of_a_word_is_read() -> None:
    # the first query reads the package's own file, the second the ticket given as an argument
    assert "shell-runs-data-command" in _rules('eval "$(jq -r .a ./config.json) $(jq -r .cmd "$1")"')
    assert "shell-runs-data-command" not in _rules('eval "$(jq -r .a ./config.json) $(jq -r .b ./more.json)"')


def test_queries_past_the_bound_are_said() -> None:
    fixed = " ".join(f"$(jq -r .k{i} ./c{i}.json)" for i in range(MAX_QUERIES))
    assert not [r for r in _rules(f'eval "{fixed}"') if r in ("shell-runs-data-command", "analysis-incomplete")]
    over = _found(f'eval "{fixed} $(jq -r .cmd "$1")"')
    said = [m for r, _, m in over if r == "analysis-incomplete"]
    assert len(said) == 1 and f"more than {MAX_QUERIES} data queries" in said[0]


def test_readers_read_every_operand() -> None:
    assert query_files(["cat", "a.json", "b.json"]) == ["a.json", "b.json"]
    assert query_files(["Get-Content", "-Encoding", "utf8", "-Path", "a.json", "-Raw"]) == ["a.json"]
    ps = "iex (Get-Content ./settings.json $args[0] | ConvertFrom-Json).command"
    assert "shell-runs-data-command" in _rules(ps, "powershell")


def test_a_download_from_a_computed_url_is_a_written_file() -> None:
    for fetch in ('curl -fsSLo plan.json "$PLAN_URL"', 'curl --output=plan.json "$PLAN_URL"',
                  'wget -qO plan.json "$PLAN_URL"', 'curl -o plan.json "$PLAN_URL"'):
        assert "shell-runs-data-command" in _rules(f"{fetch}\neval \"$(jq -r .setup plan.json)\""), fetch


def test_a_copied_file_is_a_written_file() -> None:
    assert "shell-runs-data-command" in _rules('cp "$1" plan.json\njq -r .steps[].run plan.json | sh')


def test_past_the_bound_of_written_files_every_file_may_be_one() -> None:
    writes = "".join(f"echo x > out{i}.txt\n" for i in range(MAX_MADE))
    late = 'curl -o plan.json "$PLAN_URL"\neval "$(jq -r .setup plan.json)"\n'
    found = _found(writes + late)
    assert "shell-runs-data-command" in [r for r, _, _ in found]
    said = [m for r, _, m in found if r == "analysis-incomplete"]
    assert len(said) == 1 and f"more than {MAX_MADE} files" in said[0]
    # at the bound, nothing is said and a fixed file is still the author's own
    quiet = _found("".join(f"echo x > out{i}.txt\n" for i in range(MAX_MADE - 1)) + 'eval "$(jq -r .a ./config.json)"')
    assert not [r for r, _, _ in quiet if r in ("shell-runs-data-command", "analysis-incomplete")]


def test_a_query_read_in_part_is_not_taken_as_fixed() -> None:
    files = " ".join(f"conf_{i:03d}_settings_file.json" for i in range(20))  # longer than what is read of it
    assert "shell-runs-data-command" in _rules(f"eval \"$(jq -r .cmd {files} \"$1\")\"")
    few = " ".join(files.split()[:10])
    assert "shell-runs-data-command" not in _rules(f"eval \"$(jq -r .cmd {few})\"")
    assert "shell-runs-data-command" not in _rules("eval \"$(jq -r '.a|.b' ./config.json)\"")
