"""The facts of a data flow, as data (`model.Flow`) and as the sentence of its finding: what is sent
(the whole environment, named variables, a file's content, a credential store), where it goes (which
host, in which part of the request: a header — which one —, the body or the URL) and whether the
variable's service owns that host. No libcst here: the caller says which argument carried the value."""

from __future__ import annotations

from skillscan.analyzers.flowfacts import joined_carriers, same_service, sent_to
from skillscan.analyzers.python.values import UNKNOWN, Source
from skillscan.capabilities.grammar import store_phrase
from skillscan.model import Flow
from skillscan.purpose.domains import normalize_host

# keyword arguments of HTTP clients, by the part of the request they fill
HEADER_KWS = frozenset({"headers", "auth", "cookies"})
BODY_KWS = frozenset({"data", "json", "files", "content", "body"})
URL_KWS = frozenset({"url", "params"})
SINK_WORDS = {"network": "the network", "subprocess": "a subprocess", "interp": "an interpreter", "exec": "exec"}


def part_of(keyword: str | None, position: int, url_position: int) -> str | None:
    """The part of a request an argument fills: `header`, `body`, `url`, or None when not known."""
    if keyword is not None:
        return "header" if keyword in HEADER_KWS else "body" if keyword in BODY_KWS else \
            "url" if keyword in URL_KWS else None
    if position == url_position:
        return "url"
    return "body" if position == url_position + 1 else None


def variable_of(t: Source) -> str | None:
    """The environment variable a `cred` source names (`env:DO_API_TOKEN` → DO_API_TOKEN)."""
    scope = (t.capability.scope or "") if t.capability is not None else t.label
    return scope[4:] if t.kind == "cred" and scope.startswith("env:") else None


def flow_of(t: Source, sink: str, host: str | None, part: str | None) -> Flow:
    if t.kind == "envdump":
        source, names = "environment", ()
    elif t.kind == "envsel" and t.selection is not None:
        source, names = "selection", t.selection.shown_terms
    elif t.kind == "cred" and variable_of(t):
        source, names = "variables", (variable_of(t) or "",)
    elif t.kind == "cred":
        source, names = "file", (t.label,)
    else:
        source, names = "store", (t.label,)
    host = normalize_host(host) if host and host != UNKNOWN else None
    net = sink == "network"
    return Flow(source, names, "interpreter" if sink == "interp" else sink, host if net else None,
                part if net else None, same_service(names[0] if source == "variables" else None, host) if net else None)


def what(t: Source) -> str:
    """The thing sent, as the message names it."""
    if t.kind == "envdump":
        return f"the whole environment ({t.label})"
    if t.kind == "envsel":
        return t.label
    var = variable_of(t)
    if var:
        return var
    if t.kind == "cred":
        return f"the content of {t.label}"
    return f"{t.label} credential-store data" if t.label != "agent-history" else f"data of {store_phrase(t.label)}"


def where(flow: Flow, header: str | None, desc: str) -> str:
    """`as the Authorization header to api.digitalocean.com via requests.get`."""
    if flow.sink != "network":
        return f"to {SINK_WORDS.get(flow.sink, flow.sink)} via {desc}"
    return f"{sent_to(flow, header)} via {desc}"


SOURCE_ORDER = ("environment", "store", "selection", "file", "variables")


def merged_flow(a: Flow | None, b: Flow) -> Flow:
    """Two values reaching one call: the broader source (the whole environment, then a credential store,
    variables selected by name, a file, named variables), every name, and the sink facts both share (else None)."""
    if a is None:
        return b
    source = min(a.source, b.source, key=SOURCE_ORDER.index)
    names = tuple(dict.fromkeys(a.names + b.names))
    return Flow(source, names, a.sink, a.host if a.host == b.host else None, a.part if a.part == b.part else None,
                a.service if a.service == b.service else None, joined_carriers(a, b))


def merged_message(sentences: list[tuple[str, str, str]]) -> str:
    """`sends A and B in the request body to h via f`; sentences whose verb and destination differ are joined
    with `;`."""
    groups: dict[tuple[str, str], list[str]] = {}
    for verb, thing, dest in sentences:
        groups.setdefault((verb, dest), [])
        if thing not in groups[(verb, dest)]:
            groups[(verb, dest)].append(thing)
    parts = []
    for (verb, dest), things in groups.items():
        listed = things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]
        parts.append(f"{verb} {listed} {dest}")
    return "; ".join(parts)
