"""What one pass over a Python module produces: events (a rule, a message, a place, capabilities) and
virtual files decoded from literals. No libcst here, so the token fallback can use them too."""

from __future__ import annotations

from dataclasses import dataclass, field

from skillscan.model import Capability, Confidence, Flow, Location, Severity


@dataclass
class Event:
    rule_id: str
    message: str
    location: Location
    capabilities: tuple[Capability, ...] = ()
    confidence: Confidence | None = None
    severity: Severity | None = None
    related: tuple[Location, ...] = ()
    decoded: str | None = None
    flow: Flow | None = None


@dataclass
class VirtualPayload:
    text: str
    data: bytes
    chain: tuple[str, ...]
    location: Location
    language: str


@dataclass
class Result:
    events: list[Event] = field(default_factory=list)
    payloads: list[VirtualPayload] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # bound → what it left out (reported by the engine)

