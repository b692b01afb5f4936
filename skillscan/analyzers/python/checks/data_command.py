"""py-runs-data-command: a script runs, as a command or as code, a field of a record it reads from data — a
ticket, an issue, an e-mail, a JSON/YAML/TOML/CSV file, the JSON body of a web response:

* straight into a runner: `subprocess.run(ticket["command"], shell=True)`, `os.system(issue["fix"])`,
  `subprocess.run(["bash", "-c", step["run"]])`, `eval(row["expr"])`;
* through a script file: the field is written into a file (`path.write_text(…)`, `f.write(…)` of
  `with open(path, "w") as f`) that the same function then runs with an interpreter or as a program
  (`subprocess.run(["bash", str(path)])`, `subprocess.run([str(path)])`, `os.system(f"sh {path}")`).

The data a skill processes is written by someone else (whoever filed the ticket or sent the mail): a command in it
runs with the agent's rights, and a field named as a "workflow step" is how such a command is slipped in.
Values are followed within one function (assignments, loops over a record's items, f-strings, joins) and across
the functions of one module: a helper that reads a record and returns it (`ticket = load(path)`), and a function
that runs its parameter (`run_step(step["run"])`, reported where the field is passed). A command written in the
script itself, or a record's field only printed, written to a document or compared, is not reported; nor is a
record read from a fixed source — a path or text written in the script (`json.load(open("settings.json"))`,
`with open("config.json") as fh: json.load(fh)`, `Path(__file__).with_name("steps.json")`, a helper called with
such a path): that is the author's own configuration, not data someone else wrote (a file the package ships is
analysed for its commands itself). What counts as a fixed source is `capabilities/fixed_source.py`, shared with
the shell twin."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from skillscan.analyzers.python.scopekinds import ScopeNodes, field_parts
from skillscan.analyzers.python.checks.written_code import INTERPRETERS, scopes
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import nodes_under as walk_nodes
from skillscan.capabilities.fixed_source import fixed_literals

RULE_IDS: tuple[str, ...] = ("py-runs-data-command",)

# calls whose result is a parsed record (a mapping or a list of them)
RECORD_CALLS = frozenset({"json.load", "json.loads", "yaml.safe_load", "yaml.load", "yaml.full_load",
                          "yaml.unsafe_load", "tomllib.load", "tomllib.loads", "toml.load", "toml.loads",
                          "csv.DictReader", "csv.reader", "email.message_from_string", "email.message_from_bytes",
                          "email.message_from_file", "email.message_from_binary_file"})
RECORD_METHODS = frozenset({"json"})  # `response.json()`
SHELL_RUNNERS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"})
PROCESS_RUNNERS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                             "subprocess.Popen"})
CODE_RUNNERS = frozenset({"eval", "exec", "builtins.eval", "builtins.exec"})
RUNNERS = SHELL_RUNNERS | PROCESS_RUNNERS | CODE_RUNNERS
WRITE_METHODS = frozenset({"write_text", "write", "writelines"})
MAX_PASSES = 4
MAX_REPORTS = 6
OPENERS = frozenset({"open", "io.open", "codecs.open", "pathlib.Path", "Path"})  # a path → what reads its file
MAX_PARAMS = 8  # parameters of one function tried as what it runs (the rest: counted, reported)


@dataclass(frozen=True)
class Helpers:
    """What the module's own functions do with records: `loaders` return a record (the index of the parameter the
    record is read from, or None when it is read from elsewhere); `runners` run a parameter as a command or code
    (the index of that parameter, its name, and how it is run); `record_runners` run a field of a parameter."""
    loaders: dict[str, int | None] = field(default_factory=dict)
    runners: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    record_runners: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # run a field of a parameter


class DataCommandChecks(Flows):
    # a report is about a call of a runner
    TRIGGERS = Triggers(calls=SHELL_RUNNERS | PROCESS_RUNNERS | CODE_RUNNERS)

    def finish_data_command(self, module: cst.Module) -> None:
        source = self.loc.source
        if not any(w in source for w in ("load", "json", "message_from", "DictReader", "reader")):
            return
        scoped = scopes(self, module)  # the module, then each function, nested bodies apart
        functions = [scope for scope, _ in scoped[1:] if isinstance(scope, cst.FunctionDef)]
        nodes = {id(scope): ScopeNodes.of(listed) for scope, listed in scoped}  # sorted by kind once per scope
        handles = {id(scope): _fixed_handle_reads(nodes[id(scope)].withs) for scope, _ in scoped}  # once per scope
        self.__dict__["_dc_parts"] = {}  # `_dc_field`'s reading of each expression, for this module
        try:
            helpers = self._dc_helpers(functions, nodes, handles)
            self.emit_first("py-runs-data-command", MAX_REPORTS, [  # the cap keeps the file's first places
                (self.loc.location(self.path, node), message, {}) for scope, _ in scoped
                for node, message in self._dc_data_runs(nodes[id(scope)], helpers, handles[id(scope)])])
        finally:
            del self.__dict__["_dc_parts"]

    def _dc_helpers(self, functions: list[cst.FunctionDef], scoped: dict[int, ScopeNodes],
                    handles: dict[int, set[int]]) -> Helpers:
        """The module's functions (every one: the module's size, under the parse cap, bounds them) that return a
        record, and those that run a parameter (one level: a helper of a helper is not followed). `scoped`: the
        nodes of each function, without its nested functions; `handles`: its fixed handle reads. A function's
        parameters past MAX_PARAMS are not tried as what it runs: counted in `dropped` and reported."""
        helpers = Helpers()
        for fn in functions:
            params = [p.name.value for p in fn.params.params]
            nodes = scoped[id(fn)]
            fixed = handles[id(fn)]
            returns = nodes.returns
            if returns:
                records, _, _ = self._dc_values(nodes, Helpers(), fixed)
                if any(self._dc_is_record(n.value, fixed) or isinstance(n.value, cst.Name) and n.value.value in records
                       for n in returns if n.value is not None):
                    helpers.loaders.setdefault(fn.name.value, self._dc_source_param(nodes.calls, params))
            runs = params and any((self.qualname(n.func) or "") in RUNNERS for n in nodes.calls)
            if runs and len(params) > MAX_PARAMS:
                dropped = self.result.dropped
                dropped["runner-params"] = dropped.get("runner-params", 0) + len(params) - MAX_PARAMS
            for i, param in enumerate(params[:MAX_PARAMS] if runs else ()):
                for kind in ("field", "record"):  # the parameter run itself, or a field of it
                    recs, flds, _ = self._dc_values(nodes, Helpers(), fixed, {param: param} if kind == "field" else None,
                                                    {param} if kind == "record" else None)
                    for call, _ in self._dc_sinks(nodes, recs, flds, Helpers())[:1]:
                        line = self.loc.location(self.path, call).line
                        runner = self.qualname(call.func) or _code(call.func)
                        how = f"runs it with {runner} (line {line})" if kind == "field" else \
                            f"runs a field of it with {runner} (line {line})"
                        (helpers.runners if kind == "field" else helpers.record_runners).setdefault(
                            fn.name.value, (i, param, how))
        return helpers

    def _dc_source_param(self, calls: list[cst.Call], params: list[str]) -> int | None:
        """The index of the one parameter a function reads its record from (`json.load(open(path))`,
        `with open(path) as fh: json.load(fh)`, `json.loads(Path(path).read_text())` in `def load(path)`), or None
        when it reads from elsewhere or from several. `calls`: the function's calls (`ScopeNodes.calls`)."""
        named: set[str] = set()
        for call in calls:
            if not call.args:
                continue
            q = self.qualname(call.func) or ""
            if q in RECORD_CALLS or q in OPENERS or isinstance(call.func, cst.Attribute) and call.func.attr.value in OPENERS:
                named |= {n.value for n in [call.args[0].value, *walk_nodes(call.args[0].value)]
                          if isinstance(n, cst.Name) and n.value in params}
        return params.index(next(iter(named))) if len(named) == 1 else None

    # ------------------------------------------------------------------ values
    def _dc_values(self, nodes: ScopeNodes, helpers: Helpers, handles: set[int],
                   seeded: dict[str, str] | None = None, seeded_records: set[str] | None = None
                   ) -> tuple[set[str], dict[str, str], set[int]]:
        """(names holding a parsed record, names holding text built from a record's field → the field shown, file
        handles opened on a fixed source: `handles`, `_fixed_handle_reads` of the same nodes, read once per scope)."""
        records: set[str] = set(seeded_records or ())  # names holding a parsed record
        fields: dict[str, str] = dict(seeded or {})  # names holding (text built from) a record's field → shown
        for _ in range(MAX_PASSES):
            before = (len(records), len(fields))
            for n in nodes.assigns:
                target, value = _target_value(n)
                if target is None or value is None:
                    continue
                if self._dc_is_record(value, handles) or self._dc_loaded(value, helpers) or (
                        isinstance(n, cst.For) and self._dc_field(value, records, fields)):
                    records.add(target)  # `for step in plan["steps"]`: each item is a record too
                    continue
                shown = self._dc_field(value, records, fields)
                if shown is not None:
                    fields.setdefault(target, shown)
            if (len(records), len(fields)) == before:
                break
        return records, fields, handles

    def _dc_loaded(self, expr: cst.BaseExpression, helpers: Helpers) -> bool:
        """A call of the module's own function that returns a record, not given a fixed source for it."""
        if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in helpers.loaders):
            return False
        at = helpers.loaders[expr.func.value]
        positional = [a for a in expr.args if a.keyword is None]
        return not (at is not None and at < len(positional) and _fixed_source(positional[at].value))

    def _dc_data_runs(self, nodes: ScopeNodes, helpers: Helpers, handles: set[int]
                      ) -> list[tuple[cst.Call, str]]:
        records, fields, _ = self._dc_values(nodes, helpers, handles)
        if not fields and not records:
            return []
        return self._dc_sinks(nodes, records, fields, helpers)

    def _dc_sinks(self, nodes: ScopeNodes, records: set[str], fields: dict[str, str], helpers: Helpers
                  ) -> list[tuple[cst.Call, str]]:
        out: list[tuple[cst.Call, str]] = []
        scripts: dict[str, str] = {}  # names of files a field was written into → the field shown
        for n in nodes.calls:
            written = self._dc_written_script(n, records, fields)
            if written is not None:
                scripts.setdefault(written[0], written[1])
        for n in nodes.with_items:  # `with open(path, "w") as fh: fh.write(…)`: what fh got, the file at path holds
            if n.asname is not None and isinstance(n.asname.name, cst.Name) and \
                    n.asname.name.value in scripts and isinstance(n.item, cst.Call) and n.item.args and \
                    isinstance(n.item.args[0].value, cst.Name):
                scripts.setdefault(n.item.args[0].value.value, scripts[n.asname.name.value])
        for n in nodes.calls:
            hit = self._dc_runs(n, records, fields, scripts) or self._dc_passed(n, records, fields, helpers)
            if hit is not None:
                out.append((n, hit))
        return out

    def _dc_passed(self, call: cst.Call, records: set[str], fields: dict[str, str], helpers: Helpers) -> str | None:
        """A record's field passed to the module's own function that runs that parameter, or a record passed to one
        that runs a field of it."""
        if not isinstance(call.func, cst.Name):
            return None
        name = call.func.value
        for table, whole in ((helpers.runners, False), (helpers.record_runners, True)):
            if name not in table:
                continue
            at, param, how = table[name]
            given = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == param), None)
            positional = [a for a in call.args if a.keyword is None]
            if given is None and at < len(positional):
                given = positional[at].value
            if given is None:
                continue
            if whole and (isinstance(given, cst.Name) and given.value in records or self._dc_is_record(given, set())
                          or self._dc_loaded(given, helpers)):
                return f"passes `{_code(given)}` — a record the script reads from data — to `{name}`, which {how}"
            shown = None if whole else self._dc_field(given, records, fields)
            if shown is not None:
                return f"passes `{shown}` — a field of a record the script reads from data — to `{name}`, which {how}"
        return None

    def _dc_is_record(self, expr: cst.BaseExpression, handles: set[int]) -> bool:
        """A parsed record: a call of RECORD_CALLS (`json.loads(p.read_text())`) or `response.json()`, unless it
        reads a fixed source — a path written in the script, or a file handle opened on one (`handles`: the ids
        of such calls)."""
        if isinstance(expr, cst.Call):
            q = self.qualname(expr.func)
            if q in RECORD_CALLS:
                if not expr.args:
                    return True
                arg = expr.args[0].value
                return not (_fixed_source(arg) or id(expr) in handles)
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in RECORD_METHODS and not expr.args:
                return True
        return False

    def _dc_field(self, expr: cst.BaseExpression, records: set[str], fields: dict[str, str]) -> str | None:
        """The record field `expr` holds or is built from (`t["cmd"]`, `t.get("cmd")`, an f-string or a join
        over such a field or a name holding one), shown as written; None otherwise."""
        held = self.__dict__.get("_dc_parts")
        parts = None if held is None else held.get(id(expr))
        if parts is None:
            parts = field_parts(expr)
            if held is not None:
                held[id(expr)] = parts
        for name, node in parts:
            if node is None:
                if name in fields:
                    return fields[name]
            elif name in records:
                return _code(node)
        return None

    # ------------------------------------------------------------------ sinks
    def _dc_written_script(self, call: cst.Call, records: set[str], fields: dict[str, str]) -> tuple[str, str] | None:
        """`path.write_text(text)` / `f.write(text)` where the text holds a record's field: (name of the file, field)."""
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in WRITE_METHODS or not call.args:
            return None
        if not isinstance(call.func.value, cst.Name):
            return None
        shown = self._dc_field(call.args[0].value, records, fields)
        return (call.func.value.value, shown) if shown is not None else None

    def _dc_runs(self, call: cst.Call, records: set[str], fields: dict[str, str], scripts: dict[str, str]) -> str | None:
        q = self.qualname(call.func) or ""
        if not call.args:
            return None
        first = call.args[0].value
        if q in SHELL_RUNNERS or q in CODE_RUNNERS:
            shown = self._dc_field(first, records, fields)
            script = _script_in(first, scripts) if q in SHELL_RUNNERS else None
            if shown is None and script is not None:
                return f"runs with {q} the script file `{script}`, into which it wrote `{scripts[script]}` — a field " \
                       "of a record the script reads from data"
            if shown is not None:
                how = "as code" if q in CODE_RUNNERS else "as a shell command"
                return f"runs {how}, with {q.split('.')[-1] if q in CODE_RUNNERS else q}, `{shown}` — a field of a " \
                       "record the script reads from data"
            return None
        if q not in PROCESS_RUNNERS:
            return None
        shell = any(a.keyword is not None and a.keyword.value == "shell" and isinstance(a.value, cst.Name) and
                    a.value.value == "True" for a in call.args)
        if shell or not isinstance(first, (cst.List, cst.Tuple)):
            shown = self._dc_field(first, records, fields)
            if shown is not None:  # a command line, or the program and its arguments, chosen by the data
                return f"runs as a command, with {q}, `{shown}` — a field of a record the script reads from data"
            return None
        items = [e.value for e in first.elements]
        if not items:
            return None
        script = _script_in(items[0], scripts)
        if script is not None:  # the written file run as a program (`os.chmod(p, 0o755)`, then `[str(p)]`)
            return f"runs with {q} the script file `{script}`, into which it wrote `{scripts[script]}` — a field of a " \
                   "record the script reads from data"
        prog = self.value_of(items[0])
        name = prog.text.rsplit("/", 1)[-1] if prog is not None and prog.exact else (self.qualname(items[0]) or "")
        if name not in INTERPRETERS:
            return None
        if len(items) >= 3:
            flag = self.value_of(items[1])
            if flag is not None and flag.exact and flag.text in ("-c", "-lc", "-e", "-Command", "/c"):
                shown = self._dc_field(items[2], records, fields)
                if shown is not None:
                    return f"runs with `{name} {flag.text}` `{shown}` — a field of a record the script reads from data"
        for item in items[1:]:
            for n in [item, *walk_nodes(item)]:
                if isinstance(n, cst.Name) and n.value in scripts:
                    return f"runs with `{name}` the script file `{n.value}`, into which it wrote `{scripts[n.value]}` " \
                           "— a field of a record the script reads from data"
        return None


