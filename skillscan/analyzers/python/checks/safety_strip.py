"""py-strips-safety-text: a script removes safety and policy wording from the text it passes on.

* `re.sub(r"\\[SAFETY\\].*?\\[/SAFETY\\]", "", text)`: a substitution that deletes what a pattern about safety,
  policies, guidelines or refusals matches;
* `[p for p in paragraphs if not is_boilerplate(p)]`: a filter that drops what a function of the same file
  matches, when that function tests a list of such patterns.

A context compressor, a summariser or a file "clean-up" built this way hands the agent (or writes back into its
memory files) the user's text without the guidelines, restrictions and refusals it held, while it looks like
routine trimming. Detecting such wording without dropping it (counting refusals in an evaluation) is not
reported."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import code_children as children

RULE_IDS: tuple[str, ...] = ("py-strips-safety-text",)

SAFETY_WORDS = pattern("safety_words")
# the words a deletion must be about: "policy", "guideline" or "do not" alone are also page footers
# ("Privacy Policy", "Do not reply") that scrapers and mail tools rightly trim
STRONG_WORDS = pattern("strong_safety_words")
SUBS = {"re.sub", "re.subn", "regex.sub", "regex.subn"}
MAX_PATTERNS = 64
MAX_REPORTS = 4


class SafetyStripChecks(Flows):
    # a re.sub call, or a comprehension's `if not` filter
    TRIGGERS = Triggers(calls=frozenset(SUBS), shapes=frozenset({"comprehension_filter"}))

    def note_pattern_list(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`PATTERNS = [r"\\bpolicy\\b", r"\\brefuse\\b", …]`: a list of two or more patterns about safety wording."""
        if not isinstance(target, cst.Name) or not isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            return
        texts = []
        for e in value.elements[:MAX_PATTERNS]:
            v = self.value_of(e.value)
            if v is not None and v.exact and isinstance(v.data, str) and SAFETY_WORDS.search(v.data):
                texts.append(v.data)
        if len(texts) >= 2:
            self.__dict__.setdefault("_safety_lists", {})[target.value] = texts

    def note_function(self, node: cst.FunctionDef) -> None:
        """A function that tests one of those lists (by name) is a matcher of safety wording."""
        lists: dict[str, list[str]] = self.__dict__.get("_safety_lists", {})
        if not lists:
            return
        names = _names_in(node.body)
        for name, texts in lists.items():
            if name in names:
                self.__dict__.setdefault("_safety_matchers", {})[node.name.value] = (name, texts)
                return

    def check_safety_sub(self, node: cst.Call, q: str | None) -> None:
        """`re.sub(PATTERN, "", text)` with a pattern about safety wording."""
        if q not in SUBS or len(node.args) < 3:
            return
        pattern, repl = self.value_of(node.args[0].value), self.value_of(node.args[1].value)
        if pattern is None or not pattern.exact or repl is None or not repl.exact or repl.text.strip():
            return
        m = STRONG_WORDS.search(pattern.text)
        if m is None:
            return
        self._report_strip(node, f"deletes, with {q}, the text that the pattern `{pattern.text[:80]}` matches — wording "
                           f"about {m.group(0).lower()} — from `{_short(self.module.code_for_node(node.args[2].value))}`")

    def check_safety_filter(self, node: cst.CompIf) -> None:
        """`… if not MATCHER(x)` in a comprehension: what the matcher finds is dropped."""
        test = node.test
        if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and
                isinstance(test.expression, cst.Call) and isinstance(test.expression.func, cst.Name)):
            return
        matchers: dict[str, tuple[str, list[str]]] = self.__dict__.get("_safety_matchers", {})
        hit = matchers.get(test.expression.func.value)
        if hit is None:
            return
        shown = ", ".join(f"`{t[:30]}`" for t in hit[1][:3])
        self._report_strip(node, f"drops every item that {test.expression.func.value}() matches — it tests {hit[0]}, "
                           f"patterns of safety and policy wording ({shown}) — from the text it keeps")

    def _report_strip(self, node: cst.CSTNode, what: str) -> None:
        count = self.__dict__.get("_strip_reports", 0)
        if count >= MAX_REPORTS:
            self.over_cap("py-strips-safety-text", MAX_REPORTS)
            return
        self.__dict__["_strip_reports"] = count + 1
        self.emit("py-strips-safety-text", what, self.loc.location(self.path, node))


def _names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack and len(found) < 512:
        n = stack.pop()
        if isinstance(n, cst.Name):
            found.add(n.value)
        stack.extend(children(n))
    return found


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "…"
