"""py-ranking-favours-entity: a score, rank or rating the script computes is raised (or lowered) for one named
commercial entity — a ticker, brand, vendor, product, seller, fund, coin, candidate — because of who it is, not
of what the data says:

    if row["ticker"] == PREFERRED:          # or `in PREFERRED_SET`
        score += 0.18
    adjusted = item["score"] + (boost if item["brand"] in preferred else 0)

A skill asked to rank, compare or recommend then returns a ranking skewed toward whoever wrote the constant or the
package's data file, presented as the result of its method. Comparisons with a value the user passes (a function
parameter) are the user's own preference and are not reported; nor are boosts keyed on other properties (a file
type, a language, a field being present)."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.python.checks.deferred import DeferredReports
from skillscan.analyzers.python.triggers import Triggers, finite_language
from skillscan.lazyre import lazy
from skillscan.model import Location

RULE_IDS: tuple[str, ...] = ("py-ranking-favours-entity",)

ENTITY_KEY = pattern("entity_key")
SCORE_NAME = pattern("score_name")
ENTITY_KEYS = finite_language(ENTITY_KEY)  # every text ENTITY_KEY matches, lower-cased
USER_CHOICE = lazy(r"\b(?:args|argv|options|opts|input|environ|getenv|params|request)\b")
IDENTITY_METHODS = {"upper", "lower", "strip", "casefold", "title"}
MAX_REPORTS = 8


class RankingChecks(DeferredReports):
    # a report needs a score name in the code it cites (SCORE_NAME has no anchors) and an entity field: an
    # attribute or a key ENTITY_KEY matches
    TRIGGERS = Triggers(patterns=(SCORE_NAME,), also=Triggers(words=ENTITY_KEYS, keys=ENTITY_KEYS))

    def _entity_key(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """The entity field an expression reads: `row["ticker"]`, `row.get("ticker", "")`, `item.brand`,
        through `str()` and case methods."""
        if depth > 4:
            return None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            k = self.value_of(node.slice[0].slice.value)
            return k.text if k is not None and k.exact and ENTITY_KEY.match(k.text) else None
        if isinstance(node, cst.Attribute):
            return node.attr.value if ENTITY_KEY.match(node.attr.value) else None
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
                k = self.value_of(node.args[0].value)
                return k.text if k is not None and k.exact and ENTITY_KEY.match(k.text) else None
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in IDENTITY_METHODS:
                return self._entity_key(node.func.value, depth + 1)
            if isinstance(node.func, cst.Name) and node.func.value == "str" and node.args:
                return self._entity_key(node.args[0].value, depth + 1)
        return None

    def _fixed(self, node: cst.BaseExpression) -> str | None:
        """How the compared value is fixed: a literal, or a name the package binds (never a parameter)."""
        v = self.value_of(node)
        if isinstance(node, (cst.SimpleString, cst.List, cst.Tuple, cst.Set)):
            return self.module.code_for_node(node)
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            if b is None or any(t.kind == "param" for t in b.taint) or b.node is None and b.value is None:
                return None
            if isinstance(b.node, cst.CSTNode) and USER_CHOICE.search(self.module.code_for_node(b.node)):
                return None  # the user's own preference: an option, an argument, the environment
            shown = f" ({v.text})" if v is not None and v.exact and len(v.text) <= 40 else ""
            return f"{node.value}{shown}"
        return None

    def _favoured(self, test: cst.BaseExpression) -> tuple[str, str, str] | None:
        """(the entity expression, `equals`/`is in`, the fixed value) of `ENTITY == FIXED` / `ENTITY in FIXED`."""
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        op = test.comparisons[0].operator
        left, right = test.left, test.comparisons[0].comparator
        if isinstance(op, cst.Equal):
            for a, b in ((left, right), (right, left)):
                if self._entity_key(a) and (fixed := self._fixed(b)):
                    return self.module.code_for_node(a), "equals", fixed
        elif isinstance(op, cst.In) and self._entity_key(left) and (fixed := self._fixed(right)):
            return self.module.code_for_node(left), "is in", fixed
        return None

    def check_favoured_if(self, node: cst.If) -> None:
        """`if ENTITY == FIXED: score += N`."""
        fav = self._favoured(node.test)
        if fav is None or not isinstance(node.body, cst.IndentedBlock):
            return
        for stmt in node.body.body[:3]:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AugAssign) and isinstance(small.operator, (cst.AddAssign, cst.SubtractAssign,
                                                                                   cst.MultiplyAssign)):
                    target = self.module.code_for_node(small.target)
                    func = self.funcs[-1].name if self.funcs else ""
                    if SCORE_NAME.search(target) or SCORE_NAME.search(func):  # `score` or `s` in `def score(…)`
                        how = "lowers" if isinstance(small.operator, cst.SubtractAssign) else "multiplies" \
                            if isinstance(small.operator, cst.MultiplyAssign) else "raises"
                        by = self.module.code_for_node(small.value)
                        what = f"{how} `{target}` by {by} when `{fav[0]}` {fav[1]} {fav[2]}"
                        self.defer(small, lambda loc, what=what: self._report_ranking(loc, what))  # further down
                        return

    def check_favoured_sum(self, node: cst.BinaryOperation) -> None:
        """`item["score"] + (boost if ENTITY in FIXED else 0)`, `score * (1.2 if ENTITY == FIXED else 1)`."""
        if not isinstance(node.operator, (cst.Add, cst.Subtract, cst.Multiply)):
            return
        neutral = 1.0 if isinstance(node.operator, cst.Multiply) else 0.0
        for boost, base in ((node.right, node.left), (node.left, node.right)):
            if not isinstance(boost, cst.IfExp):
                continue
            if not (isinstance(boost.orelse, (cst.Integer, cst.Float)) and _number(boost.orelse.value) == neutral):
                continue
            fav = self._favoured(boost.test)
            base_text = self.module.code_for_node(base)
            if fav is not None and SCORE_NAME.search(base_text):
                body = self.module.code_for_node(boost.body)
                what = f"multiplies `{base_text}` by `{body}`" if neutral else f"adds `{body}` to `{base_text}`"
                self._report_ranking(self.loc.location(self.path, node),
                                     f"{what} only when `{fav[0]}` {fav[1]} {fav[2]}")
                return

    def _report_ranking(self, loc: Location, what: str) -> None:
        count = self.__dict__.get("_ranking_reports", 0)
        if count >= MAX_REPORTS:
            self.over_cap("py-ranking-favours-entity", MAX_REPORTS)
            return
        self.__dict__["_ranking_reports"] = count + 1
        self.emit("py-ranking-favours-entity",
                  f"{what}: the score depends on which entity it is, not only on its data", loc)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # 0x10, 0o7: not the neutral 0 or 1 written plainly
        return None