def _fixed_handle_reads(withs: list[cst.With]) -> set[int]:
    """The ids of the calls whose first argument is a file handle that the `with … as fh` around them opened on a
    fixed source (`with open("config.json") as fh: json.load(fh)`); an inner `with` rebinding the name decides
    for its own body. `withs`: the scope's `with` statements (`ScopeNodes.withs`)."""
    out: set[int] = set()
    for w in withs:  # outer statements come first, so an inner `with` overrides
        fixed = {i.asname.name.value: _fixed_source(i.item) for i in w.items
                 if i.asname is not None and isinstance(i.asname.name, cst.Name)}
        if not fixed:
            continue
        for n in walk_nodes(w.body, into_functions=False):
            if isinstance(n, cst.Call) and n.args and isinstance(n.args[0].value, cst.Name) and \
                    n.args[0].value.value in fixed:
                (out.add if fixed[n.args[0].value.value] else out.discard)(id(n))
    return out


def _script_in(expr: cst.BaseExpression, scripts: dict[str, str]) -> str | None:
    """The name of a written script file that `expr` names (`path`, `str(path)`, `f"bash {path}"`), or None."""
    for n in [expr, *walk_nodes(expr)]:
        if isinstance(n, cst.Name) and n.value in scripts:
            return n.value
    return None


