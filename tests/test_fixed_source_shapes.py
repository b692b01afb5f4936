"""`capabilities/fixed_source.py` accepts only what it claims — a literal path, or one under the script's own
folder named exactly (`$(dirname "$0")`, `$(cd "$(dirname "$0")" && pwd)`, `${BASH_SOURCE%/*}`, `$PSScriptRoot`,
`%~dp0`) — and resolves `..` before judging the place: near misses that run something else inside the
substitution, or climb into a temporary directory, are not fixed."""

from __future__ import annotations

import pytest

from skillscan.analyzers.shell import CommandContext, analyze_command
from skillscan.capabilities.fixed_source import fixed_path

FIXED = ['"$(cd "$(dirname "$0")" && pwd)/config.json"', '"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/a.yaml"',
         '"$(dirname "$0")/../config.json"', '$(dirname $0)/steps.yaml', '${BASH_SOURCE%/*}/hooks.json',
         "$PSScriptRoot\\config.json", "%~dp0config.json", "config/settings.json", "./config.json"]
NEAR_MISSES = ['"$(cd "$(dirname "$0")" && mktemp -d)/plan.json"', '"$(cd "$(dirname "$0")" && cd /tmp && pwd)/p.json"',
               '"$(dirname "$0"; echo /tmp)/x.json"', '"$(realpath "$0" | sed s/a/b/)/p.json"',
               '"$(dirname "$0")/../../../../tmp/plan.json"', "/var/../tmp/plan.json"]


@pytest.mark.parametrize("path", FIXED)
def test_the_script_s_own_paths_are_fixed(path: str) -> None:
    assert fixed_path(path)


@pytest.mark.parametrize("path", NEAR_MISSES)
def test_near_misses_are_not(path: str) -> None:
    assert not fixed_path(path)


def test_a_near_miss_is_reported_as_a_data_command() -> None:
    found = analyze_command('eval "$(jq -r .setup "$(cd "$(dirname "$0")" && mktemp -d)/plan.json")"',
                            CommandContext("run.sh"))
    assert "shell-runs-data-command" in [f.rule_id for f in found]
    fixed = analyze_command('eval "$(jq -r .setup "$(cd "$(dirname "$0")" && pwd)/plan.json")"', CommandContext("run.sh"))
    assert "shell-runs-data-command" not in [f.rule_id for f in fixed]
