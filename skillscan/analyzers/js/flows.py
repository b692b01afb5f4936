"""Source → network flows in one JavaScript/TypeScript file, as `model.Flow` facts and sentences that say what
goes where: `sends GITHUB_TOKEN as the Authorization header to api.github.com (the variable's own service) via
fetch`. Sinks: `fetch`, `axios` (and its methods), `got`, `http(s).request|get` (and `.write`/`.end` on the
request), `new WebSocket(url)` and `.send` on it, `navigator.sendBeacon`, `.write` on a `net`/`tls` socket,
a `curl`/`wget` command run by `child_process.exec`/`execSync` (what is written into the command). A child
process's `env` option is not egress and is not a sink. Rules: js-secret-exfiltration-flow (the whole
environment, the variables chosen by credential-looking names — js/envselect.py — or a credential file to
the network), js-credential-flow (a named credential variable to the network).

The parts of a request are read where it is sent, with what was written into its objects before
(js/mutations.py: `headers.set(…)`, `h[k] = v`, `Object.assign(opts, …)`, `opts.headers = …`) and their spreads
(`{...headers}`, MAX_SPREAD deep); names imported from the package's own modules read their exports
(js/modules.py). Each flow carries where its host, variables and files are written (js/carriers.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from skillscan.analyzers.envselect import shown
from skillscan.analyzers.flowfacts import carried, part_phrase, same_service, sent_to
from skillscan.analyzers.js.carriers import origin
from skillscan.analyzers.js.modules import Imports
from skillscan.analyzers.js.mutations import Mutations
from skillscan.analyzers.js.parse import Parsed
from skillscan.analyzers.js.taint import REQUESTS, Source, Taint
from skillscan.analyzers.js.values import UNKNOWN, Values, dotted, string_value, unwrap
from skillscan.capabilities.grammar import store_phrase
from skillscan.model import Carrier, Finding, Flow, Location, ModuleFacts

RULE_IDS: tuple[str, ...] = ("js-credential-flow", "js-secret-exfiltration-flow")

FETCH = REQUESTS - {"got", "ky", "request", "superagent", "needle", "axios"}
AXIOS_URL_FIRST = frozenset({"get", "delete", "head", "options"})
AXIOS_DATA = frozenset({"post", "put", "patch"})
HTTP_MODULES = frozenset({"http", "https", "http2"})
HEADER_KEYS = frozenset({"headers", "auth", "Authorization", "authorization"})
BODY_KEYS = frozenset({"body", "data", "json", "form", "formData"})
URL_KEYS = ("url", "baseURL", "baseUrl", "href", "uri")
QUERY_KEYS = frozenset({"params", "searchParams", "query", "path"})
MAX_SPREAD = 8  # objects spread or assigned into one another, followed this deep
CONTAINERS = frozenset({"Headers", "Map", "URLSearchParams"})
CHILD_PROCESS = frozenset({"child_process", "cp", "childProcess", "proc"})
NETWORK_CLIENTS = frozenset({"curl", "wget"})


@dataclass(frozen=True)
class Part:
    """One value reaching a sink: the node, the part of the request it fills and the header's name."""

    node: Any
    part: str | None
    header: str | None = None


@dataclass(frozen=True)
class Sink:
    desc: str
    host: str | None
    parts: tuple[Part, ...]
    host_node: Any = None  # the expression the host was folded from


