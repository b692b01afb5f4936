"""py-request-code-eval: a server that runs the code or the shell command its requests send. In one module, a
request handler —

- a function decorated as a web route (`@app.route(…)`, `@app.post(…)`, `@router.get(…)`, `@routes.put(…)`,
  `@app.websocket(…)`: a decorator call whose method is a route verb), or
- a `do_GET`/`do_POST`/… method (or `handle` of a socketserver handler) of a class whose base is a request
  handler (`BaseHTTPRequestHandler`, `SimpleHTTPRequestHandler`, `StreamRequestHandler`, …)

— whose body calls `exec`/`eval` on anything but a plain string literal, or starts a shell command built at run
time (`os.system(x)`, `os.popen(x)`, `subprocess.*(x, shell=True)` with `x` not a literal). Whoever can send the
server a request runs code on the machine with the agent's rights. A debugging console or an operator's tool
server has the same shape, so this is review (low confidence). The JavaScript form is js/served_code.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_kwarg
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import code_children as children
from skillscan.model import Capability, Confidence

RULE_IDS: tuple[str, ...] = ("py-request-code-eval",)

ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "view",
                           "add_route"})
HANDLER_METHODS = frozenset({"do_GET", "do_POST", "do_PUT", "do_PATCH", "do_DELETE", "do_HEAD", "handle"})
CODE_SINKS = frozenset({"exec", "eval", "builtins.exec", "builtins.eval"})
SHELL_SINKS = frozenset({"os.system", "os.popen"})
SUBPROCESS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                        "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput"})
MAX_REPORTS = 5  # per module: enough for a verdict


def _literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString))


def _route(fn: cst.FunctionDef) -> str:
    """The route decorator of a function (`app.post`), or ""."""
    for d in fn.decorators:
        dec = d.decorator
        func = dec.func if isinstance(dec, cst.Call) else None
        if isinstance(func, cst.Attribute) and func.attr.value in ROUTE_METHODS and isinstance(func.value, cst.Name):
            return f"{func.value.value}.{func.attr.value}"
    return ""


def _handler_class(cls: cst.ClassDef) -> str:
    """The request-handler base of a class (`BaseHTTPRequestHandler`), or ""."""
    for b in cls.bases:
        v = b.value
        name = v.attr.value if isinstance(v, cst.Attribute) else v.value if isinstance(v, cst.Name) else ""
        if name.endswith("RequestHandler"):
            return name
    return ""


def _handlers(module: cst.Module) -> Iterator[tuple[cst.FunctionDef, str]]:
    """Every request handler of the module, with how the server reaches it."""
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef):
            route = _route(node)
            if route:
                yield node, f"the handler of the web route @{route}"
                continue
        if isinstance(node, cst.ClassDef):
            base = _handler_class(node)
            for stmt in node.body.body:
                if base and isinstance(stmt, cst.FunctionDef) and stmt.name.value in HANDLER_METHODS:
                    yield stmt, f"{stmt.name.value} of the {base} subclass {node.name.value}"
            continue
        if isinstance(node, (cst.If, cst.Try, cst.With, cst.IndentedBlock, cst.Else, cst.FunctionDef)):
            stack.extend(reversed(children(node)))


def _calls(node: cst.CSTNode) -> Iterator[cst.Call]:
    stack: list[cst.CSTNode] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call):
            yield n
        stack.extend(reversed(children(n)))


class ServedCodeChecks(Flows):
    # a report is about a code or shell sink
    TRIGGERS = Triggers(calls=CODE_SINKS | SHELL_SINKS | SUBPROCESS)

    def finish_served_code(self, module: cst.Module) -> None:
        places = []
        for fn, what in _handlers(module):
            for call in _calls(fn.body):
                sink, kind = self._served_sink(call)
                if not sink:
                    continue
                where = self.loc.location(self.path, call)
                places.append((where, partial(self._served_message, sink, what, fn, where.line),
                               {"caps": [Capability("code.dynamic", kind)], "confidence": Confidence.LOW}))
        self.emit_first("py-request-code-eval", MAX_REPORTS, places)  # the cap keeps the file's first places

    def _served_message(self, sink: str, what: str, fn: cst.FunctionDef, line: int) -> str:
        return f"{sink} inside {what}{self._def_line(fn, line)}: whoever can send that server a request runs it on " \
            "this machine"

    def _def_line(self, fn: cst.FunctionDef, before: int) -> str:
        """" (line N)" for the `def` of `fn` nearest above line `before` (a name alone is no unique text)."""
        lines = self.loc.source.splitlines()[:before]
        pattern = re.compile(rf"^\s*(?:async\s+)?def\s+{re.escape(fn.name.value)}\s*\(")
        for n in range(len(lines), 0, -1):
            if pattern.match(lines[n - 1]):
                return f" (line {n})"
        return ""

    def _served_sink(self, call: cst.Call) -> tuple[str, str]:
        """What the call runs when it is given code or a shell command built at run time, and the scope of its
        code.dynamic capability (eval, shell); ("", "") for anything else."""
        q = self.qualname(call.func) or ""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if not positional or _literal(positional[0]):
            return "", ""
        if q in CODE_SINKS:
            return f"`{q}` runs code built at run time", "eval"
        shell = call_kwarg(call, "shell")
        if q in SHELL_SINKS or q in SUBPROCESS and isinstance(shell, cst.Name) and shell.value == "True":
            return f"`{q}` runs a shell command built at run time", "shell"
        return "", ""
