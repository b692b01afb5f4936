"""The semgrep pre-filter (skillscan/analyzers/semgrep_prefilter.py): every shipped rule is read whole, the
conditions are derived from the rules' own patterns, and no file semgrep matches is ever left out of the
rule that matches it (real semgrep, on the rule samples, the fixtures' code and constant-folding tricks)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from skillscan.analyzers import semgrep_prefilter as pf
from skillscan.analyzers.semgrep import SemgrepAnalyzer, Target, semgrep_rules_dir, wants
from skillscan.loaders.files import make_file
from skillscan.model import Package

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "rules" / "semgrep"

# semgrep folds constants: these match rules whose identifiers or strings are not written out whole
FOLDED = {
    "split-module.js": 'const m = "child_" + "process";\nconst cp = require(m);\ncp.exec("ls");\n',
    "split-inline.js": 'const cp = require("child_" + `process`);\ncp.execSync("id");\n',
    "split-path.js": 'const fs = require("fs");\nconst a = "/home/u/.bash";\nconst p = a + "rc";\nfs.appendFileSync(p, "x");\n',
    "template-path.js": 'const fs = require("fs");\nconst d = "/home/u";\nfs.appendFileSync(`${d}/.bashrc`, "x");\n',
    "split-push.js": 'const p = "pu" + "sh", s = "sh" + "ift";\narr[p](arr[s]());\n',
    "split-secret.js": 'const fs = require("fs");\nconst k = "/root/.s" + "sh/id_rsa";\nfs.readFileSync(k);\n',
    "escaped.js": 'const fs = require("fs");\nfs.appendFileSync("/home/u/\\x2ebashrc", "x");\n',
    "computed.js": 'const cp = require("child_process");\ncp["ex" + "ec"]("ls");\nwindow["fe" + "tch"]("https://a.example/");\n',
    # digits may come from a number literal: each run of the name without digits is still a string piece
    "digit-split.js": 'const fs = require("fs");\nconst n = 4;\nconst db = "/home/u/prof/key" + n + ".db";\n'
                      'fs.readFileSync(db);\n',
    "plain.js": "const a = 1;\nfunction add(x, y) { return x + y; }\n",
    # a called name written apart from its arguments
    "call-gaps.js": "const a = (require)(name);\nconst b = require /* c */ (name);\nconst c = require\n  (other);\n"
                    "import (name).then(m => m);\nconst d = eval?.(code);\n",
    "esm-only.ts": 'import { readFile } from "node:fs/promises";\nexport const x = await readFile("a.txt", "utf8");\n',
}


def _rules() -> pf.RuleSet:
    return pf.load(semgrep_rules_dir())


def test_every_shipped_rule_is_read_whole_and_filters_something() -> None:
    rules = _rules()
    assert rules.unknown == (), "a semgrep rule uses an operator the pre-filter does not know: teach it"
    assert len(rules.rules) >= 13
    for rid, _, need in rules.rules:
        assert not need.always, f"{rid} would run on every file"


def test_an_operator_the_filter_does_not_know_makes_the_rule_run_everywhere() -> None:
    for rule in ({"id": "r", "languages": ["js"], "pattern-regex": "eval\\("},
                 {"id": "r", "languages": ["js"], "patterns": [{"metavariable-pattern": {"metavariable": "$X"}}]},
                 {"id": "r", "languages": ["js"], "mode": "taint", "pattern-sources": [{"pattern": "a()"}],
                  "pattern-sinks": [{"pattern": "b($X)"}], "pattern-propagators": [{"pattern": "c($X)"}]}):
        need, unknown = pf.rule_condition(rule)
        assert need.always and unknown


def test_conditions_come_from_the_patterns() -> None:
    need, _ = pf.rule_condition({"id": "r", "languages": ["js"], "patterns": [
        {"pattern-either": [{"pattern": "$X.launch($Y)"}, {"pattern": "rocket.fire(...)"}]},
        {"pattern-not": "$X.launch(1)"},
        {"metavariable-regex": {"metavariable": "$Y", "regex": "^(now|soon)$"}}]})
    holds = lambda text: need.holds(pf.Text(text))
    assert holds("x.launch(now)") and holds("rocket.fire(now)")
    assert not holds("x.launch(later)")  # the metavariable-regex alternatives are identifiers
    assert not holds("x.launched(now)")  # whole identifiers, not parts of one
    assert not holds("rocket.fir(now)")


def test_strings_are_matched_through_constant_folding() -> None:
    need = pf._pattern('require("=~/^child_process$/")')
    holds = lambda text: need.holds(pf.Text(text))
    assert holds('require("child_process")')
    assert holds('require("child_" + "process")')
    assert holds('require(`chi${rest}`)')
    assert not holds('require("child-process")')
    split = pf._string("push")
    assert split.holds(pf.Text('x["pu" + "sh"]')) and split.holds(pf.Text('x[`p${"ush"}`]'))
    assert not split.holds(pf.Text('y = "p"; z = "q"'))  # a piece ends with "p", but none starts with "u"
    digits = pf._string("key4.db")  # each run without digits is required: `key` and `.db`
    assert digits.holds(pf.Text('p = "key" + 4 + ".db"')) and digits.holds(pf.Text('p = "key4.db"'))
    assert not digits.holds(pf.Text('p = "key" + 4 + ".json"')) and not digits.holds(pf.Text('p = "x.db"'))
    assert not holds("require(name)")


def test_a_called_name_is_a_call_in_any_spelling() -> None:
    need = pf._pattern("require($X)")
    for text in ("require(x)", "require (x)", "(require)(x)", "require?.(x)", "require /* c */ (x)", "require`x`",
                 "require<T>(x)", "require\n // c\n (x)"):
        assert need.holds(pf.Text(text)), text
    for text in ('import x from "y"', "const r = require;", "x.requires(y)"):
        assert not need.holds(pf.Text(text)), text
    assert pf._pattern("$X.fetch(...)") == pf.Condition.atom("id", "fetch")  # a method: any spelling of the name
    assert pf._pattern("new Function(...)") == pf.Condition.atom("id", "Function")  # `new Function;` is a call


def test_a_file_no_rule_can_match_starts_no_semgrep_process() -> None:
    analyzer = SemgrepAnalyzer()
    p = Package(input="p", root="p", format="generic", name="p",
                files=(make_file("a.js", FOLDED["plain.js"].encode()),))
    assert analyzer.analyze_batch([p]) == [[]]
    assert analyzer.runs == 0


def _corpus() -> dict[str, str]:
    """The rule samples, the fixtures' JavaScript/TypeScript/package.json files and the folding tricks."""
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted(SAMPLES.iterdir())}
    for path in sorted((REPO / "fixtures").rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            f = make_file(path.name, path.read_bytes())
            if wants(f) and f.text is not None:
                out[f"fx{len(out)}{path.suffix}"] = f.text
    out.update(FOLDED)
    return out


def test_no_file_semgrep_matches_is_left_out_of_its_rule() -> None:
    """Real semgrep over every file with every rule (no filter): each match is on a file the filter gives
    that rule."""
    corpus = _corpus()
    files = {name: make_file(name, text.encode("utf-8")) for name, text in corpus.items()}
    targets = [Target(0, f, f"f{i}{Path(name).suffix if Path(name).suffix in ('.js', '.ts', '.json') else '.js'}",
                      (f.text or "").encode("utf-8")) for i, (name, f) in enumerate(sorted(files.items()))]
    analyzer = SemgrepAnalyzer()
    needed = analyzer.needed(targets)
    with tempfile.TemporaryDirectory() as tmp:
        matches, _ = analyzer.run_batch(targets, Path(tmp), 1)
    assert len({m.target.name for m in matches}) >= 15  # the comparison is not vacuous
    missed = sorted({(m.target.file.path, m.rule_id) for m in matches if m.rule_id not in needed.get(m.target.name, ())})
    assert missed == []
    # and the filter does leave work out: files no rule can match, rules a file cannot match
    assert "plain.js" not in {t.file.path for t in targets if t.name in needed}
    assert sum(len(v) for v in needed.values()) < len(needed) * len(_rules().rules) / 2
    # the folding tricks semgrep matches are kept
    assert {(m.target.file.path, m.rule_id) for m in matches} >= {
        ("split-module.js", "js-child-process"), ("split-path.js", "js-persistence-write"),
        ("template-path.js", "js-persistence-write"), ("split-push.js", "js-obfuscated-string-array"),
        ("call-gaps.js", "js-dynamic-require"), ("digit-split.js", "js-secret-store-read")}
    assert "esm-only.ts" not in {t.file.path for t in targets if t.name in needed}


def test_filtered_run_gives_the_same_matches() -> None:
    """The same files through semgrep with and without the per-rule file lists."""
    corpus = _corpus()
    targets = [Target(0, make_file(name, text.encode()), f"f{i}.json" if name.endswith(".json") else f"f{i}.js",
                      text.encode("utf-8")) for i, (name, text) in enumerate(sorted(corpus.items()))]
    analyzer = SemgrepAnalyzer()
    needed = analyzer.needed(targets)
    with tempfile.TemporaryDirectory() as tmp:
        full, _ = analyzer.run_batch(targets, Path(tmp), 1)
        kept = [t for t in targets if t.name in needed]
        filtered, _ = analyzer.run_batch(kept, Path(tmp), 1, needed)
    key = lambda m: (m.target.name, m.rule_id, m.start, m.end)
    assert sorted(map(key, filtered)) == sorted(map(key, full))
    assert len(full) >= 20