class FlowFinder:
    def __init__(self, parsed: Parsed, values: Values, path: str,
                 modules: Mapping[str, ModuleFacts] | None = None) -> None:
        self.parsed = parsed
        self.values = values
        if modules:
            values.imports = Imports(parsed, path, modules)
        self.mutations = Mutations(parsed, values)
        self.taint = Taint(parsed, values, self.mutations)
        self.path = path
        self._before = 0  # the byte offset of the call being read: writes into its objects before it count

    # -- sinks ------------------------------------------------------------------------------------------------------
    def sink(self, node: Any) -> Sink | None:
        p = self.parsed
        is_new = node.type == "new_expression"
        fn = unwrap(node.child_by_field_name("constructor" if is_new else "function"))
        callee = self.taint.name(fn) if fn is not None else ""
        args = self._args(node)
        on = unwrap(fn.child_by_field_name("object")) if fn is not None and fn.type == "member_expression" else None
        if not is_new and on is not None and on.type in ("call_expression", "new_expression") and \
                p.text(fn.child_by_field_name("property")) in ("write", "end", "send"):
            self._before = node.start_byte  # `https.request(…).end(body)`: sent on the request made there
            return self._on_request("." + p.text(fn.child_by_field_name("property")), on, args)
        if not callee or not args and not callee.endswith((".write", ".end", ".send")):
            return None
        self._before = node.start_byte
        head, _, method = callee.rpartition(".")
        if is_new:
            if callee in ("WebSocket", "ws.WebSocket", "WebSocketClient"):
                return Sink(f"new {callee}", self._host(args[0]), (Part(args[0], "url"),), args[0])
            return None
        if callee in FETCH or callee == "got" or callee in ("ky", "request", "superagent", "needle"):
            return Sink(callee, self._host(args[0]), (Part(args[0], "url"),) + self._options(args[1:2]), args[0])
        if callee in ("axios", "axios.request"):
            return Sink(callee, self._host_in(args[0]), self._options(args[:1]), self._url_node(args[0]))
        if head in ("axios", "got", "ky") and method in AXIOS_URL_FIRST | AXIOS_DATA:
            data = (Part(args[1], "body"),) if method in AXIOS_DATA and len(args) > 1 else ()
            opts = args[2:3] if method in AXIOS_DATA else args[1:2]
            return Sink(callee, self._host(args[0]), (Part(args[0], "url"),) + data + self._options(opts), args[0])
        if head in HTTP_MODULES and method in ("request", "get"):
            return self._http(callee, args)
        if callee in ("navigator.sendBeacon", "sendBeacon"):
            return Sink(callee, self._host(args[0]), (Part(args[0], "url"),) + tuple(Part(a, "body") for a in args[1:2]),
                        args[0])
        if head in ("net", "tls") and method in ("connect", "createConnection"):  # what is sent: `.write` on it
            return Sink(callee, self._socket_host(args), (), node)
        if method in ("write", "end", "send") and fn is not None and fn.type == "member_expression":
            return self._on_request(callee, fn.child_by_field_name("object"), args)
        if method in ("exec", "execSync") and head in CHILD_PROCESS or callee in ("exec", "execSync"):
            return self._command(callee, args[0])
        return None

    def _command(self, callee: str, node: Any) -> Sink | None:
        """`exec(`curl "https://h/p?v=${val}"`)`: a command whose program is a network client sends what is
        written into it."""
        from skillscan.capabilities.urls import script_host

        cmd = (self.values.value(node) or "").replace("\x00", "*")
        words = cmd.split()
        if not words or words[0].rsplit("/", 1)[-1] not in NETWORK_CLIENTS:
            return None
        url = re.search(r"[a-z][a-z0-9+.-]*://[^\s'\"]+", cmd)
        h = script_host(url.group(0), UNKNOWN) if url else None
        host = None if h in (None, "*") else h
        return Sink(f"{callee} ({shown(' '.join(words), 60)})", host, (Part(node, None),), node)

    def _args(self, node: Any) -> list[Any]:
        args = node.child_by_field_name("arguments")
        return [c for c in args.named_children if c.type != "comment"] if args is not None else []

    def _host(self, node: Any) -> str | None:
        from skillscan.capabilities.urls import script_host

        v = self.values.value(node)
        if not v or "://" not in v:
            return None
        h = script_host(v, UNKNOWN)
        return None if h == "*" else h

    def _object(self, node: Any) -> Any:
        """The object literal a name is bound to; for `new Headers({…})` / `new Map(…)`, its argument."""
        obj = self.values._container(node, 0)
        name = _target(self.parsed, node)
        if obj is None and name and "." not in name:
            bound = unwrap(self.values.bindings.lookup(name, node.start_byte))
            if bound is not None and bound.type == "new_expression" and \
                    self.parsed.text(bound.child_by_field_name("constructor")) in CONTAINERS:
                args = self._args(bound)
                obj = self.values._container(args[0], 0) if args else None
        return obj

    def _pairs(self, node: Any, depth: int = 0) -> list[tuple[str, Any]]:
        """The (key, value) pairs of the object a request part is made of: its literal pairs, the objects spread
        into it and what was written into it before the call (an unknown key is "")."""
        if depth > MAX_SPREAD:
            self.parsed._say(f"objects spread or assigned into one another more than {MAX_SPREAD} deep were not "
                             "followed")
            return []
        obj = self._object(node)
        out: list[tuple[str, Any]] = []
        for c in obj.named_children if obj is not None and obj.type == "object" else ():
            if c.type == "pair":
                k = c.child_by_field_name("key")
                key = string_value(self.parsed, k) if k is not None and k.type == "string" else \
                    self.parsed.text(k) if k is not None else ""
                out.append((key, c.child_by_field_name("value")))
            elif c.type == "shorthand_property_identifier":
                out.append((self.parsed.text(c), c))
            elif c.type == "spread_element" and c.named_children:
                out += self._pairs(c.named_children[0], depth + 1)
        return out + self._written(_target(self.parsed, node), depth)

    def _written(self, target: str, depth: int) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for w in self.mutations.into(target, self._before):
            if w.key == "*":
                out += self._pairs(w.value, depth + 1)
            else:
                out.append((w.key or "", w.value))
        return out

    def _url_node(self, node: Any) -> Any:
        pairs = dict(self._pairs(node))
        return next((pairs[k] for k in (*URL_KEYS, "hostname", "host") if k in pairs), None)

    def _host_in(self, node: Any) -> str | None:
        pairs = dict(self._pairs(node))
        for k in URL_KEYS:
            if k in pairs:
                return self._host(pairs[k])
        for k in ("hostname", "host"):
            if k in pairs:
                v = self.values.constant(pairs[k])
                return v.lower() if v and "/" not in v and v.strip() else None
        return None

    def _socket_host(self, args: list[Any]) -> str | None:
        """`net.connect(443, "h")`, `net.connect({host: "h", port})`."""
        first = unwrap(args[0]) if args else None
        if first is not None and first.type in ("object", "identifier") and self._pairs(first):
            return self._host_in(first)
        for a in args[:2]:
            v = self.values.constant(a)
            if v and not v.isdigit() and "/" not in v and "." in v:
                return v.lower()
        return None

    def _options(self, opts: list[Any]) -> tuple[Part, ...]:
        out: list[Part] = []
        for o in opts:
            pairs = self._pairs(o)
            if not pairs:
                out.append(Part(o, None))
                continue
            for key, value in pairs:
                if key in HEADER_KEYS:
                    named = self._pairs(value) + self._written(f"{_target(self.parsed, o)}.{key}", 1) \
                        if _target(self.parsed, o) else self._pairs(value)
                    if named:
                        out.extend(Part(v, "header", k or None) for k, v in named)
                    else:
                        out.append(Part(value, "header", key if key[0].isupper() else None))
                elif key in BODY_KEYS:
                    out.append(Part(value, "body"))
                elif key in URL_KEYS or key in QUERY_KEYS:
                    out.append(Part(value, "url"))
        return tuple(out)

    def _http(self, callee: str, args: list[Any]) -> Sink:
        first = unwrap(args[0])
        if first is not None and first.type in ("object", "identifier") and self._pairs(first):
            return Sink(callee, self._host_in(first), self._options([first]), self._url_node(first))
        return Sink(callee, self._host(first), (Part(first, "url"),) + self._options(args[1:2]), first)

    def _on_request(self, callee: str, obj: Any, args: list[Any]) -> Sink | None:
        """`req.write(body)` on `const req = http.request(…)`, `ws.send(data)` on `const ws = new WebSocket(…)`."""
        obj = unwrap(obj)
        if obj is None or obj.type not in ("identifier", "call_expression", "new_expression") or not args:
            return None
        bound = obj if obj.type != "identifier" else \
            unwrap(self.values.bindings.lookup(self.parsed.text(obj), obj.start_byte))
        if bound is None or bound.type not in ("call_expression", "new_expression"):
            return None
        made = self.sink(bound)
        if made is None:
            return None
        return Sink(f"{callee} on {made.desc}", made.host, (Part(args[0], "body"),), made.host_node)

    # -- findings ---------------------------------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        from skillscan.analyzers.base import finding

        out: list[Finding] = []
        for node in calls(self.parsed):
            if self.parsed.spent():
                break
            sink = self.sink(node)
            if sink is None:
                continue
            found: dict[str, list[tuple[Source, Part]]] = {}
            for part in sink.parts:
                for src in self.taint.of(part.node):
                    if src.kind == "selection" and not (src.selection is not None and src.selection.credential):
                        continue  # variables chosen by names that are not credential-looking
                    rule = "js-credential-flow" if src.kind == "variables" else "js-secret-exfiltration-flow"
                    if all((s, q.part, q.header) != (src, part.part, part.header) for s, q in found.get(rule, [])):
                        found.setdefault(rule, []).append((src, part))
            line, col = self.parsed.position(node)
            snippet = self.parsed.text(node).splitlines()[0].strip()[:200] if self.parsed.text(node) else ""
            for rule, items in found.items():
                flow = _merged([_flow(s, p, sink.host) for s, p in items])
                flow = carried(flow, self._carriers(items, sink, flow.host))
                message = _sentence(items, sink)
                caps = [f"net.egress[{sink.host or '*'}]"] + [_source_cap(s) for s, _ in items]
                related = tuple(dict.fromkeys(Location(s.path or self.path, s.line, s.column) for s, _ in items))
                f = finding(rule, message, self.path, line, col, snippet=snippet, capabilities=dict.fromkeys(caps),
                            related=related)
                out.append(replace(f, flow=flow))
        return out


    def _carriers(self, items: list[tuple[Source, Part]], sink: Sink, host: str | None) -> list[Carrier]:
        """Where the host, each variable and each file the message names are written, and what carried them."""
        out = [Carrier("variable" if s.kind == "variables" else "path", s.name, s.via, s.path or self.path, s.line)
               for s, _ in items if s.kind in ("variables", "store")]
        if host and sink.host_node is not None:
            found = origin(self.values, sink.host_node, host)
            if found is not None:
                out.insert(0, Carrier("host", host, found[0], found[1] or self.path, found[2]))
        return out