def _target_value(n: cst.CSTNode) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
        return n.targets[0].target.value, n.value
    if isinstance(n, cst.AnnAssign) and isinstance(n.target, cst.Name) and n.value is not None:
        return n.target.value, n.value
    if isinstance(n, cst.For) and isinstance(n.target, cst.Name):
        return n.target.value, n.iter
    return None, None


def _code(node: cst.CSTNode) -> str:
    text = " ".join(cst.Module(body=[]).code_for_node(node).split())
    return text if len(text) <= 60 else text[:57] + "…"


_PATH_MODULES = frozenset({"os", "pathlib", "io", "codecs", "importlib"})  # `pathlib.Path("x")`: a module, no variable


def _fixed_source(expr: cst.BaseExpression) -> bool:
    """`expr` is built only from literals, the functions that open or read them (`open("x.json")`,
    `Path("x").read_text()`, `Path(__file__).parent / "x.json"`) and `__file__`: it holds at least one string
    literal and names no variable."""
    called: set[int] = set()
    nodes = [expr, *walk_nodes(expr)]
    for n in nodes:
        if isinstance(n, cst.Call):  # the callee's name, or the module a dotted callee starts from
            func: cst.BaseExpression = n.func
            dotted = isinstance(func, cst.Attribute)
            while isinstance(func, cst.Attribute):
                func = func.value
            if isinstance(func, cst.Name) and (not dotted or func.value in _PATH_MODULES):
                called.add(id(func))
        elif isinstance(n, cst.Attribute):
            called.add(id(n.attr))
        elif isinstance(n, cst.Arg) and n.keyword is not None:
            called.add(id(n.keyword))  # `encoding=` names a parameter, not a variable
    literals: list[str] = []
    for n in nodes:
        if isinstance(n, cst.FormattedString):
            return False
        if isinstance(n, cst.Name) and id(n) not in called and n.value != "__file__":
            return False
        if isinstance(n, cst.SimpleString) and isinstance(n.evaluated_value, str):
            literals.append(n.evaluated_value)
    return fixed_literals(literals)
