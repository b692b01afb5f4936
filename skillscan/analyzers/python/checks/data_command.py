"""py-runs-data-command: a script runs, as a command or as code, a field of a record it reads from data — a
ticket, an issue, an e-mail, a JSON/YAML/TOML/CSV file, the JSON body of a web response:

* straight into a runner: `subprocess.run(ticket["command"], shell=True)`, `os.system(issue["fix"])`,
  `subprocess.run(["bash", "-c", step["run"]])`, `eval(row["expr"])`;
* through a script file: the field is written into a file (`path.write_text(…)`, `f.write(…)` of
  `with open(path, "w") as f`) that the same function then runs with an interpreter or as a program
  (`subprocess.run(["bash", str(path)])`, `subprocess.run([str(path)])`, `os.system(f"sh {path}")`).

The data a skill processes is written by someone else (whoever filed the ticket or sent the mail): a command in it
runs with the agent's rights, and a field named as a "workflow step" is how such a command is slipped in.
Values are followed within one function (assignments, loops over a record's items, f-strings, joins); a command
written in the script itself, or a record's field only printed, written to a document or compared, is not
reported; nor is a record read from a fixed source — a path or text written in the script
(`json.load(open("settings.json"))`, `Path(__file__).with_name("steps.json")`): that is the author's own
configuration, not data someone else wrote (a file the package ships is analysed for its commands itself)."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.checks.written_code import INTERPRETERS, scope_nodes
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import nodes_under as walk_nodes

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
WRITE_METHODS = frozenset({"write_text", "write", "writelines"})
MAX_PASSES = 4
MAX_REPORTS = 6


class DataCommandChecks(Flows):
    # a report is about a call of a runner
    TRIGGERS = Triggers(calls=SHELL_RUNNERS | PROCESS_RUNNERS | CODE_RUNNERS)

    def finish_data_command(self, module: cst.Module) -> None:
        source = self.loc.source
        if not any(w in source for w in ("load", "json", "message_from", "DictReader", "reader")):
            return
        reported = 0
        for nodes in scope_nodes(self, module):  # the module, then each function, nested bodies apart
            for node, message in self._dc_data_runs(nodes):
                if reported >= MAX_REPORTS:
                    self.over_cap("py-runs-data-command", MAX_REPORTS)
                    continue
                self.emit("py-runs-data-command", message, self.loc.location(self.path, node))
                reported += 1

    # ------------------------------------------------------------------ values
    def _dc_data_runs(self, nodes: list[cst.CSTNode]) -> list[tuple[cst.Call, str]]:
        records: set[str] = set()  # names holding a parsed record
        fields: dict[str, str] = {}  # names holding (text built from) a record's field → the field shown
        assigns = [n for n in nodes if isinstance(n, (cst.Assign, cst.AnnAssign, cst.For))]
        for _ in range(MAX_PASSES):
            before = (len(records), len(fields))
            for n in assigns:
                target, value = _target_value(n)
                if target is None or value is None:
                    continue
                if self._dc_is_record(value, records) or (isinstance(n, cst.For) and self._dc_field(value, records, fields)):
                    records.add(target)  # `for step in plan["steps"]`: each item is a record too
                    continue
                shown = self._dc_field(value, records, fields)
                if shown is not None:
                    fields.setdefault(target, shown)
            if (len(records), len(fields)) == before:
                break
        if not fields and not records:
            return []
        out: list[tuple[cst.Call, str]] = []
        scripts: dict[str, str] = {}  # names of files a field was written into → the field shown
        for n in nodes:
            if not isinstance(n, cst.Call):
                continue
            written = self._dc_written_script(n, records, fields)
            if written is not None:
                scripts.setdefault(written[0], written[1])
        for n in nodes:  # `with open(path, "w") as fh: fh.write(…)`: what fh got, the file at path holds
            if isinstance(n, cst.WithItem) and n.asname is not None and isinstance(n.asname.name, cst.Name) and \
                    n.asname.name.value in scripts and isinstance(n.item, cst.Call) and n.item.args and \
                    isinstance(n.item.args[0].value, cst.Name):
                scripts.setdefault(n.item.args[0].value.value, scripts[n.asname.name.value])
        for n in nodes:
            if isinstance(n, cst.Call):
                hit = self._dc_runs(n, records, fields, scripts)
                if hit is not None:
                    out.append((n, hit))
        return out

    def _dc_is_record(self, expr: cst.BaseExpression, records: set[str]) -> bool:
        """A parsed record: a call of RECORD_CALLS (`json.loads(p.read_text())`), `response.json()`, or a
        record's sub-record (`data["ticket"]`) when bound as a whole."""
        if isinstance(expr, cst.Call):
            q = self.qualname(expr.func)
            if q in RECORD_CALLS:
                return not (expr.args and _fixed_source(expr.args[0].value))
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in RECORD_METHODS and not expr.args:
                return True
        return False

    def _dc_field(self, expr: cst.BaseExpression, records: set[str], fields: dict[str, str]) -> str | None:
        """The record field `expr` holds or is built from (`t["cmd"]`, `t.get("cmd")`, an f-string or a join
        over such a field or a name holding one), shown as written; None otherwise."""
        for n in [expr, *walk_nodes(expr)]:
            if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) and n.value.value in records:
                return _code(n)
            if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "get" and \
                    isinstance(n.func.value, cst.Name) and n.func.value.value in records and n.args:
                return _code(n)
            if isinstance(n, cst.Name) and n.value in fields:
                return fields[n.value]
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
    literal = False
    for n in nodes:
        if isinstance(n, cst.FormattedString):
            return False
        if isinstance(n, cst.Name) and id(n) not in called and n.value != "__file__":
            return False
        literal = literal or isinstance(n, cst.SimpleString)
    return literal