def _target(parsed: Parsed, node: Any) -> str:
    """The dotted name of an object written into (`opts`, `opts.headers`, a shorthand `{headers}`), else ""."""
    node = unwrap(node)
    if node is not None and node.type == "shorthand_property_identifier":
        return parsed.text(node)
    return dotted(parsed, node) if node is not None else ""


def calls(parsed: Parsed) -> list[Any]:
    """Every call and `new` expression of the file, in source order."""
    return sorted(parsed.of_kind("call_expression") + parsed.of_kind("new_expression"), key=lambda n: n.start_byte)


def _source_cap(s: Source) -> str:
    if s.kind == "environment":
        return "env.read[*]"
    if s.kind == "selection":
        return "secrets.read[env:*]"
    if s.kind == "variables":
        return f"secrets.read[env:{s.name}]"
    return f"secrets.read[{s.store}]"


def _what(s: Source) -> str:
    if s.kind == "environment":
        return "the whole environment (process.env)"
    if s.kind in ("variables", "selection"):
        return s.name
    return f"the content of {s.name} ({s.store} credential store)" if s.store != "agent-history" else \
        f"the content of {s.name} ({store_phrase(s.store)})"


def _flow(s: Source, part: Part, host: str | None) -> Flow:
    from skillscan.purpose.domains import normalize_host

    source = {"environment": "environment", "variables": "variables", "selection": "selection"}.get(s.kind, "store")
    names = () if s.kind == "environment" else (s.store,) if s.kind == "store" else \
        s.selection.shown_terms if s.kind == "selection" and s.selection is not None else (s.name,)
    h = normalize_host(host) if host and host != UNKNOWN else None
    return Flow(source, names, "network", h, part.part, same_service(s.name if s.kind == "variables" else None, h))


