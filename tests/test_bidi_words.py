"""Bidi controls in source and data files (Trojan Source, CVE-2021-42574): reported when they reorder words
the reader sees; a scanner's own table of the controls, written raw in a regex or a set, reorders nothing."""

from __future__ import annotations

import pytest

from skillscan.analyzers.instructions.unicode import hidden_unicode_only
from skillscan.analyzers.normalize import reorders_words

LRE, RLO, PDF, LRI, PDI = "\u202a", "\u202e", "\u202c", "\u2066", "\u2069"

TABLES = [
    f'SMUGGLE = re.compile(r"[\u200b-\u200f{LRE}-{RLO}\u2060-\u206f\U000e0000-\U000e007f]")',
    f'SMUGGLE = re.compile(r"[\u200b-\u200f{LRE}-{RLO}\u2060-\u206f\\U000e0000-\\U000e007f]")',
    f'BIDI = {{"{LRE}", "{RLO}", "{PDF}"}}',
    f"CONTROLS = '{LRI}{PDI}'  # isolates",
]
ATTACKS = [
    # stretched string: the comparison looks like it ends before the comment
    f'if access_level != "user{RLO} {LRI}# Check if admin{PDI} {LRI}":',
    # commenting out: the return looks like part of a comment
    f"    # ok {RLO} {LRI}return True{PDI} {LRI}",
    f'cmd = "ls"  {RLO}; rm -rf ~{PDF}',
    f'x = "{RLO}\\x41"; os.system(cmd)',
]


@pytest.mark.parametrize("line", TABLES)
def test_a_table_of_controls_reorders_no_word(line: str) -> None:
    assert not reorders_words(line)
    assert not [f for f in hidden_unicode_only("scripts/agent.py", f"import re\n{line}\n")
                if f.rule_id == "bidi-control-characters"]


@pytest.mark.parametrize("line", ATTACKS)
def test_controls_that_move_words_are_reported(line: str) -> None:
    assert reorders_words(line)
    (f,) = [f for f in hidden_unicode_only("src/auth.py", f"def check(access_level):\n{line}\n")
            if f.rule_id == "bidi-control-characters"]
    assert f.location.line == 2
