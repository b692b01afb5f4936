"""RE2 memory budgets of the instructions engine (issue 23): the detector regexes and cues compile with a
small budget (their DFA caches are live memory of every worker), a regex whose program does not fit keeps
the large one, and a search that outgrows the small DFA cache finds the same matches."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest
import re2

from skillscan.analyzers.instructions import detectors, sabotage_grammar

# 500 Unicode letters: its program needs more than 8 MB and fits in 16 MB; 1,000 needs more than 16 MB
NEEDS_16MB = r"\pL{500}"
NEEDS_32MB = r"\pL{1000}"


def test_the_small_budgets_are_smaller() -> None:
    assert detectors.MAX_MEM < detectors.LARGE_MAX_MEM
    assert sabotage_grammar.CUE_MAX_MEM < sabotage_grammar.CUE_LARGE_MAX_MEM
    assert sabotage_grammar.SET_MAX_MEM < sabotage_grammar.SET_LARGE_MAX_MEM


def test_a_detector_regex_too_large_for_the_small_budget_keeps_the_large_one() -> None:
    with pytest.raises(re2.error):
        re2.compile(NEEDS_16MB, detectors._options())
    regex = detectors.compile_budgeted(NEEDS_16MB)
    assert regex.options.max_mem == detectors.LARGE_MAX_MEM
    assert regex.search("x" + "é" * 500)
    assert detectors.compile_budgeted(r"\bcurl\b").options.max_mem == detectors.MAX_MEM
    with pytest.raises(re2.error):  # too large for both: the detector set reports it as a bad regex
        detectors.compile_budgeted(r"\pL{1000}\pL{1000}")


def test_a_prefilter_regex_too_large_for_the_small_budget_keeps_the_large_one() -> None:
    flt = re2.Filter()
    with pytest.raises(re2.error):
        flt.Add(NEEDS_16MB, detectors._options())
    small = detectors._filter_add(flt, r"\bcurl\b")
    large = detectors._filter_add(flt, NEEDS_16MB)
    flt.Compile()
    assert (small, large) == (0, 1)
    assert flt.re(large).options.max_mem == detectors.LARGE_MAX_MEM
    assert flt.re(large).search("é" * 500)


def test_a_cue_too_large_for_the_small_budget_keeps_the_large_one() -> None:
    cue = sabotage_grammar.union(SimpleNamespace(pattern=NEEDS_16MB))  # type: ignore[arg-type]  # union reads .pattern
    assert cue.compiled.options.max_mem == sabotage_grammar.CUE_LARGE_MAX_MEM
    assert cue.search("é" * 500) and cue.search("abc") is None


def test_a_cue_set_too_large_for_the_small_budget_is_built_with_the_large_one() -> None:
    sources = {NEEDS_32MB: 0, "curl": 1}
    assert sabotage_grammar._cue_set(sources, sabotage_grammar.SET_MAX_MEM) is None
    built = sabotage_grammar._cue_set(sources, sabotage_grammar.SET_LARGE_MAX_MEM)
    assert built is not None
    assert sorted(built.Match(("é" * 1000 + " curl").encode())) == [0, 1, 2]
    index = sabotage_grammar._CueIndex()
    index.add(NEEDS_32MB)
    index.add("curl")
    assert index._set()[0] is not None  # the index falls back to the large budget itself


def test_a_search_that_outgrows_the_small_dfa_cache_finds_the_same_matches() -> None:
    # an 18-letter look-back makes a DFA of up to 2**18 states: far more than 1 MB holds, so RE2 resets its
    # cache and falls back to the NFA; the matches are those of the large budget
    pattern = r"a[ab]{17}c"
    rng = random.Random(5)
    text = "".join(rng.choices("abc", weights=(30, 30, 1), k=100_000))  # long runs of a and b
    small = [m.span() for m in re2.compile(pattern, detectors._options(1 << 20)).finditer(text)]
    large = [m.span() for m in re2.compile(pattern, detectors._options(detectors.LARGE_MAX_MEM)).finditer(text)]
    assert small == large
    assert small == [m.span() for m in re.finditer(pattern, text)]  # no nested repetition: `re` is linear here
