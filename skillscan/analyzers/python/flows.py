"""Flows from sources to sinks (network, subprocess, interpreter, exec), within a function and through local
calls: py-download-execute, py-exec-decoded-payload, py-secret-exfiltration-flow, py-credential-flow."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from skillscan.analyzers.flowfacts import carried
from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.carriers import carrying_name, source_carriers
from skillscan.analyzers.python.flowfacts import flow_of, merged_flow, merged_message, part_of, what, where
from skillscan.analyzers.python.literals import call_kwarg, is_true
from skillscan.analyzers.python.names import COPIES, FLOW_KW_IGNORED, NETWORK_TOOLS
from skillscan.analyzers.python.taint import Tainter
from skillscan.analyzers.python.values import UNKNOWN, Source, Val
from skillscan.capabilities.grammar import normalize_binary, normalize_path, secret_kind_of_path
from skillscan.model import Capability, Flow, Location

RULE_IDS: tuple[str, ...] = ("py-credential-flow", "py-download-execute", "py-exec-decoded-payload",
                             "py-secret-exfiltration-flow")


class Flows(Tainter):
    def track_writes(self, node: cst.Call, q: str | None) -> None:
        """f.write(data) on a file object / shutil.copyfileobj(src, f): remember downloaded files."""
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("write", "writelines") and \
                isinstance(node.func.value, cst.Name):
            b = self.lookup(node.func.value.value)
            if b is not None and b.path is not None and node.args:
                self._mark_written(b.path, self.taint_of(node.args[0].value))
        if q == "shutil.copyfileobj" and len(node.args) >= 2 and isinstance(node.args[1].value, cst.Name):
            b = self.lookup(node.args[1].value.value)
            if b is not None and b.path is not None:
                self._mark_written(b.path, self.taint_of(node.args[0].value))

    def track_files(self, node: cst.Call, entry: ApiEntry, q: str | None) -> None:
        """Files that hold downloaded content or a copied credential store."""
        if q in ("urllib.request.urlretrieve", "urllib.urlretrieve") and len(node.args) >= 2:
            dest = self.value_of(node.args[1].value)
            url = self.value_of(node.args[0].value)
            if dest is not None:
                self._path_taint[dest.text] = Source("remote", url.text if url else UNKNOWN,
                                                     self.loc.location(self.path, node))
        if q in COPIES and len(node.args) >= 2:
            src = self.value_of(node.args[0].value)
            dst = self.value_of(node.args[1].value)
            if src is not None and dst is not None:
                kind = secret_kind_of_path(normalize_path(src.text))
                if kind:
                    self._path_taint[dst.text] = Source("store", kind, self.loc.location(self.path, node),
                                                        Capability("secrets.read", kind))
        if entry.handler == "path_self" and entry.sink == "write" and isinstance(node.func, cst.Attribute) and node.args:
            pv = self.value_of(node.func.value)
            if pv is not None:
                self._mark_written(pv, self.taint_of(node.args[0].value))

    def check_downloaded_run(self, argv: list[str] | None, loc: Location) -> None:
        """A command whose words name a downloaded file."""
        for w in argv or []:
            if w in self._path_taint and self._path_taint[w].kind == "remote":
                src = self._path_taint[w]
                self._flow_finding("py-download-execute", src, loc, f"runs {w}, downloaded from {src.label}",
                                   [Capability("code.remote", src.label)])

    def _mark_written(self, path: Val, taint: tuple[Source, ...]) -> None:
        for t in taint:
            if t.kind in ("remote", "store"):
                self._path_taint[path.text] = t
                return

    def _sink_args(self, node: cst.Call) -> list[cst.BaseExpression]:
        return [a.value for a in node.args if not (a.keyword is not None and a.keyword.value in FLOW_KW_IGNORED)]

    def _sink_parts(self, node: cst.Call, entry: ApiEntry) -> list[tuple[Source, str | None, str | None, str]]:
        """Each tainted value reaching the call with the part of the request it fills, for a header its name
        when the headers are a literal dict (here or where the variable was assigned), and the variable that
        carried it from its read (python/carriers.py `carrying_name`; "" when read in the call itself)."""
        out: list[tuple[Source, str | None, str | None, str]] = []
        position = 0
        for a in node.args:
            kw = a.keyword.value if a.keyword is not None else None
            if kw in FLOW_KW_IGNORED:
                continue
            part = part_of(kw, position, entry.arg or 0) if entry.sink == "network" else None
            if kw is None and isinstance(a.value, cst.Name) and \
                    isinstance(getattr(self.lookup(a.value.value), "node", None), cst.Call):
                part = None  # a request object built earlier: its parts were reported where it was built
            if kw is None:
                position += 1
            named = self._header_names(a.value) if part == "header" else {}
            for t in self.taint_of(a.value):
                out.append((t, part, named.get((t.kind, t.label)), carrying_name(a.value, t, self.lookup,
                                                                                  self._hosts.lines)))
        return out

    def _header_names(self, value: cst.BaseExpression) -> dict[tuple[str, str], str]:
        node: object = value
        if isinstance(value, cst.Name):
            b = self.lookup(value.value)
            node = b.node if b is not None else None
        out: dict[tuple[str, str], str] = {}
        if isinstance(node, cst.Dict):
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    key = self.value_of(e.key)
                    if key is not None and key.exact:
                        for t in self.taint_of(e.value):
                            out.setdefault((t.kind, t.label), key.text)
        return out

    def _sink(self, node: cst.Call, entry: ApiEntry, q: str) -> None:
        args = self._sink_args(node)
        parts = self._sink_parts(node, entry)
        taints = self._cap(t for t, _, _, _ in parts)
        if entry.sink == "exec" and args:
            self._executed.add(id(args[0]))
            v = self.value_of(args[0])
            if v is not None and v.chain:
                loc = self.loc.location(self.path, node)
                self._flow_finding("py-exec-decoded-payload", Source("decoded", " → ".join(v.chain), loc), loc,
                                   f"executes a literal decoded with {' → '.join(v.chain)} via {q}",
                                   [Capability("code.dynamic", "eval")])
        if not taints:
            return
        loc = self.loc.location(self.path, node)
        sink_kind = entry.sink or ""
        _, argv, _ = (self._process_caps(node, entry) if sink_kind == "subprocess" else ([], None, None))
        argv0 = normalize_binary(argv[0]) if argv else ""
        interpreter = argv0 in self._interpreters or is_true(call_kwarg(node, "shell")) or entry.handler == "shell"
        if sink_kind == "subprocess" and argv0 in NETWORK_TOOLS:
            sink_kind = "network"
        desc = f"{q}" + (f" ({' '.join(argv)[:60]})" if argv else "")
        sink_cap = self._caps_for(node, entry, q, quiet=True)
        self._host_carrier(node, sink_cap[0] if sink_cap else None, loc)
        kept = set(taints)
        for t, part, header, via in parts:
            if t not in kept:
                continue
            if t.kind == "param":
                if self.funcs:
                    kind = "interp" if sink_kind == "subprocess" and interpreter else sink_kind
                    self.funcs[-1].param_sinks.append((t.param or 0, kind, loc, desc, sink_cap[0] if sink_cap else None))
                continue
            self._flow(t, sink_kind if not (sink_kind == "subprocess" and interpreter) else "interp", loc, desc,
                       sink_cap[0] if sink_cap else None, part, header, via)

    def _host_carrier(self, node: cst.Call, cap: Capability | None, loc: Location) -> None:
        """Where the host of the call at `loc` is written (kept by location: a call reached through a local
        function's parameter is reported at the end of the module)."""
        if cap is None or cap.kind != "net.egress" or not cap.scope or cap.scope == "*":
            return
        from skillscan.purpose.domains import normalize_host

        found = self._hosts.find(node, normalize_host(cap.scope), loc, self.lookup)
        if found is not None:
            self._sink_hosts[(loc.line, loc.column)] = found

    def _flow(self, t: Source, sink_kind: str, loc: Location, desc: str, sink_cap: Capability | None,
              part: str | None = None, header: str | None = None, via: str = "") -> None:
        caps = [c for c in (t.capability, sink_cap) if c is not None]
        host = sink_cap.scope if sink_cap is not None and sink_cap.kind == "net.egress" else None
        flow = flow_of(t, sink_kind, host, part)
        hosted = self._sink_hosts.get((loc.line, loc.column))
        flow = carried(flow, source_carriers(t, flow, via) + ([hosted] if hosted is not None else []))
        if t.kind == "remote" and sink_kind in ("exec", "interp"):
            self._flow_finding("py-download-execute", t, loc, f"executes content downloaded from {t.label} via {desc}",
                               [Capability("code.remote", t.label if t.label != UNKNOWN else UNKNOWN)])
        elif t.kind == "decoded" and sink_kind in ("exec", "interp"):
            self._flow_finding("py-exec-decoded-payload", t, loc, f"executes decoded data ({t.label}) via {desc}",
                               [Capability("code.dynamic", "eval")])
        elif _secret(t) and sink_kind == "network":
            self._fact_finding("py-secret-exfiltration-flow", t, loc, ("sends", what(t), where(flow, header, desc)),
                               caps, flow)
        elif (_secret(t) or t.kind == "cred") and sink_kind in ("network", "subprocess", "interp", "exec"):
            verb = "sends" if sink_kind == "network" else "passes"
            self._fact_finding("py-credential-flow", t, loc, (verb, what(t), where(flow, header, desc)), caps, flow)

    def _fact_finding(self, rule: str, t: Source, loc: Location, sentence: tuple[str, str, str],
                      caps: list[Capability], flow: Flow) -> None:
        """One finding per rule and location: a further value reaching the same call joins the first finding
        (its message, capabilities, sources and flow facts)."""
        key = (rule, loc.line, t.location.line, t.label)
        if key in self._flow_seen:
            return
        self._flow_seen.add(key)
        at = (rule, loc.path, loc.line, loc.column)
        if at not in self._flow_events:
            before = len(self.result.events)
            self.emit(rule, " ".join(sentence), loc, caps, related=(t.location,), flow=flow)
            if len(self.result.events) > before:
                self._flow_events[at] = (self.result.events[-1], [sentence])
            return
        ev, sentences = self._flow_events[at]
        sentences.append(sentence)
        ev.message = merged_message(sentences)
        ev.capabilities = ev.capabilities + tuple(c for c in caps if c not in ev.capabilities)
        ev.related = ev.related + ((t.location,) if t.location not in ev.related else ())
        ev.flow = merged_flow(ev.flow, flow)

    def _flow_finding(self, rule: str, t: Source, loc: Location, message: str, caps: list[Capability],
                      extra: Iterable[Location] = ()) -> None:
        key = (rule, loc.line, 0, "") if rule == "py-exec-decoded-payload" else (rule, loc.line, t.location.line, t.label)
        if key in self._flow_seen:
            return
        self._flow_seen.add(key)
        self.emit(rule, message, loc, caps, related=(t.location, *extra))

    def _local_call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Name):
            return
        b = self.lookup(node.func.value)
        if b is None or b.func is None:
            return
        args: list[tuple[int | str, tuple[Source, ...]]] = []
        index = 0
        for a in node.args:
            key: int | str
            if a.keyword is not None:
                key = a.keyword.value
            else:
                key = index
                index += 1
            taint = self.taint_of(a.value)
            if taint:
                args.append((key, taint))
        if args:
            self._deferred_calls.append((b.func.name, args, self.loc.location(self.path, node)))
            self._deferred_funcs[b.func.name] = b.func
            if self.funcs:
                self._deferred_caller[len(self._deferred_calls) - 1] = self.funcs[-1]

    def _propagate_flows(self) -> None:
        """At the end of the module: parameter → sink summaries through local calls (bounded), then the flows
        of the arguments recorded at each local call."""
        funcs = self._deferred_funcs
        callers = self._deferred_caller
        # propagate param → sink summaries through local calls (a(x) → b(x) → post(x)), bounded
        for _ in range(3):
            changed = False
            for i, (name, args, loc) in enumerate(self._deferred_calls):
                callee = funcs.get(name)
                caller = callers.get(i)
                if callee is None or caller is None:
                    continue
                for key, taints in args:
                    idx = key if isinstance(key, int) else (callee.params.index(key) if key in callee.params else -1)
                    for p_idx, kind, sloc, desc, cap in list(callee.param_sinks):
                        if p_idx != idx:
                            continue
                        for t in taints:
                            if t.kind == "param" and t.func == caller.name:
                                entry = (t.param or 0, kind, sloc, desc, cap)
                                if entry not in caller.param_sinks:
                                    caller.param_sinks.append(entry)
                                    changed = True
            if not changed:
                break
        for name, args, loc in self._deferred_calls:
            callee = funcs.get(name)
            if callee is None:
                continue
            for key, taints in args:
                idx = key if isinstance(key, int) else (callee.params.index(key) if key in callee.params else -1)
                for p_idx, kind, sloc, desc, cap in callee.param_sinks:
                    if p_idx != idx:
                        continue
                    for t in taints:
                        if t.kind != "param":
                            self._flow_call(t, kind, sloc, desc, cap, loc)

    def _flow_call(self, t: Source, kind: str, sloc: Location, desc: str, cap: Capability | None,
                   call_loc: Location) -> None:
        before = len(self.result.events)
        self._flow(t, kind, sloc, desc, cap)
        if len(self.result.events) > before:
            ev = self.result.events[-1]
            ev.related = ev.related + (call_loc,)


def _secret(t: Source) -> bool:
    """A credential store, the whole environment, or variables chosen by credential-looking names."""
    return t.kind in ("store", "envdump") or t.kind == "envsel" and t.selection is not None and t.selection.credential
