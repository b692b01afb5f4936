"""Properties of skillscan.analyzers.roles and skillscan.purpose on arbitrary (hostile) input: the
regions always cover every line exactly once with a known role, and nothing raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skillscan.analyzers.roles import ROLES, assign_roles, split_lines
from skillscan.purpose.locations import KINDS, classify_agent_path
from skillscan.purpose.paths import normalize_path
from skillscan.purpose.stated import stated_purpose

PIECES = st.sampled_from([
    "# T\n", "## Red flags\n", "## 用法\n", "```bash\n", "```\n", "~~~text\n", "> quote\n", "> [!NOTE]\n",
    "<!-- c -->\n", "<!--\n", "-->\n", "| Pattern | Severity |\n|---|---|\n| a | b |\n", "Never do it.\n",
    "不要这样做。\n", "Run this in your terminal:\n", "---\nname: x\n---\n", "- item\n", "    indented\n", "\n",
    "\u202e\n", "a\u2028b\x0cc\n", "\r", "text <!-- inline --> more\n", "\r\n", "plain line\n",
])
TEXTS = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=400))
PATHS = st.sampled_from(["SKILL.md", "references/x.md", "tests/a.md", "agents/a.md", "README.md", "x.py", "a/b/c.md"])


@settings(max_examples=300, deadline=None)
@given(PATHS, TEXTS, st.sampled_from([None, "entry", "follow", "link", "none"]))
def test_regions_partition_the_lines(path: str, text: str, referenced: str | None) -> None:
    doc = assign_roles(path, text, referenced)
    n = len(split_lines(text))
    covered = [i for r in doc.regions for i in range(r.start, r.end + 1)]
    assert covered == list(range(1, n + 1))
    assert all(r.role in ROLES for r in doc.regions)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.text(max_size=30))
def test_paths_never_raise(path: str, name: str) -> None:
    normalize_path(path)
    assert classify_agent_path(path, name).kind in KINDS


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=300), st.text(max_size=60),
       st.lists(st.text(max_size=30), max_size=5), st.lists(st.text(max_size=40), max_size=5))
def test_stated_purpose_never_raises(name: str, description: str, homepage: str, env: list[str],
                                     hosts: list[str]) -> None:
    purpose = stated_purpose(name=name, description=description, homepage=homepage, env=env, hosts=hosts)
    assert all(s.evidence for s in purpose.services)
