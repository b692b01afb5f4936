"""What the names and constants read from compiled Python show: network hosts of URL constants,
credential files named by path constants, and names that run decoded or dynamic code, send network
requests, open sockets or run commands. A credential path, a network sender and a URL in the same
compiled file are reported together as the file sending what it reads to that host (the legs of a
credential exfiltration; each is only a name or a constant, so medium confidence)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillscan.analyzers.bytecode.marshal_strings import Pyc
from skillscan.capabilities.grammar import secret_kind_of_path
from skillscan.capabilities.urls import host_of
from skillscan.model import Capability, Severity

_URL = re.compile(r"https?://[^\s'\"<>)]{3,300}")
EXEC = {"exec", "eval", "__import__"}
DECODERS = {"b64decode", "b32decode", "b85decode", "a85decode", "fromhex", "unhexlify"}
PROCESS = {"system", "popen", "Popen", "check_output", "spawn", "execv", "execve", "startfile"}
SOCKET = {"socket", "connect", "create_connection"}
# a network client module and one of its sending calls: `urllib.request.urlopen`, `requests.post`, `http.client`
NET_MODULES = {"urllib", "requests", "httpx", "http", "aiohttp", "urllib3", "socket", "ftplib", "smtplib"}
NET_SENDERS = {"urlopen", "urlretrieve", "Request", "post", "put", "patch", "request", "send", "sendall", "sendto",
               "HTTPConnection", "HTTPSConnection", "storbinary", "sendmail", "upload"}
# a constant that may be a path: home-relative, absolute, or a dot-directory of the home (".aws/credentials")
_PATHLIKE = re.compile(r"^(?:~|\$HOME|/|[A-Za-z]:[\\/]|\.[\w-]+/)[^\s]{2,255}$")
MAX_PATHS = 8  # credential paths reported per file
# names that open or read files (`json.loads` parses a string and `dict.copy` copies a mapping: not reads)
READERS = {"open", "read", "read_text", "read_bytes", "readlines", "copyfile"}


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
    stores: dict[str, str] = {}  # every credential path constant (the reader bounds the constants), by kind
    for c in pyc.constants:
        if _PATHLIKE.match(c) and c not in stores:
            kind = secret_kind_of_path(c if c.startswith(("~", "$", "/")) or c[1:2] == ":" else "~/" + c)
            if kind is not None:
                stores[c] = kind
    senders = names & NET_SENDERS if names & NET_MODULES else set()
    reads = names & READERS  # a path constant is a read only where the code also opens or reads files
    shown = list(stores.items())[:MAX_PATHS]
    for n, (path_const, kind) in enumerate(shown, start=1):
        how = f" and uses {_list(reads)}" if reads else ""
        more = f" ({len(stores) - len(shown)} more credential paths not listed)" if n == len(shown) and \
            len(stores) > len(shown) else ""
        out.append(Signal(f"compiled code {path} names the credential file {path_const} ({kind} credentials){how}"
                          f"{more}", (Capability("secrets.read", kind),) if reads else (), Severity.MEDIUM, path_const))
    if stores and reads and senders and hosts:
        kinds = sorted(set(stores.values()))
        out.append(Signal(f"compiled code {path} names {', '.join(kinds)} credential files, reads files "
                          f"({_list(reads)}) and sends network requests ({_list(senders)}) with the URLs of "
                          f"{', '.join(list(hosts)[:4])}: what it reads can leave the machine",
                          tuple(Capability("secrets.read", k) for k in kinds)
                          + tuple(Capability("net.egress", h) for h in list(hosts)[:4]), Severity.HIGH))
    elif senders and hosts:
        out.append(Signal(f"compiled code {path} sends network requests ({_list(senders)}) and holds the URLs of "
                          f"{', '.join(list(hosts)[:4])}", tuple(Capability("net.egress", h) for h in list(hosts)[:4]),
                          Severity.MEDIUM))
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
