"""The capabilities one API call has, from the capability map and its resolved arguments."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.evaluate import Evaluator
from skillscan.analyzers.python.literals import call_arg, call_kwarg, is_true
from skillscan.analyzers.python.names import split_words
from skillscan.analyzers.python.values import UNKNOWN, Val, env_name_glob, host_of
from skillscan.capabilities.grammar import (
    is_agent_config_path,
    is_credential_env,
    normalize_binary,
    normalize_path,
    persist_kind_of_path,
    secret_kind_of_path,
)
from skillscan.model import Capability


# request objects a URL opener is handed (`urlopen(req)`): the host is the one the object was made with
REQUEST_OBJECTS = frozenset({"urllib.request.Request", "urllib2.Request"})

class CallCapabilities(Evaluator):
    def _path_arg(self, node: cst.Call, entry: ApiEntry) -> Val | None:
        if entry.handler == "path_self" or (entry.handler == "open" and entry.name.startswith("pathlib.")):
            expr = node.func.value if isinstance(node.func, cst.Attribute) else None
        else:
            expr = call_arg(node, entry.arg, entry.kw)
        v = self.value_of(expr)
        return v if v is not None or expr is None else self.returned(expr)

    def _open_mode(self, node: cst.Call, entry: ApiEntry) -> str:
        if entry.name.startswith("pathlib."):
            m = self.value_of(call_arg(node, 0, "mode"))
        else:
            m = self.value_of(call_arg(node, 1, "mode"))
        return m.text if m is not None else "r"

    def _caps_for(self, node: cst.Call, entry: ApiEntry, q: str, quiet: bool = False) -> list[Capability]:
        kind = entry.kind
        fixed = entry.fixed_scope
        h = entry.handler
        if h == "import":
            v = self.value_of(call_arg(node, entry.arg, entry.kw))
            return [] if v is not None and v.exact else [Capability("code.dynamic", "import")]
        if fixed is not None or h == "const":
            return [Capability.parse(entry.capability)]
        if h == "url":
            a = call_arg(node, entry.arg, entry.kw)
            v = self.value_of(a)
            if v is None:  # `urlopen(req)` of `req = urllib.request.Request(URL, …)`: the request's URL
                made = a
                if isinstance(a, cst.Name):
                    b = self.lookup(a.value)
                    made = b.node if b is not None and isinstance(b.node, cst.Call) else a
                if isinstance(made, cst.Call) and self.qualname(made.func) in REQUEST_OBJECTS:
                    v = self.value_of(call_arg(made, 0, "url"))
            return [Capability(kind, host_of(v.text) if v is not None else UNKNOWN)]
        if h in ("socket", "listen"):
            a = call_arg(node, entry.arg, entry.kw)
            host = UNKNOWN
            port = UNKNOWN
            if isinstance(a, cst.Tuple) and a.elements:
                hv = self.value_of(a.elements[0].value)
                host = host_of(hv.text) if hv is not None and hv.text else UNKNOWN
                if len(a.elements) > 1:
                    pv = self.value_of(a.elements[1].value)
                    port = pv.text if pv is not None and pv.exact else UNKNOWN
            if h == "listen":
                return [Capability(kind, port if port != UNKNOWN else None)]
            return [Capability(kind, host)]
        if h in ("open", "path", "path_self"):
            pv = self._path_arg(node, entry)
            scope = normalize_path(pv.text) if pv is not None else UNKNOWN
            if h == "open":
                mode = self._open_mode(node, entry)
                kind = "fs.write" if any(c in mode for c in "wax+") else "fs.read"
            caps = [Capability(kind, scope)]
            if kind == "fs.read" and scope != UNKNOWN:
                secret = secret_kind_of_path(scope)
                if secret:
                    caps.append(Capability("secrets.read", secret))
            if kind == "fs.write" and scope != UNKNOWN:
                pk = persist_kind_of_path(scope)
                if pk:
                    caps.append(Capability("persist", pk))
                elif is_agent_config_path(scope):
                    caps.append(Capability("persist", "agent-config"))
            return caps
        if h in ("env", "env_write"):
            v = self.value_of(call_arg(node, entry.arg, entry.kw))
            name = v.text if v is not None and v.exact else None
            # a computed name is one variable the analysis cannot name (or a glob of it), never the whole
            # environment: env.read with no scope, or with the known parts (`*_TOKEN`)
            caps = [Capability(kind, name if name is not None else env_name_glob(v))]
            if h == "env" and name is not None and is_credential_env(name):
                caps.append(Capability("secrets.read", f"env:{name}"))
            return caps
        if h in ("subprocess", "shell", "execv"):
            return [c for c in self._process_caps(node, entry)[0]]
        return [Capability.parse(entry.capability)]

    def _process_caps(self, node: cst.Call, entry: ApiEntry) -> tuple[list[Capability], list[str] | None, str | None]:
        """(capabilities, argv if known, shell command if known)."""
        a = call_arg(node, entry.arg, entry.kw)
        shell_kw = is_true(call_kwarg(node, "shell"))
        if entry.handler == "shell" or (shell_kw and entry.handler == "subprocess"):
            if isinstance(a, (cst.List, cst.Tuple)) and a.elements:
                a = a.elements[0].value
            v = self.value_of(a)
            if v is None:
                return [Capability("proc.shell")], None, None
            words = split_words(v.text)
            if not v.exact or not words:
                return [Capability("proc.shell")], None, v.text
            return [Capability("proc.exec", normalize_binary(words[0]))], words, v.text
        if entry.handler == "execv":
            v = self.value_of(a)
            argv = [v.text] if v is not None else None
            rest = call_arg(node, entry.arg + 1 if entry.arg is not None else None, None)
            more = self.argv_of(rest) if isinstance(rest, (cst.List, cst.Tuple, cst.Name)) else None
            if argv and more:
                argv = argv + more[1:]
            prog = argv[0] if argv else UNKNOWN
            return [Capability("proc.exec", normalize_binary(prog) if prog != UNKNOWN else UNKNOWN)], argv, None
        argv = self.argv_of(a)
        if argv and len(argv) == 1 and isinstance(a, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString,
                                                      cst.BinaryOperation, cst.Name)):
            argv = split_words(argv[0]) or argv
        if not argv:
            return [Capability("proc.exec", UNKNOWN)], None, None
        prog = argv[0]
        caps = [Capability("proc.exec", normalize_binary(prog) if UNKNOWN not in prog else UNKNOWN)]
        base = normalize_binary(prog)
        if base in self._shells and len(argv) >= 3 and argv[1] in ("-c", "/c", "-Command", "-command"):
            if UNKNOWN in argv[2]:
                caps.append(Capability("proc.shell"))
            return caps, argv, argv[2]
        return caps, argv, None

    # ------------------------------------------------------------------ events

