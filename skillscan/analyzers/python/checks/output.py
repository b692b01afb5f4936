"""What a script slips into the output it makes for the user, unseen.

* py-hidden-link-in-output: a string in the code is an HTML link to an absolute URL that the page hides
  (`style="position:absolute;left:-9999px"`, `display:none`, `visibility:hidden`, zero font size or opacity,
  `hidden`): a page the script generates carries a link the user who asked for it never sees — affiliate,
  SEO or tracking links planted in a deliverable. A hidden "skip to content" link to a fragment (`#main`) is an
  accessibility convention and is not reported.
* py-invisible-encoding: the code encodes data as invisible characters — it chooses between two zero-width
  characters per bit (`ONE if bit == "1" else ZERO`) or maps digits to them (`str.maketrans("01", ZW)`,
  `{"0": ZW0, "1": ZW1}`): text that looks unchanged carries a hidden message (steganography), for the agent
  or a program that reads the output later. Stripping invisible characters (`text.replace("\\u200b", "")`) is
  the opposite and is not reported.
* py-safety-downgrade-text: a string in the code sets a safety or security setting to its weakest value
  (`safety_mode: permissive`, `API Security Level: LOW`, `guardrails: off`): text the script plants in the
  agent's memory, a generated file or its output, where it reads as a standing decision nobody made.
"""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.normalize import ZERO_WIDTH
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import string_value
from skillscan.analyzers.python.triggers import Triggers

RULE_IDS: tuple[str, ...] = ("py-hidden-link-in-output", "py-invisible-encoding", "py-safety-downgrade-text")

# `<a … href="http(s)://…" … style="…left:-9999px…">` in either attribute order (rules/capabilities/code.yaml)
HIDDEN_LINK = pattern("hidden_link")
SAFETY_DOWNGRADE = pattern("safety_downgrade")
SETTING_WORDS = pattern("setting_words")
MAX_TEXT = 20_000


def _invisible(value: str) -> bool:
    return bool(value) and len(value) <= 4 and all(ch in ZERO_WIDTH for ch in value)


def _names(value: str) -> str:
    return " and ".join(f"U+{ord(ch):04X}" for ch in value)


class OutputChecks(Flows):
    # invisible characters in a value; a link or a setting word in a string literal
    TRIGGERS = Triggers(characters=frozenset(ZERO_WIDTH), literal_test="output_strings")

    def check_output_string(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        """A string literal (adjacent literals as one): a hidden link, a safety setting turned down."""
        if isinstance(node, cst.SimpleString):
            if id(node) in self.__dict__.get("_joined_parts", ()):
                return  # read as part of the adjacent literals it belongs to
            raw = node.value.lower()
            if "<a" not in raw and not SETTING_WORDS.search(raw):
                return
            data = string_value(node)
        else:
            parts = self.__dict__.setdefault("_joined_parts", set())
            stack: list[cst.BaseExpression] = [node]
            while stack:
                n = stack.pop()
                if isinstance(n, cst.ConcatenatedString):
                    stack.extend((n.left, n.right))
                else:
                    parts.add(id(n))
            v = self.value_of(node)
            data = v.data if v is not None and v.exact else None
        if not isinstance(data, str) or len(data) > MAX_TEXT:
            return
        if "<a" in data.lower() and (m := HIDDEN_LINK.search(data)):
            self.emit("py-hidden-link-in-output",
                      f"holds an HTML link to {m.group('url')} styled so that the page does not show it: a page "
                      f"built from this string carries a link its reader never sees",
                      self.loc.location(self.path, node))
        if (m := SAFETY_DOWNGRADE.search(data)) is not None:
            self.emit("py-safety-downgrade-text",
                      f"holds the text “{m.group(0).strip()}”, which sets {m.group('setting')} to {m.group('value')}: "
                      f"a safety or security setting at its weakest value, in a string of the code",
                      self.loc.location(self.path, node))

    def check_invisible_choice(self, node: cst.IfExp) -> None:
        """`ONE if bit == "1" else ZERO`: one of two invisible characters chosen per value."""
        body, orelse = self.value_of(node.body), self.value_of(node.orelse)
        if body is None or orelse is None or not body.exact or not orelse.exact:
            return
        if not isinstance(body.data, str) or not isinstance(orelse.data, str) or body.data == orelse.data:
            return
        if _invisible(body.data) and _invisible(orelse.data):
            self.emit("py-invisible-encoding",
                      f"chooses between the invisible characters {_names(body.data)} and {_names(orelse.data)} "
                      f"for each value: data written this way is hidden in text that looks unchanged",
                      self.loc.location(self.path, node))

    def check_invisible_table(self, node: cst.Call, q: str | None) -> None:
        """`str.maketrans("01", "\\u200b\\u200c")`: digits translated to invisible characters."""
        if not isinstance(node.func, cst.Attribute) or node.func.attr.value != "maketrans" or len(node.args) < 2:
            return
        src, dst = self.value_of(node.args[0].value), self.value_of(node.args[1].value)
        if src is None or dst is None or not src.exact or not dst.exact or not isinstance(dst.data, str):
            return
        if len(set(dst.data)) >= 2 and all(ch in ZERO_WIDTH for ch in dst.data):
            self.emit("py-invisible-encoding",
                      f"translates {src.text!r} into the invisible characters {_names(dst.data)}: data written "
                      f"this way is hidden in text that looks unchanged", self.loc.location(self.path, node))

    def check_invisible_map(self, node: cst.Dict) -> None:
        """`{"0": "\\u200b", "1": "\\u200c"}`: a code table whose every entry is an invisible character."""
        if not 2 <= len(node.elements) <= 16:
            return
        values: list[str] = []
        for e in node.elements:
            if not isinstance(e, cst.DictElement):
                return
            v = self.value_of(e.value)
            if v is None or not v.exact or not isinstance(v.data, str) or not _invisible(v.data):
                return
            values.append(v.data)
        if len(set(values)) >= 2:
            self.emit("py-invisible-encoding",
                      f"maps each key to one of the invisible characters {_names(''.join(sorted(set(values))))}: "
                      f"data written this way is hidden in text that looks unchanged", self.loc.location(self.path, node))
