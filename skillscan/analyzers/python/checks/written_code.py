"""py-runs-written-code: a function writes a computed value (not a literal) to a script file it creates —
`tempfile.NamedTemporaryFile(suffix=".py")`, `open("….sh", "w")` — and runs that file with an
interpreter (`subprocess.run(["python3", path])`), in a file that also decodes base64 or hex data.
Running a script written at run time is `exec` by another name; with a decoder beside it, the code run is
a payload the file carries hidden (decoded, possibly reassembled from pieces), not code a reviewer can
read. A code runner that writes the user's own snippet and runs it has no decoder and is not reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import code_children as children
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("py-runs-written-code",)

SCRIPT_SUFFIX = lazy(r"(?i)\.(?:py|sh|bash|js|mjs|ps1|rb|pl)$")
INTERPRETERS = frozenset({"python", "python3", "python2", "sh", "bash", "zsh", "node", "pwsh", "powershell", "ruby",
                          "perl", "sys.executable"})
RUNNERS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                     "subprocess.Popen", "os.system", "os.popen"})
DECODER = lazy(r"\b(?:b64decode|b32decode|a85decode|decodebytes|fromhex|unhexlify)\b")
MAX_REPORTS = 3


class WrittenCodeChecks(Flows):
    # its own gate: the source names a decoder
    TRIGGERS = Triggers(patterns=(DECODER,))

    def finish_written_code(self, module: cst.Module) -> None:
        source = self.loc.source
        decoder = DECODER.search(source)
        if decoder is None:
            return
        decoded_line = source.count("\n", 0, decoder.start()) + 1
        self.emit_first("py-runs-written-code", MAX_REPORTS, [  # the cap keeps the file's first places
            (self.loc.location(self.path, run),
             f"writes a computed value to a script file (line {self.loc.location(self.path, written).line}) and runs "
             f"it with an interpreter; this file also decodes encoded data (line {decoded_line})", {})
            for nodes in scope_nodes(self, module) for run, written in self._runs(nodes)])

    def _runs(self, nodes: Sequence[cst.CSTNode]) -> list[tuple[cst.Call, cst.CSTNode]]:
        """(run, write) for each script file one scope (`nodes`) writes a computed value to and runs."""
        files: set[str] = set()  # names bound to a script file opened for writing
        for n in nodes:
            if isinstance(n, cst.WithItem) and n.asname is not None and isinstance(n.asname.name, cst.Name) and \
                    self._script_file(n.item):
                files.add(n.asname.name.value)
            if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name) and \
                    self._script_file(n.value):
                files.add(n.targets[0].target.value)
        if not files:  # nothing written to a script file below
            return []
        written: dict[str, cst.CSTNode] = {}
        for n in nodes:
            if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "write" and \
                    isinstance(n.func.value, cst.Name) and n.func.value.value in files and n.args and \
                    not isinstance(n.args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                written[n.func.value.value] = n
        if not written:
            return []
        paths: dict[str, cst.CSTNode] = {}  # names holding the written file's path
        for n in nodes:
            if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name) and \
                    isinstance(n.value, cst.Attribute) and n.value.attr.value == "name" and \
                    isinstance(n.value.value, cst.Name) and n.value.value.value in written:
                paths[n.targets[0].target.value] = written[n.value.value.value]
        out: list[tuple[cst.Call, cst.CSTNode]] = []
        for n in nodes:
            if isinstance(n, cst.Call) and self.qualname(n.func) in RUNNERS and n.args:
                hit = self._runs_file(n.args[0].value, written, paths)
                if hit is not None:
                    out.append((n, hit))
        return out

    def _script_file(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        q = self.qualname(expr.func)
        if q in ("tempfile.NamedTemporaryFile", "tempfile.mkstemp"):
            for a in expr.args:
                if a.keyword is not None and a.keyword.value == "suffix":
                    v = self.value_of(a.value)
                    return v is not None and bool(SCRIPT_SUFFIX.search(v.text))
            return False
        if q in ("open", "builtins.open", "io.open") and expr.args:
            v = self.value_of(expr.args[0].value)
            mode = self.value_of(expr.args[1].value) if len(expr.args) > 1 else None
            return v is not None and bool(SCRIPT_SUFFIX.search(v.text)) and mode is not None and \
                any(c in mode.text for c in "wa")
        return False

    def _runs_file(self, arg: cst.BaseExpression, written: dict[str, cst.CSTNode],
                   paths: dict[str, cst.CSTNode]) -> cst.CSTNode | None:
        if not isinstance(arg, cst.List) or len(arg.elements) < 2:
            return None
        first = arg.elements[0].value
        prog = self.value_of(first)
        name = prog.text.rsplit("/", 1)[-1] if prog is not None else (self.qualname(first) or "")
        if name not in INTERPRETERS:
            return None
        for e in arg.elements[1:]:
            v = e.value
            if isinstance(v, cst.Name) and v.value in paths:
                return paths[v.value]
            if isinstance(v, cst.Attribute) and v.attr.value == "name" and isinstance(v.value, cst.Name) and \
                    v.value.value in written:
                return written[v.value.value]
            if isinstance(v, cst.Call) and self.qualname(v.func) in ("str", "builtins.str") and v.args:
                inner = v.args[0].value
                if isinstance(inner, cst.Name) and inner.value in paths:
                    return paths[inner.value]
        return None


def scope_nodes(owner: Any, module: cst.Module) -> list[list[cst.CSTNode]]:
    """The nodes of each scope (`scopes`), without the scope nodes themselves."""
    return [nodes for _, nodes in scopes(owner, module)]


def scopes(owner: Any, module: cst.Module) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """`_scopes(module)`, listed once per pass: py-runs-written-code and py-runs-data-command read the same
    scopes (held on the pass, `owner`)."""
    held = owner.__dict__.get("_scope_lists")
    if held is None or held[0] is not module:
        held = owner.__dict__["_scope_lists"] = (module, _scopes(module))
    return held[1]


def _scopes(module: cst.Module) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Each scope with its nodes — the module, then every function in the order of a depth-first walk that
    takes a node's last child first — each list in that walk's order, a nested function's `def` in the scope
    around it and its body in its own: what walking each scope apart, without entering nested functions, would
    list, found in one walk of the module. The stack holds nodes only, and under a function's children the list
    of the scope around it, which is the scope again once they are done (no pair per node); `type(n) is
    FunctionDef`, not `isinstance` through ABCMeta, for a class nothing subclasses."""
    top: list[cst.CSTNode] = []
    out: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(module, top)]
    stack: list[Any] = list(children(module))
    mine = top
    function = cst.FunctionDef
    while stack:
        n = stack.pop()
        if type(n) is list:  # a function's body is done: back to the scope around it
            mine = n
            continue
        mine.append(n)
        if type(n) is function:
            stack.append(mine)
            mine = []
            out.append((n, mine))
        stack.extend(children(n))
    return out
