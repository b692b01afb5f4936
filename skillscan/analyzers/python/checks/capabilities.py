"""The capability event of an API call (its rule id comes from the capability map: persistence and secret
reads first, then the entry's own rule), py-write-outside-package, file copies read as reads of their
source, and secret files read through a local function that opens its parameter."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_arg, call_kwarg
from skillscan.analyzers.python.names import SOURCES_READ
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.values import UNKNOWN, Binding, FuncInfo
from skillscan.capabilities.grammar import normalize_path, secret_kind_of_path
from skillscan.model import Capability, Location

# the capability-map rules (rules/capabilities/python.yaml names which one an API reports) and our own
RULE_IDS: tuple[str, ...] = ("py-api-capability", "py-dynamic-code", "py-file-access", "py-gpu-use",
                             "py-network-access", "py-persistence", "py-secret-access", "py-tunnel-open", "py-write-outside-package")


class CapabilityChecks(Flows):
    # reports only about calls of the capability map (and the sources copies and archives read: SOURCES_READ)
    TRIGGERS = Triggers(capmap=True, calls=frozenset(SOURCES_READ))

    def check_copy(self, q: str, node: cst.Call, loc: Location) -> None:
        """A copy or an archive reads its source: `shutil.copytree(src, …)`, `shutil.make_archive(…, root_dir,
        base_dir)` (the folder archived is `base_dir` under `root_dir`)."""
        if q not in SOURCES_READ:
            return
        arg, kw = SOURCES_READ[q]
        expr = call_arg(node, arg, kw)
        if expr is None:
            return
        src = self.value_of(expr)
        text = src.text if src is not None else None
        base = self.value_of(call_arg(node, 3, "base_dir")) if q == "shutil.make_archive" else None
        if text is not None and base is not None and base.text and not base.text.startswith(("/", "~")):
            text = text.rstrip("/") + "/" + base.text.removeprefix("./")
        scope = normalize_path(text) if text is not None else UNKNOWN
        kind = secret_kind_of_path(scope) if scope != UNKNOWN else None
        self._report_caps(None, q, [Capability("fs.read", scope)] + (
            [Capability("secrets.read", kind)] if kind else []), loc)

    def note_param_read(self, node: cst.Call, entry: ApiEntry, q: str, caps: list[Capability]) -> None:
        """A function that opens its parameter for reading: remembered for `check_local_secret_reads`."""
        if self.funcs and entry.handler in ("open", "path") and caps[0].kind == "fs.read" and caps[0].scope == UNKNOWN:
            arg = call_arg(node, entry.arg, entry.kw)
            if isinstance(arg, cst.Name):
                for t in (self.lookup(arg.value) or Binding()).taint:
                    if t.kind == "param" and t.func == self.funcs[-1].name and t.param is not None:
                        self.funcs[-1].param_reads.append((t.param, q))

    def check_local_secret_reads(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Name):
            return
        b = self.lookup(node.func.value)
        if b is None or b.func is None or not b.func.param_reads:
            return
        for scope, kind in self._secret_reads_via(node, b.func):
            self._report_caps(None, f"{b.func.name}()", [Capability("fs.read", scope),
                                                         Capability("secrets.read", kind)],
                              self.loc.location(self.path, node))

    def _report_caps(self, entry: ApiEntry | None, q: str, caps: list[Capability], loc: Location) -> None:
        kinds = {c.kind for c in caps}
        if "persist" in kinds:
            rule = self.capmap.rule_for(None, "persist")
        elif "secrets.read" in kinds:
            rule = self.capmap.rule_for(None, "secrets.read")
        else:
            rule = self.capmap.rule_for(entry, caps[0].kind)
        self.emit(rule, f"{q}: {', '.join(str(c) for c in caps)}", loc, caps)
        for c in caps:
            if c.kind == "fs.write" and c.scope and "persist" not in kinds and (
                    c.scope.startswith("~") or (c.scope.startswith("/") and not c.scope.startswith(
                        ("/dev/null", "/dev/stdout", "/dev/stderr", "/proc/self")))):
                self.emit("py-write-outside-package", f"{q} writes outside the package, workspace and temp "
                          f"directories: {c.scope}", loc, [c])

    def _secret_reads_via(self, node: cst.Call, func: FuncInfo) -> list[tuple[str, str]]:
        """(path, secret kind) for literal secret paths passed to a local function that reads its
        parameter as a file."""
        out = []
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        for idx, _q in func.param_reads:
            expr = positional[idx] if idx < len(positional) else None
            if expr is None and idx < len(func.params):
                expr = call_kwarg(node, func.params[idx])
            v = self.value_of(expr)
            if v is not None:
                scope = normalize_path(v.text)
                kind = secret_kind_of_path(scope)
                if kind:
                    out.append((scope, kind))
        return out
