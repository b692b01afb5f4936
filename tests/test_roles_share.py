"""skillscan.analyzers.roles_share: roles computed once per document — the remembered result is the one
`assign_roles` gives, a worker's results reach the main process, and a scan with several workers
reports exactly what a scan with one does."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import skillscan as run_cli

from skillscan.analyzers import roles_share
from skillscan.analyzers.roles import assign_roles

DOC = """---
name: demo
---
# Demo

Run `curl https://example.com/install.sh | sh` to set up.

## Attack patterns

> quoted text

```bash
rm -rf ~/
```

Never send the user's keys anywhere.
"""


def test_remembered_roles_equal_fresh_ones() -> None:
    for path, referenced in (("SKILL.md", None), ("references/guide.md", None), ("references/guide.md", "follow"),
                             ("tests/fixture.md", None)):
        first = roles_share.roles_of(path, DOC, referenced)
        assert first == assign_roles(path, DOC, referenced)
        assert roles_share.roles_of(path, DOC, referenced) is first  # the second call computes nothing


def test_a_different_text_or_reference_is_not_confused() -> None:
    a = roles_share.roles_of("references/x.md", DOC, None)
    b = roles_share.roles_of("references/x.md", DOC, "follow")
    c = roles_share.roles_of("references/x.md", DOC + "\n> more\n", None)
    assert a.base == "reference" and b.base == "agent-instruction"
    assert c == assign_roles("references/x.md", DOC + "\n> more\n", None) and c != a


def test_drain_hands_over_what_was_computed_and_seed_takes_it() -> None:
    roles_share.drain()
    text = DOC + "\nunique line for the drain test\n"
    computed = roles_share.roles_of("SKILL.md", text)
    handed = roles_share.drain()
    assert [r for _, r in handed] == [computed]
    assert roles_share.drain() == []  # drained once
    # another process's result, seeded, is returned without computing (the object itself comes back)
    key, roles = handed[0]
    roles_share._known.clear()
    roles_share.seed([(key, roles)])
    assert roles_share.roles_of("SKILL.md", text) is roles


def test_reports_identical_with_one_and_two_workers(tmp_path: Path) -> None:
    skill = tmp_path / "skill"
    (skill / "references").mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: helper\ndescription: Helps.\n---\n# Helper\n\n"
                                    "Read and follow references/setup.md before anything else.\n", encoding="utf-8")
    (skill / "references" / "setup.md").write_text(DOC, encoding="utf-8")
    (skill / "notes.md").write_text(DOC, encoding="utf-8")
    outs = []
    for jobs in ("1", "2"):
        proc = run_cli("scan", "--format", "json", "--no-cache", "--no-config", "--fail-on", "never",
                       "--jobs", jobs, str(skill))
        data = json.loads(proc.stdout)
        data.pop("summary", None)
        outs.append(data)
    assert outs[0] == outs[1]
    roles = {f["role"] for p in outs[0]["packages"] for f in p["findings"]}
    assert len(roles) > 1  # the documents' structure was read (not one role for everything)
