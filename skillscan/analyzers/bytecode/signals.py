"""What the names and constants read from compiled Python show: network hosts of URL constants,
and names that run decoded or dynamic code, open sockets or run commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillscan.analyzers.bytecode.marshal_strings import Pyc
from skillscan.capabilities.urls import host_of
from skillscan.model import Capability, Severity

_URL = re.compile(r"https?://[^\s'\"<>)]{3,300}")
EXEC = {"exec", "eval", "__import__"}
DECODERS = {"b64decode", "b32decode", "b85decode", "a85decode", "fromhex", "unhexlify"}
PROCESS = {"system", "popen", "Popen", "check_output", "spawn", "execv", "execve", "startfile"}
SOCKET = {"socket", "connect", "create_connection"}


@dataclass(frozen=True)
class Signal:
    message: str
    capabilities: tuple[Capability, ...]
    severity: Severity
    snippet: str = ""


def _list(names: set[str]) -> str:
    return ", ".join(sorted(names))


def signals(pyc: Pyc, path: str) -> list[Signal]:
    out: list[Signal] = []
    names = set(pyc.names)
    hosts: dict[str, str] = {}
    for c in pyc.constants:
        for url in _URL.findall(c)[:4]:
            host = host_of(url)
            if host and host != "*" and host not in hosts and len(hosts) < 16:
                hosts[host] = url
    for host, url in hosts.items():
        # a constant is not a connection: reported, with no capability (examples and test data hold URLs too)
        out.append(Signal(f"compiled code {path} holds the URL {url[:200]}", (), Severity.LOW, url[:200]))
    ex, dec = names & EXEC, names & DECODERS
    if ex and dec:
        out.append(Signal(f"compiled code {path} uses {_list(ex)} together with {_list(dec)} (code decoded at "
                          "run time and executed, hidden from review)", (Capability("code.dynamic", "eval"),),
                          Severity.HIGH))
    proc = names & PROCESS
    if proc:
        out.append(Signal(f"compiled code {path} uses {_list(proc)} (runs commands)", (), Severity.MEDIUM))
    sock = names & SOCKET
    if "socket" in names and sock - {"socket"}:
        out.append(Signal(f"compiled code {path} uses {_list(sock)} (opens network connections)", (),
                          Severity.MEDIUM))
    return out
