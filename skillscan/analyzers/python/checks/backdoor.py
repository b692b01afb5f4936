"""py-hardcoded-password-bypass: an `if` that returns True when a password-like value equals (or starts or ends
with) a fixed string written in the code — `if plain == SUPPORT_KEY or plain.endswith("#sup0rt"): return True`
before the real comparison. Whoever knows the string passes the check whatever the stored credential is: a
backdoor, whether the package runs it or tells the agent to put it into the code it generates (a fence of an
instruction file is read as code too).

Only a name that says it holds a secret (`password`, `passwd`, `pwd`, `passphrase`, `secret`, `pin`, `plain`)
counts, compared with a known string of MIN_FIXED_SECRET characters or more, in an `if` whose body returns True
within its first statements."""

from __future__ import annotations

import re

import libcst as cst

from skillscan.analyzers.code_vocab import MIN_FIXED_SECRET, SECRET_NAME, password_bypass_message
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers

RULE_IDS: tuple[str, ...] = ("py-hardcoded-password-bypass",)

MAX_BODY = 3  # statements of the `if` body looked at for the `return True`


def _name_of(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _returns_true(body: cst.BaseSuite) -> bool:
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for stmt in list(lines)[:MAX_BODY]:
        small = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else \
            stmt.body if isinstance(stmt, cst.SimpleStatementSuite) else []
        for s in small:
            if isinstance(s, cst.Return) and isinstance(s.value, cst.Name) and s.value.value == "True":
                return True
    return False


class BackdoorChecks(Flows):
    # a name that says it holds a secret: the check reads nothing else
    TRIGGERS = Triggers(patterns=(re.compile(r"(?i)pass|pwd|secret|plain|pin\b|_key\b|_code\b"),))

    def check_password_bypass(self, node: cst.If) -> None:
        if not _returns_true(node.body):
            return
        found = self._fixed_secret_test(node.test, 0)
        if found is None:
            return
        self.emit("py-hardcoded-password-bypass", password_bypass_message(found, "True"),
                  self.loc.location(self.path, node.test))

    def _fixed_secret_test(self, test: cst.BaseExpression, depth: int) -> tuple[str, str, str] | None:
        if depth > 8:
            return None
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
            return self._fixed_secret_test(test.left, depth + 1) or self._fixed_secret_test(test.right, depth + 1)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
                isinstance(test.comparisons[0].operator, cst.Equal):
            left, right = test.left, test.comparisons[0].comparator
            for a, b in ((left, right), (right, left)):
                name = _name_of(a)
                if name and SECRET_NAME.search(name):
                    literal = self._fixed(b)
                    if literal is not None:
                        return name, "equals", literal
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and \
                test.func.attr.value in ("endswith", "startswith") and len(test.args) == 1:
            name = _name_of(test.func.value)
            literal = self._fixed(test.args[0].value)
            if name and SECRET_NAME.search(name) and literal is not None:
                return name, "ends with" if test.func.attr.value == "endswith" else "starts with", literal
        return None

    def _fixed(self, node: cst.BaseExpression) -> str | None:
        """A string the code fixes: a literal, or a name bound to one (not an environment value, not unknown)."""
        v = self.value_of(node)
        if v is None or not v.exact or not isinstance(v.data, str) or len(v.data.strip()) < MIN_FIXED_SECRET:
            return None
        return v.data
