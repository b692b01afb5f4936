"""py-mining-pool: connections to mining pools and launches of cryptocurrency miners."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_arg
from skillscan.analyzers.python.triggers import Triggers
from skillscan.model import Capability, Location

RULE_IDS: tuple[str, ...] = ("py-mining-pool",)


class MiningChecks(Flows):
    # a network call or a process start of the capability map
    TRIGGERS = Triggers(capmap=True)

    def check_mining_pool(self, node: cst.Call, entry: ApiEntry, loc: Location) -> None:
        v = self.value_of(call_arg(node, entry.arg, entry.kw))
        if v is not None and self._mining is not None and self._mining.search(v.text):
            self.emit("py-mining-pool", f"connects to a mining pool ({v.text[:80]})", loc,
                      [Capability("compute.mine")])

    def check_miner_launch(self, q: str, base: str, argv: list[str] | None, command: str | None,
                           loc: Location) -> None:
        words = [w.lower() for w in (argv or [])] + ([command.lower()] if command else [])
        if base in self._miners or (self._mining is not None and any(self._mining.search(w) for w in words)):
            self.emit("py-mining-pool", f"{q} launches a cryptocurrency miner", loc, [Capability("compute.mine")])
