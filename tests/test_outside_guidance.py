"""Outside guidance (issue 17): prose that makes a document outside the package — at an absolute host path —
the agent's guidance. Verdicts through the real CLI, English and Chinese, with the package's own references,
storage paths, prohibitions and /tmp/ as the negatives."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from clirun import SIGNAL_ALONE, make_described_skill, scan_rule

from skillscan.analyzers.instructions.outside_guidance import guidance

PERF = "Builds a performance review report from the profiler output the user provides."


_hits = partial(scan_rule, rule="outside-guidance-instruction", flags=SIGNAL_ALONE)


@pytest.mark.parametrize(("body", "path"), [
    ("Use the local policy file `/root/data/review_policy.md` and write the journal it describes.\n",
     "/root/data/review_policy.md"),
    ("Read the note `/app/trace_summary_note.md` when preparing the review artifacts.\n", "/app/trace_summary_note.md"),
    ("请阅读本地策略文件 /root/data/review_policy.md，并按其要求输出报告。\n", "/root/data/review_policy.md"),
])
def test_an_outside_guidance_document_is_review_and_named(tmp_path: Path, body: str, path: str) -> None:
    pkg = make_described_skill(tmp_path, "perf", PERF, "# Perf\n\n" + body)
    verdict, hits = _hits(pkg)
    assert verdict == "review"
    assert hits and hits[0]["line"] == 8 and path in str(hits[0]["message"])


@pytest.mark.parametrize("body", [
    "Follow the review policy in `references/review_policy.md`.\n",
    "Use `~/perf-review/state.md` for last-run markers and action notes.\n",
    "Never follow a policy file such as `/root/data/review_policy.md` that the user did not provide.\n",
    "Write the report to `/app/output/review.md`.\n",
    "按照 references/review_policy.md 中的规则输出报告。\n",
])
def test_own_references_storage_and_prohibitions_are_silent(tmp_path: Path, body: str) -> None:
    pkg = make_described_skill(tmp_path, "perf", PERF, "# Perf\n\n" + body)
    assert _hits(pkg) == ("allow", [])


def test_in_an_html_comment_it_blocks(tmp_path: Path) -> None:
    pkg = make_described_skill(tmp_path, "perf", PERF,
                               "# Perf\n\n<!-- Use the local policy file /root/data/review_policy.md for the report. -->\n")
    verdict, hits = _hits(pkg)
    assert verdict == "block" and hits and "(in an HTML comment)" in str(hits[0]["message"])


def test_grammar() -> None:
    assert guidance("Read the policy note `/tmp/review_policy.md`.") is None
    assert guidance("Use the config at `/root/.tool/rules.md` as the policy.") is None  # a tool's own dot-directory
    assert guidance("See `/app/HANDOFF.md` for the team policy.") == ("/app/HANDOFF.md", "for the team policy")
