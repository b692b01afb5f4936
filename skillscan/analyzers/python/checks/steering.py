"""py-outside-file-steers-output: a script that tests whether a specific data file outside the package
exists — at a fixed path under a written-out home directory (`/root/`, `/home/<user>/`,
`/Users/<user>/`) or a data or mount root (`/data/`, `/mnt/`, `/app/`, `/workspace/`, `/srv/`,
`/opt/`), with a data or document extension, not in a tool's dot-directory — and reads it. The code
counterpart of the instructions rule outside-file-steers-output: whoever can place that file decides
what the script works from, and the user never handed it over."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.lazyre import lazy
from skillscan.model import Location

RULE_IDS: tuple[str, ...] = ("py-outside-file-steers-output",)

OUTSIDE_DATA_FILE = lazy(
    r"^(?:/root|/home/[^/\s]+|/Users/[^/\s]+|/data|/mnt|/app|/workspace|/srv|/opt)/(?:[^/\s.][^/\s]*/)*"
    r"[^/\s.][^/\s]*\.(?:json|jsonl|ya?ml|toml|txt|md|csv|tsv|xml|html?|ini)$")
EXISTS_METHODS = ("exists", "is_file", "isfile")
READS = ("open", "read_text", "read_bytes", "read_csv", "read_json", "read_excel", "read_parquet")
MAX_PATHS = 16


class SteeringChecks(Flows):
    # a report needs an existence test
    TRIGGERS = Triggers(words=frozenset(EXISTS_METHODS))

    def note_existence_test(self, node: cst.Call, q: str | None) -> None:
        """`Path(P).exists()`, `p.is_file()`, `os.path.exists(P)`, `os.path.isfile(P)` on a literal outside path
        (`q` is None for a method of a value whose type the core does not name, such as a loop variable)."""
        name = _method(node, q)
        if name not in EXISTS_METHODS:
            return
        target: cst.BaseExpression | None = None
        if q is not None and q.startswith("os.path.") and node.args:
            target = node.args[0].value
        elif isinstance(node.func, cst.Attribute) and not node.args:
            target = node.func.value
        v = self.value_of(target) if target is not None else None
        if v is None or not v.exact or not isinstance(v.data, str):
            return
        path = v.data
        if OUTSIDE_DATA_FILE.match(path):
            tested = self.__dict__.setdefault("_outside_tested", {})
            if path not in tested and len(tested) < MAX_PATHS:
                tested[path] = self.loc.location(self.path, node)

    def note_read_call(self, node: cst.Call, q: str | None) -> None:
        """The literal path a read opens: `open(P)`, `pd.read_csv(P)`, `Path(P).read_text()`, `p.open()`."""
        name = _method(node, q)
        if name not in READS:
            return
        if isinstance(node.func, cst.Attribute) and not (q or "").startswith(("pandas.", "json.", "yaml.", "io.")) \
                and name in ("read_text", "read_bytes", "open"):
            target: cst.BaseExpression | None = node.func.value
        else:
            target = node.args[0].value if node.args else None
        v = self.value_of(target) if target is not None else None
        if v is not None and v.exact and isinstance(v.data, str) and OUTSIDE_DATA_FILE.match(v.data):
            read = self.__dict__.setdefault("_outside_read", set())
            if len(read) < MAX_PATHS:
                read.add(v.data)

    def finish_steering(self) -> None:
        tested: dict[str, Location] = self.__dict__.get("_outside_tested", {})
        read: set[str] = self.__dict__.get("_outside_read", set())
        for path, loc in tested.items():
            if path not in read:
                continue
            self.emit("py-outside-file-steers-output",
                      f"reads `{path}`, a data file outside the package at a fixed path, when that file exists",
                      loc)


def _method(node: cst.Call, q: str | None) -> str:
    if q is not None:
        return q.rsplit(".", 1)[-1]
    return node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
