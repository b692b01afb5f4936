"""py-reverse-shell: a connected socket duplicated onto stdin/stdout and a shell started, anywhere in the module."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_kwarg
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.values import UNKNOWN
from skillscan.model import Capability, Location

RULE_IDS: tuple[str, ...] = ("py-reverse-shell",)


class ReverseShellChecks(Flows):
    # a socket connect and a shell start, both calls of the capability map
    TRIGGERS = Triggers(capmap=True, calls=frozenset({"os.dup2"}))

    def note_dup2(self, node: cst.Call, q: str, positional: list[cst.BaseExpression]) -> None:
        if q in ("os.dup2",) and positional and self._socket_fileno(positional[0]):
            self._dup2.append(self.loc.location(self.path, node))

    def note_connect(self, entry: ApiEntry, q: str, loc: Location) -> None:
        if entry.kind == "net.egress" and entry.handler in ("socket",) and q.endswith(("connect", "connect_ex")) or \
                q == "socket.create_connection":
            self._socket_connects.append(loc)

    def note_shell_spawn(self, node: cst.Call, loc: Location) -> None:
        self._shell_spawns.append(loc)
        stdin = call_kwarg(node, "stdin")
        if stdin is not None and self._socket_fileno(stdin):
            self._dup2.append(loc)

    def _socket_fileno(self, expr: cst.BaseExpression) -> bool:
        """`s.fileno()` where `s` is a socket (or `s` itself)."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "fileno":
            expr = expr.func.value
        return self.type_of(expr) == "socket.socket"

    def finish_reverse_shell(self) -> None:
        if self._socket_connects and self._dup2 and self._shell_spawns:
            self.emit("py-reverse-shell", "connects a socket, duplicates it onto stdin/stdout and starts a shell",
                      self._shell_spawns[0], [Capability("net.egress", UNKNOWN), Capability("proc.shell")],
                      related=(self._socket_connects[0], self._dup2[0]))
