"""DNS exfiltration: a name lookup (`dig`, `nslookup`, `host`, `drill`, `kdig`, `delv`, PowerShell
`Resolve-DnsName`) whose queried name starts with data computed at run time — a command substitution
(`$(whoami)`, `` `hostname` ``) or a variable the same text assigns from a command or an expression
(`T=$(base64 < ~/.aws/credentials)`, `$d = [Convert]::ToBase64String(…)`) — under a literal domain.
The name servers of that domain receive the data in the query: no HTTP request is needed.

A variable that is not assigned from a command in the analysed text (a loop over a word list, a
parameter, an environment variable) is not data leaving: `dig "$sub.example.com"` enumerates names
and is left to shell-network-egress."""

from __future__ import annotations

import re

from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.lazyre import lazy
from skillscan.model import Capability

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("shell-dns-exfiltration",)

RESOLVERS = {"dig", "nslookup", "host", "drill", "kdig", "delv", "resolve-dnsname"}
# dynamic parts of a word: $(…), `…`, ${NAME…}, $NAME (PowerShell: $NAME, $env:NAME, $($x))
_DYNAMIC = lazy(r"\$\((?:[^()]|\([^()]*\))*\)|`[^`]*`|\$\{[^}]*\}|\$(?:env:)?[A-Za-z_][A-Za-z0-9_]*")
_DOMAIN_TAIL = lazy(r"^[.-]?((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})\.?$")
_VAR_NAME = lazy(r"^\$(?:\{)?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)")


def dns_name_parts(raw: str) -> tuple[list[str], str] | None:
    """(the dynamic parts, the literal domain after the last one) of a queried name, or None when the
    name does not start with run-time data under a literal domain."""
    text = raw.strip().strip("\"'")
    parts = list(_DYNAMIC.finditer(text))
    if not parts or parts[0].start() != 0:
        return None
    tail = text[parts[-1].end():]
    m = _DOMAIN_TAIL.match(tail)
    if m is None:
        return None
    return [p.group(0) for p in parts], m.group(1).lower()


class DnsMixin(AnalyzerBase):
    texts: list[str]

    def _assigned_from_code(self, name: str, powershell: bool) -> bool:
        """Whether a text analysed in this run assigns `name` from a command or an expression."""
        if powershell:
            pat = re.compile(r"(?im)\$" + re.escape(name) + r"\s*=\s*[\[\($]")
        else:
            pat = re.compile(r"(?m)(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+)?" + re.escape(name) +
                             r"=[\"']?(?:\$\(|`)")
        return any(pat.search(t) for t in self.texts)

    def _carries_data(self, part: str, powershell: bool) -> bool:
        if part.startswith("$(") or (part.startswith("`") and not powershell):
            return True
        m = _VAR_NAME.match(part)
        return m is not None and self._assigned_from_code(m.group(1), powershell)

    def _dns_exfil(self, cmd: Cmd, key: str, name: str, args: list[Word], frame: Frame) -> None:
        if key.lower() not in RESOLVERS:
            return
        powershell = frame.dialect == "powershell"
        for w in args:
            if w.value is not None and "$" not in w.raw and "`" not in w.raw:
                continue
            found = dns_name_parts(w.raw)
            if found is None:
                continue
            parts, domain = found
            carried = [p for p in parts if self._carries_data(p, powershell)]
            if not carried:
                continue
            shown = ", ".join(f"`{p}`" for p in dict.fromkeys(carried))
            self.run.add(frame, cmd, "shell-dns-exfiltration", [Capability("net.egress", domain)],
                         say("dns-exfil", name=name, shown=shown, domain=domain))
            return
