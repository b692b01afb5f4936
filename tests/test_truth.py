"""Every reason true (issue 14): for every finding whose message names a host, path, environment
variable or program, each named thing occurs on the cited line or in the value the analysis followed to
that line; a whole-environment claim is made only where the whole environment is read; one finding per
rule and location. Every finding is checked, info-level capability evidence included (`--min-severity info`).
Checked with bench/truth.py's `check_report` over the rules' samples (tests/rules),
fixtures/ and the three corpora beside the repository (../shared/corpus/{dev,calib,msb-train}; a corpus
is skipped only when it is absent). One real CLI process per set.

The false reasons not fixed yet are listed, one a line, in tests/truth_known.tsv (set, package, rule,
path, line, kind, value): the test fails on any violation not listed there, and on any listed one that no
longer occurs (remove it from the list), so the list can only shrink. After a merge that fixes some,
`TRUTH_KNOWN_UPDATE=1 pytest tests/test_truth.py` rewrites each set's rows to what it finds (review the
diff: it must only remove rows)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.clirun import REPO, skillscan

sys.path.insert(0, str(REPO / "bench"))
from qualitysets import load_sets  # noqa: E402
from truthcheck import check_report  # noqa: E402

SHARED = REPO.parent / "shared"
CORPORA = ("dev", "calib", "msb-train")


def _inputs(name: str) -> list[Path]:
    if name == "rule-samples":
        return sorted(p for p in (REPO / "tests" / "rules").iterdir() if p.is_dir())
    sets, _ = load_sets((name,), SHARED, REPO / "fixtures")
    return [s.path for s in sets.get(name, [])]


KNOWN = REPO / "tests" / "truth_known.tsv"


def _known(name: str) -> set[str]:
    if not KNOWN.exists():
        return set()
    rows = (line.rstrip("\n") for line in KNOWN.read_text(encoding="utf-8").splitlines())
    return {r.split("\t", 1)[1] for r in rows if r and not r.startswith("#") and r.split("\t", 1)[0] == name}


def _violations(name: str) -> set[str]:
    inputs = _inputs(name)
    if not inputs:
        pytest.skip(f"{name}: no inputs here (../shared/corpus/{name} is absent)")
    proc = skillscan("scan", "--format", "json", "--fail-on", "never", "--no-cache", "--no-config",
                     "--min-severity", "info", *map(str, inputs), timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    return {"\t".join((Path(v.package).name, v.rule_id, v.path, str(v.line), v.kind, v.value))
            for v in check_report(report, REPO)}


def _rewrite(name: str, rows: set[str]) -> None:
    lines = KNOWN.read_text(encoding="utf-8").splitlines() if KNOWN.exists() else []
    kept = [x for x in lines if x.startswith("#") or (x and x.split("\t", 1)[0] != name)]
    KNOWN.write_text("\n".join(kept + [f"{name}\t{r}" for r in sorted(rows)]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", ("rule-samples", "fixtures", *CORPORA))
def test_every_named_thing_is_on_the_cited_line_or_in_the_followed_value(name: str) -> None:
    violations = _violations(name)
    if os.environ.get("TRUTH_KNOWN_UPDATE"):
        _rewrite(name, violations)
        pytest.skip(f"{KNOWN.name}: rows of {name} rewritten")
    known = _known(name)
    new = sorted(violations - known)
    assert new == [], f"{len(new)} false reasons in {name} (package, rule, path, line, kind, value):\n" + \
        "\n".join(new[:40])
    fixed = sorted(known - violations)
    assert fixed == [], f"fixed, remove from {KNOWN.name}:\n" + "\n".join(f"{name}\t{k}" for k in fixed[:40])
