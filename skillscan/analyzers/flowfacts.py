"""Flow facts every engine states alike (issue 14): whether a credential's service owns the host it is
sent to, and how a message says so. The Python engine (analyzers/python/flowfacts.py) and the shell
engine (analyzers/shell/requests.py) both build `model.Flow` with these.

- `same_service(variable, host) -> "same" | "other" | None`: `same` when a service of the variable owns
  the host (rules/purpose/services.yaml), `other` when both are known and none does, else None.
- `service_phrase(flow) -> str`: " (the variable's own service)", " (a host of Telegram, not of OpenAI,
  the variable's service)" or "".
- `sent_to(flow, header) -> str`: "as the Authorization header to api.digitalocean.com (…)"; `part_phrase` is
  its first half.
- `carried(flow, carriers)`, `joined_carriers(a, b)`: the flow with where each named thing is written (`model.Carrier`),
  and the carriers of two merged flows (every distinct one, in order)."""

from __future__ import annotations

from dataclasses import replace

from skillscan.model import Carrier, Flow
from skillscan.purpose.services import load_table


def same_service(variable: str | None, host: str | None) -> str | None:
    if not variable or not host or host == "*":
        return None
    table = load_table()
    by_env = {s.id for s in table.for_env(variable)}
    by_host = {s.id for s in table.for_host(host)}
    if not by_env or not by_host:
        return None
    return "same" if by_env & by_host else "other"


def service_phrase(flow: Flow) -> str:
    if flow.service == "same":
        return " (the variable's own service)"
    if flow.service != "other" or not flow.names or not flow.host:
        return ""
    table = load_table()
    owner = table.for_env(flow.names[0])
    at = table.for_host(flow.host)
    if not owner or not at:
        return ""
    return f" (a host of {at[0].label}, not of {owner[0].label}, the variable's service)"


def part_phrase(flow: Flow, header: str | None) -> str:
    """`as the Authorization header`, `in the request body`, `in the URL`, or "" when the part is not known."""
    return {"header": f"as the {header} header" if header else "in a request header", "body": "in the request body",
            "url": "in the URL"}.get(flow.part or "", "")


def sent_to(flow: Flow, header: str | None) -> str:
    part = part_phrase(flow, header)
    dest = flow.host or "a host the analysis could not resolve"
    return f"{part + ' ' if part else ''}to {dest}{service_phrase(flow)}"


def joined_carriers(a: Flow, b: Flow) -> tuple[Carrier, ...]:
    return tuple(dict.fromkeys(a.carriers + b.carriers))


def carried(flow: Flow, carriers: list[Carrier] | tuple[Carrier, ...]) -> Flow:
    """The flow with these carriers added (each once; a host carrier only for the flow's own host)."""
    kept = [c for c in carriers if c.kind != "host" or (flow.host is not None and c.value == flow.host)]
    return replace(flow, carriers=tuple(dict.fromkeys(flow.carriers + tuple(kept))))
