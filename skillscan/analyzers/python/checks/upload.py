"""py-upload-to-drop-host: a network call that uploads a file — a multipart `files=` argument, or a
file object or a file's content as the body — to a host the service table lists as a drop point
(rules/purpose/services.yaml `sinks`: paste sites, request catchers, anonymous file drops, tunnels,
apps on free hosting, URL shorteners). A skill that ships the user's documents to such a host sends
them to whoever runs it, not to a service the skill is for; the verdict states the host and its kind."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_kwarg
from skillscan.analyzers.python.triggers import Triggers
from skillscan.capabilities.urls import host_of
from skillscan.model import Capability, Location

RULE_IDS: tuple[str, ...] = ("py-upload-to-drop-host",)

BODY_KWARGS = ("data", "content")
URL_KWARGS = ("url",)
READ_METHODS = ("read", "read_bytes", "read_text", "getvalue")


@lru_cache(maxsize=1)
def _table() -> Any:
    from skillscan.purpose.services import load_table

    return load_table()


class UploadChecks(Flows):
    # a network call of the capability map
    TRIGGERS = Triggers(capmap=True)

    def check_upload(self, node: cst.Call, entry: ApiEntry, q: str, loc: Location) -> None:
        if entry.kind != "net.egress":
            return
        what = self._uploaded(node)
        if what is None:
            return
        target = call_kwarg(node, "url")
        if target is None:
            positional = [a.value for a in node.args if a.keyword is None and not a.star]
            target = positional[0] if positional else None
        v = self.value_of(target) if target is not None else None
        host = host_of(v.text) if v is not None else "*"
        if host == "*":
            return
        sink = _table().sink(host)
        if sink is None:
            return
        self.emit("py-upload-to-drop-host", f"{q}() uploads {what} to {host}, {sink.label}", loc,
                  (Capability("net.egress", host),))

    def _uploaded(self, node: cst.Call) -> str | None:
        """What the call sends that is a file: `files=` (multipart), or a body that is a file object or a
        file's content; None when it sends no file."""
        if call_kwarg(node, "files") is not None:
            return "a file (the files= argument)"
        for kw in BODY_KWARGS:
            body = call_kwarg(node, kw)
            if body is not None and self._is_file(body):
                return f"a file's content (the {kw}= argument)"
        return None

    def _is_file(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            b = self.lookup(expr.value)
            return b is not None and (b.path is not None or b.type == "open")
        if isinstance(expr, cst.Call):
            q = self.qualname(expr.func)
            if q in ("open", "builtins.open", "io.open"):
                return True
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in READ_METHODS:
                return self._is_file(expr.func.value) or (isinstance(expr.func.value, cst.Call) and
                                                          self._is_file(expr.func.value))
        return False
