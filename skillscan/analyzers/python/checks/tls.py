"""py-tls-verify-disabled: TLS certificate checks turned off (unverified contexts, verify=False, CERT_NONE)."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_kwarg, is_false
from skillscan.analyzers.python.triggers import Triggers

RULE_IDS: tuple[str, ...] = ("py-tls-verify-disabled",)


class TlsChecks(Flows):
    # the capability map's tls_off_calls, a `verify=` argument, a verify_mode/check_hostname/verify assignment
    TRIGGERS = Triggers(indicator_calls=("tls_off_calls",), words=frozenset({"verify", "verify_mode", "check_hostname"}),
                        calls=frozenset({"ssl._create_default_https_context", "ssl.CERT_NONE"}))

    def check_tls_call(self, node: cst.Call, q: str, entry: ApiEntry | None) -> None:
        if q in self._tls_off_calls:
            self._tls_off(node, f"{q}() creates a TLS context that does not verify certificates")
        verify = call_kwarg(node, "verify")
        if verify is not None and is_false(verify) and (entry is not None and entry.kind == "net.egress"
                                                        or q.split(".", 1)[0] in ("requests", "httpx", "aiohttp")):
            self._tls_off(node, f"{q}(verify=False) disables TLS certificate verification")

    def check_tls_assign(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        attr = target.attr.value
        if attr in ("verify_mode", "check_hostname", "verify") and (
                is_false(value) or self.qualname(value) == "ssl.CERT_NONE"):
            self._tls_off(target, f"sets {attr} to disable TLS certificate checks")
        if self.qualname(target) == "ssl._create_default_https_context" and \
                self.qualname(value) in self._tls_off_calls:
            self._tls_off(target, "replaces the default HTTPS context with an unverified one")

    def _tls_off(self, node: cst.CSTNode, message: str) -> None:
        self.emit("py-tls-verify-disabled", message, self.loc.location(self.path, node))