_ORDER = ("environment", "store", "selection", "file", "variables")


def _merged(flows: list[Flow]) -> Flow:
    first = flows[0]
    source = min((f.source for f in flows), key=_ORDER.index)
    names = tuple(dict.fromkeys(n for f in flows for n in f.names))
    same = {f.part for f in flows}
    services = {f.service for f in flows}
    return Flow(source, names, "network", first.host, first.part if len(same) == 1 else None,
                first.service if len(services) == 1 else None)


def _sentence(items: list[tuple[Source, Part]], sink: Sink) -> str:
    """`sends GITHUB_TOKEN as the Authorization header to api.github.com (the variable's own service) via fetch`;
    several values: `sends A as the Authorization header and B in the request body to h via fetch`."""
    if len(items) == 1:
        s, part = items[0]
        return f"sends {_what(s)} {sent_to(_flow(s, part, sink.host), part.header)} via {sink.desc}"
    groups: dict[str, list[str]] = {}
    for s, part in items:
        things = groups.setdefault(part_phrase(_flow(s, part, sink.host), part.header), [])
        if _what(s) not in things:
            things.append(_what(s))
    clauses = [f"{_listed(things)} {phrase}".rstrip() for phrase, things in groups.items()]
    listed = _listed(clauses)
    dest = sink.host or "a host the analysis could not resolve"
    return f"sends {listed} to {dest} via {sink.desc}"


def _listed(things: list[str]) -> str:
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]
