"""One libcst pass over a module: the visitor is the analysis core (scope → values → call capabilities →
taint → flows, see `scope.py` … `flows.py`) extended by the rule families listed in `checks.FAMILIES`;
its visit/leave methods dispatch each node to them in a fixed order. No metadata providers: positions
are computed only for the nodes that are reported (see `locator.Locator`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from skillscan.analyzers.python.checks import FAMILIES
from skillscan.analyzers.python.envselect import loop_selection
from skillscan.analyzers.python.evaluate import MAX_RETURNS
from skillscan.analyzers.python.literals import call_arg, concat
from skillscan.analyzers.python.loops import (
    MAX_LOOP_NEST,
    MAX_LOOP_NODES,
    handed_to,
    header_line,
    known_rows,
    known_sequences,
    loop_names,
    node_count,
)
from skillscan.analyzers.python.names import MAX_TAINTS
from skillscan.analyzers.python.shared import loaded
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.values import Binding, FuncInfo, Source, Val
from skillscan.analyzers.python.walk import walk

__all__ = ["ModuleVisitor", "walk"]



# methods that put their arguments into the container they are called on
_FILLS = frozenset({"append", "appendleft", "extend", "extendleft", "insert", "add", "update", "setdefault"})

class ModuleVisitor(*FAMILIES):  # type: ignore[misc]
    # the core's own reports are the flows (flows.py): from a source to a sink, both calls of the capability map
    TRIGGERS = Triggers(capmap=True)
    _loop_depth = 0
    _loop_nodes = 0  # nodes walked again to follow loop bodies (loops.MAX_LOOP_NODES)
    # ------------------------------------------------------------------ imports and scopes


    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = self.module.code_for_node(alias.name).replace(" ", "")
            mine = self.shared.module(full) if self.shared else None  # a module of the package (python/shared.py)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, Binding(alias=full))
                if mine is not None:
                    self.shared.bind_module(full, mine)
            else:
                top = full.split(".", 1)[0]
                self.bind(top, Binding(alias=top))
                if mine is not None:
                    self.shared.bind_module(full, mine)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        mod = self.module.code_for_node(node.module).replace(" ", "") if node.module is not None else ""
        mine = self.shared.module(mod, len(node.relative)) if self.shared else None
        self.shared.taken = set()
        if mine is not None:
            self._shared_names(node.names, mine)
        if node.module is None or node.relative:
            return
        if isinstance(node.names, cst.ImportStar):
            self._star_imports.append(mod)
            return
        for alias in node.names:
            name = self.module.code_for_node(alias.name).replace(" ", "")
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) \
                else name
            if local not in self.shared.taken:
                self.bind(local, Binding(alias=f"{mod}.{name}"))

    def _shared_names(self, names: Sequence[cst.ImportAlias] | cst.ImportStar, path: str) -> None:
        """`from conf import ENDPOINT` (or `*`): each name the package's module `path` gives a known value is bound
        to it (a name it does not, to what it was bound before: the import's qualified name, if absolute)."""
        cut = self.shared.cut(path)
        pairs = [(n, n) for n in self.shared.names(path)] if isinstance(names, cst.ImportStar) else [
            (self.module.code_for_node(a.name).replace(" ", ""),
             a.asname.name.value if a.asname is not None and isinstance(a.asname.name, cst.Name) else
             self.module.code_for_node(a.name).replace(" ", "")) for a in names]
        for name, local in pairs:
            value = self.shared.node(path, name)
            if value is not None:
                self.bind(local, Binding(value=self.value_of(value), node=value))
                self.shared.taken.add(local)
            elif cut:
                self.shared.cuts[local] = cut

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.note_function(node)
        info = FuncInfo(node.name.value)
        self.bind(node.name.value, Binding(func=info))
        scope: dict[str, Binding] = {}
        params = list(node.params.posonly_params) + list(node.params.params) + list(node.params.kwonly_params)
        loc = None
        for i, p in enumerate(params):
            info.params.append(p.name.value)
            if loc is None:
                loc = self.loc.location(self.path, node.name)
            scope[p.name.value] = Binding(taint=(Source("param", p.name.value, loc, None, i, info.name),))
            default = p.default
            if default is not None:
                v = self.value_of(default)
                if v is not None:
                    scope[p.name.value].value = Val(v.data, False, v.chain)
        self.scopes.append(scope)
        self.funcs.append(info)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.funcs.pop()

    def leave_Return(self, original_node: cst.Return) -> None:
        if self.funcs and len(self.funcs[-1].values) < MAX_RETURNS:
            node = original_node.value
            self.funcs[-1].values.append(self.value_of(node) if node is not None else None)
        if self.funcs and original_node.value is not None:
            for t in self.taint_of(original_node.value):
                if t.kind != "param" and len(self.funcs[-1].returns) < MAX_TAINTS:
                    self.funcs[-1].returns.append(t)

    # ------------------------------------------------------------------ visitor: assignments

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            if isinstance(t.target, cst.Subscript):
                self._store_targets.add(id(t.target))

    def leave_Assign(self, original_node: cst.Assign) -> None:
        for t in original_node.targets:
            self._assign(t.target, original_node.value)
            self.check_bcc_assign(t.target, original_node.value)
            self.check_header_assign(t.target, original_node.value)
            self.note_pattern_list(t.target, original_node.value)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._assign(original_node.target, original_node.value)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        if isinstance(original_node.target, cst.Name):
            b = self.lookup(original_node.target.value)
            taint = self.taint_of(original_node.value)
            if taint:
                nb = Binding(taint=self._cap(list(b.taint if b else ()) + list(taint)))
                if b is not None:
                    nb.type, nb.node = b.type, b.node
                self.bind(original_node.target.value, nb)
            if isinstance(original_node.operator, cst.AddAssign) and b is not None and b.value is not None:
                add = self.value_of(original_node.value)
                nv = concat([b.value, add])
                cur = self.lookup(original_node.target.value)
                if cur is not None and nv is not None:
                    cur.value = nv

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            b = Binding(node=value)
            q = None
            if isinstance(value, (cst.Name, cst.Attribute)):
                q = self.qualname(value)
                if q and (isinstance(value, cst.Attribute) or (self.lookup(value.value) or Binding()).alias):
                    b.alias = q
            elif isinstance(value, cst.Call):
                fq = self.qualname(value.func)
                if fq in ("__import__", "importlib.import_module"):
                    b.alias = self.qualname(value)
                if fq in ("getattr", "builtins.getattr"):
                    b.alias = self.qualname(value)
                if fq in ("open", "io.open", "codecs.open", "pathlib.Path.open"):
                    b.path = self.value_of(call_arg(value, 0, "file")) if fq != "pathlib.Path.open" else (
                        self.value_of(value.func.value) if isinstance(value.func, cst.Attribute) else None)
            if isinstance(value, cst.Name):
                src = self.lookup(value.value)
                if src is not None:
                    b.type = src.type
                    b.path = src.path
                    if isinstance(src.node, (cst.List, cst.Tuple)):
                        b.node = src.node
            b.type = b.type or self.type_of(value)
            b.value = self.value_of(value)
            b.taint = self.taint_of(value)
            asset = loaded(self, value) if self.shared else None  # a data file of the package (python/shared.py)
            if asset is not None:
                b.node = asset[1]
                if asset[1] is None:
                    self.shared.cuts[target.value] = self.shared.cut(asset[0])
            self.bind(target.value, b)
        elif isinstance(target, (cst.Tuple, cst.List)):
            taint = self.taint_of(value)
            for e in target.elements:
                if isinstance(e.value, cst.Name):
                    self.bind(e.value.value, Binding(taint=taint))
            # `fd, path = tempfile.mkstemp(…)`: the second name is the path of the file it made
            made = self.made_path(value) if isinstance(value, cst.Call) and len(target.elements) == 2 else None
            second = target.elements[1].value if made is not None else None
            if isinstance(second, cst.Name) and self.qualname(value.func) == "tempfile.mkstemp":
                self.bind(second.value, Binding(taint=taint, value=made))
        elif isinstance(target, cst.Subscript):
            if self.check_env_write(target):
                return
            self._taint_container(target.value, self.taint_of(value))
            self.store_item(target, value)
        elif isinstance(target, cst.Attribute):
            self.check_tls_assign(target, value)

    def _taint_container(self, container: cst.BaseExpression, taint: tuple[Source, ...]) -> None:
        while isinstance(container, (cst.Subscript, cst.Attribute)):
            container = container.value
        if taint and isinstance(container, cst.Name):
            b = self.lookup(container.value)
            if b is None:
                b = Binding()
                self.bind(container.value, b)
            b.taint = self._cap(list(b.taint) + list(taint))

    def visit_For(self, node: cst.For) -> None:
        taint = self.taint_of(node.iter)
        if any(t.kind == "envdump" for t in taint) and (chosen := loop_selection(node, self._reader())) is not None:
            # `for k, v in os.environ.items(): if 'TOKEN' in k: …`: the body keeps only the variables the test names
            taint = tuple(t for t in taint if t.kind != "envdump") + self._selection(chosen[1].test, chosen[0], True)
        self.check_env_iteration(node)
        targets = [node.target] if isinstance(node.target, cst.Name) else [
            e.value for e in node.target.elements] if isinstance(node.target, (cst.Tuple, cst.List)) else []
        for i, t in enumerate(targets):
            if isinstance(t, cst.Name):
                self.bind(t.value, Binding(taint=self.loop_taint(taint, node.iter, i, len(targets))))
        names = loop_names(node.target)
        rows, total = known_rows(self, names, node.iter)
        bindings = [[(n, Binding(value=v, taint=taint)) for n, v in zip(names, row)] for row in rows]
        if not rows and len(names) == 1:  # `for parts in [("~/", ".ssh/", "id_rsa"), …]`: each row's expression
            seqs, total = known_sequences(self, node.iter)
            bindings = [[(names[0], Binding(node=seq, taint=taint))] for seq in seqs]
        if not bindings:
            return
        # `for p in ["~/.ssh/id_rsa", "~/.aws/credentials"]:` — the body is followed once per known row, with the
        # names bound to its values, within the bounds of loops.py; the walk itself makes the first row's pass
        follow = bindings[1:] if self._loop_depth < MAX_LOOP_NEST and self._loop_nodes < MAX_LOOP_NODES else []
        if follow:
            size = node_count(node.body)
            follow = follow[:max(0, MAX_LOOP_NODES - self._loop_nodes) // max(1, size)]
            self._loop_nodes += size * len(follow)
        if total - 1 > len(follow):
            self._loop_values_left(node, names, total - 1 - len(follow))
        self._loop_depth += 1
        try:
            for row in follow:
                for name, b in row:
                    self.bind(name, replace(b))
                walk(self, node.body)
        finally:
            self._loop_depth -= 1
        for name, b in bindings[0]:
            self.bind(name, replace(b))

    def _loop_values_left(self, node: cst.For, names: tuple[str, ...], left: int) -> None:
        """Rows a bound left out, counted (and reported by the engine) when the body hands a loop value to a
        call whose values the analysis reads; the first such loop's line is kept."""
        if handed_to(self, node.body, names) is None:
            return
        dropped = self.result.dropped
        dropped["loop-values"] = dropped.get("loop-values", 0) + left
        if "loop-values-line" not in dropped:
            dropped["loop-values-line"] = header_line(self, node)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                self._assign(item.asname.name, item.item)

    # ------------------------------------------------------------------ visitor: environment

    # ------------------------------------------------------------------ values built

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.note_host_name(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        super().visit_BinaryOperation(node)
        self.note_host_concat(node)
        self.note_host_percent(node)
        self.check_favoured_sum(node)

    def visit_If(self, node: cst.If) -> None:
        self.check_favoured_if(node)
        self.check_password_bypass(node)

    def visit_CompIf(self, node: cst.CompIf) -> None:
        self.check_safety_filter(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self.check_header_dicts(node)
        self.check_invisible_map(node)
        self.check_proxy_dict(node)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self.check_invisible_choice(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self.check_output_string(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        super().visit_SimpleString(node)
        self.check_output_string(node)

    # ------------------------------------------------------------------ calls

    def visit_Call(self, node: cst.Call) -> None:
        q = self.qualname(node.func)
        self.note_existence_test(node, q)
        self.note_read_call(node, q)
        self.check_bcc_call(node)
        self.check_header_kwarg(node)
        self.check_header_call(node)
        self.note_host_format(node)
        self.note_resolver_call(node, q)
        self.check_invisible_table(node, q)
        self.check_safety_sub(node, q)
        self.check_proxy_call(node)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _FILLS and node.args and \
                isinstance(node.func.value, cst.Name) and self.qualname(node.func.value) is None:
            # `found.append(value)`, `out.update(pairs)` on a local name (not a module's object such as
            # `os.environ`): the container carries what is put into it
            self._taint_container(node.func.value, self._cap(t for a in node.args for t in self.taint_of(a.value)))
        if q is None:
            return
        entry = self.capmap.lookup(q)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        self.check_env_args(node)
        self.check_recipient_default(node, q)
        self.check_tls_call(node, q, entry)
        self.note_dup2(node, q, positional)
        if entry is None:
            return
        loc = self.loc.location(self.path, node)
        self.check_copy(q, node, loc)
        if entry.handler in ("subprocess", "shell", "execv"):
            self.check_process(node, entry, q, loc)
            return
        caps = self._caps_for(node, entry, q)
        if not caps:
            return
        self.note_param_read(node, entry, q, caps)
        self.note_connect(entry, q, loc)
        if entry.kind == "net.egress":
            self.check_mining_pool(node, entry, loc)
            self.check_upload(node, entry, q, loc)
        self._report_caps(entry, q, caps, loc)

    def leave_Call(self, original_node: cst.Call) -> None:
        node = original_node
        q = self.qualname(node.func)
        self.note_decoded_call(node, q)
        entry = self.capmap.lookup(q) if q else None
        self.track_writes(node, q)
        if entry is None:
            self.check_local_secret_reads(node)
            self._local_call(node)
            return
        self.track_files(node, entry, q)
        if entry.sink in ("network", "subprocess", "exec"):
            self._sink(node, entry, q or "")

    # ------------------------------------------------------------------ end of module

    def leave_Module(self, original_node: cst.Module) -> None:
        self.finish_deferred()  # reports whose node the walk did not reach, and the bound (checks/deferred.py)
        self._propagate_flows()
        self.finish_reverse_shell()
        self.finish_decoded()
        self.finish_steering()
        self.finish_dns_names()
        self.finish_written_code(original_node)
        self.finish_data_command(original_node)
        self.finish_import_time(original_node)
        self.finish_install_hook(original_node)
        self.finish_served_code(original_node)
        self.note_shared()  # where values from the package's other files came from (scope.py)
        self.note_caps()  # the per-rule caps: the last report of a capped rule says how many more (scope.py)
