"""One list of sentence detectors (issue 17, hidden prose): every detector of `sentence_detectors.DETECTORS` that
reports a sentence of visible prose reports the same sentence hidden — in an HTML comment, in an element a
rendered page hides (`<div hidden>`), and in text a LaTeX file hides when typeset — with the role `hidden`, at
the sentence's own line, and a message that says where it sits.

The sentences are the rule's own annotated positive samples (`tests/rules/*/…md`, `ruleid:` lines): a detector
added to the list without reading hidden text, or a detector run by the instructions analyzer outside the list
(so not by the LaTeX or hidden-markup readers), fails here."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
from skillscan.analyzers.instructions.sentence_detectors import DETECTORS
from skillscan.loaders.files import make_file
from skillscan.model import Finding, Package

RULES = Path(__file__).parent / "rules"
_ANNOTATION = re.compile(r"<!--\s*(ruleid|ok):\s*([\w-]+)\s*-->")
MAX_SAMPLES = 3  # stand-alone samples tried per rule

# rules whose evidence is more than a sentence: the command the sentence points at must be one the shell
# analyzer read (a fenced block or an inline code span of the visible body), which hidden text does not carry
NOT_A_SENTENCE_ALONE: dict[str, str] = {}


@dataclass(frozen=True)
class Sample:
    name: str
    description: str
    text: str  # the sentence or its section (without annotations)
    source: str


def _frontmatter(text: str) -> dict[str, str]:
    m = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    return dict(re.findall(r"^(name|description):\s*(.*)$", m.group(1), re.MULTILINE)) if m else {}


@lru_cache(maxsize=1)
def samples() -> dict[str, list[Sample]]:
    """rule id → its positive samples: the lines after each `ruleid:` annotation up to the next annotation or
    heading, then (for a sample that needs its context) the whole section when it holds no `ok:` sample."""
    out: dict[str, list[Sample]] = {}
    for path in sorted(RULES.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        fm = _frontmatter(text)
        name, description = fm.get("name", path.parent.name), fm.get("description", "")
        lines = text.split("\n")
        start = 0
        for i, line in enumerate(lines):
            if line.startswith("#"):
                start = i
            m = _ANNOTATION.search(line)
            if m is None or m.group(1) != "ruleid":
                continue
            block: list[str] = []
            for following in lines[i + 1:]:
                if "<!--" in following or following.startswith(("#", "```")):
                    break
                block.append(following)
            own = "\n".join(block).strip()
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("#")), len(lines))
            section = lines[start + 1:end]
            whole = "" if any(_ANNOTATION.search(x) and "ok:" in x for x in section) else "\n".join(
                x for x in section if not _ANNOTATION.search(x) and not x.startswith("```")).strip()
            for candidate in (own, whole):
                if candidate:
                    out.setdefault(m.group(2), []).append(Sample(name, description, candidate, str(path)))
    return out


def _run(sample: Sample, path: str, text: str, rule: str) -> list[Finding]:
    pkg = Package(input=".", root=".", format="agent-skill", name=sample.name,
                  manifest={"description": sample.description})
    return [f for f in InstructionsAnalyzer().analyze_file(pkg, make_file(path, text.encode())).findings
            if f.rule_id == rule]


def _fm(sample: Sample) -> str:
    return f"---\nname: {sample.name}\ndescription: {sample.description}\n---\n"


def _latex(text: str) -> str:
    return text.replace("\\", "\\textbackslash ").replace("%", "\\%")


def _rules() -> list[str]:
    return [rule for d in DETECTORS for rule in sys.modules[d.fn.__module__].RULE_IDS]


def test_every_sentence_detector_has_rule_ids() -> None:
    assert len(_rules()) == len(DETECTORS)
    assert len(set(_rules())) == len(_rules())
    assert set(NOT_A_SENTENCE_ALONE) <= set(_rules())


@pytest.mark.parametrize("rule", [r for r in _rules() if r not in NOT_A_SENTENCE_ALONE])
def test_a_sentence_reported_in_visible_prose_is_reported_hidden(rule: str) -> None:
    fired = 0
    for sample in samples().get(rule, []):
        if fired >= MAX_SAMPLES:
            break
        visible = _run(sample, "SKILL.md", _fm(sample) + f"# Skill\n\n{sample.text}\n", rule)
        if not visible:
            continue  # the sample needs more than itself (a fence, a command): not a sentence alone
        fired += 1
        n = sample.text.count("\n")
        where = f"{sample.source}: {sample.text[:80]!r}"
        # lines 10..10+n: in an HTML comment, an element a rendered page hides, text LaTeX hides when typeset
        forms = {
            "comment": ("SKILL.md", _fm(sample) + f"# Skill\n\nDo the task.\n\n<!--\n{sample.text}\n-->\n",
                        "(in an HTML comment)"),
            "element": ("SKILL.md", _fm(sample) + f"# Skill\n\nDo the task.\n\n<div hidden>\n{sample.text}\n</div>\n",
                        "(in markup the rendered page hides)"),
            "latex": ("templates/t.tex", "\\begin{document}\nA\nB\nC\nD\nE\nF\nG\n\\textcolor{white}{\n"
                      + _latex(sample.text) + "}\n\\end{document}\n", "(in text LaTeX markup hides from the typeset page)"),
        }
        if "{" in sample.text or "}" in sample.text:
            del forms["latex"]  # braces are LaTeX groups: the sample cannot be written verbatim in a .tex file
        for form, (path, text, said) in forms.items():
            got = _run(sample, path, text, rule)
            assert got, f"{rule} reports {where} in visible prose but not in {form}"
            assert all(f.role == "hidden" for f in got), (form, [f.role for f in got])
            assert all(10 <= f.location.line <= 10 + n for f in got), (form, [f.location.line for f in got])
            assert said in got[0].message, f"{rule} in {form}: {got[0].message!r} does not say {said}"
    assert fired, f"{rule} has no annotated sample that it reports as a sentence alone (tests/rules)"
