"""The JavaScript/TypeScript rule families beyond the source → network flows, run on the parse the js-decode
engine made (one parse per file): the same attacks the Python checks read, in JS/TS —

| family | rules |
|---|---|
| backdoor.py | js-hardcoded-password-bypass |
| covert.py | js-data-in-dns-name, js-encoded-data-in-header |
| hidden_calls.py | js-hidden-call |
| load_time.py | js-import-time-network, js-import-time-write |
| install_hook.py | js-install-hook-written |
| output.py | js-hidden-link-in-output, js-invisible-encoding, js-safety-downgrade-text |
| proxy.py | js-fixed-proxy-for-auth |
| ranking.py | js-ranking-favours-entity |
| safety_strip.py | js-strips-safety-text |

Their shared vocabulary with the Python checks is `rules/capabilities/code.yaml` (`analyzers/code_vocab.py`).
The strings, objects and conditions they read are found by the parse (`Parsed.of_kind`, `parse.READ`: one
tree-sitter query, within the first MAX_NODES syntax nodes); the bound that stops it is reported."""

from __future__ import annotations

from skillscan.analyzers.js import (
    backdoor,
    covert,
    hidden_calls,
    install_hook,
    load_time,
    output,
    proxy,
    ranking,
    safety_strip,
)
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.flows import FlowFinder
from skillscan.model import Finding

FAMILIES = (covert, hidden_calls, load_time, install_hook, output, proxy, ranking, safety_strip, backdoor)


def run(flows: FlowFinder, evaluated: list[tuple[int, str]] | None = None) -> list[Finding]:
    """The families' findings; the constant code the file evaluates through hidden names is added to `evaluated`
    as (line, code), for the caller to scan as virtual files."""
    if flows.parsed.root is None:
        return []
    ctx = Context(flows)
    for family in FAMILIES:
        if flows.parsed.spent():
            break
        family.check(ctx)
    if evaluated is not None:
        evaluated.extend(ctx.evaluated)
    return ctx.out
