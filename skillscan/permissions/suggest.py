"""The suggested minimal declaration (REFERENCE §4.5 step 8): the inferred set projected onto the
package's own format with the narrowest scope the format can express, plus a generic block
(OWASP AST10 style) for what the format has no field for. How a declaration is written in each format
is the format's own knowledge (`FormatSpec.write_suggestion` in skillscan/formats/<format>.py).
Deterministic text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skillscan.capabilities.grammar import TOP, covers
from skillscan.formats import spec_for
from skillscan.formats.emit import Suggestion, _block_yaml, _yaml
from skillscan.model import Capability, InferredCapability, Package
from skillscan.permissions.declared import Declared
from skillscan.permissions.safe import safe_to_suggest

__all__ = ["Suggestion", "_block_yaml", "_yaml", "generic_block", "suggest"]

# capabilities that need no declaration: the surface declares itself, or they follow from another
SELF = ("agent.hook", "input.untrusted", "host.api", "sys.info")


def generic_block(caps: Sequence[Capability]) -> dict[str, Any]:
    files_r = sorted({c.scope or "*" for c in caps if c.kind == "fs.read"})
    files_w = sorted({c.scope or "*" for c in caps if c.kind in ("fs.write", "fs.delete")})
    hosts = sorted({c.scope or "*" for c in caps if c.kind == "net.egress"})
    env = sorted({c.scope or "*" for c in caps if c.kind == "env.read"})
    execs = sorted({c.scope or "*" for c in caps if c.kind == "proc.exec"})
    block: dict[str, Any] = {"shell": TOP in caps}
    if files_r or files_w:
        block["files"] = {k: v for k, v in (("read", files_r), ("write", files_w)) if v}
    if hosts:
        block["network"] = {"allow": hosts}
    if env:
        block["env"] = env
    if execs:
        block["exec"] = execs
    other = sorted(str(c) for c in caps if c.kind not in ("fs.read", "fs.write", "fs.delete", "net.egress",
                                                            "env.read", "proc.exec", "proc.shell", "secrets.read"))
    if other:
        block["other"] = other
    return {"permissions": block}


def _needed(inferred: Sequence[InferredCapability], declared: Declared) -> list[Capability]:
    # a `!`cmd`` block declares itself to the gate, but Claude Code still needs it pre-approved
    surface = {d.capability for d in declared.declarations if d.source in ("surface", "user")
               and d.field != "surface:load-time-command"}
    caps = []
    for ic in inferred:
        c = ic.capability
        if c.kind in SELF or any(covers(s, c) for s in surface):
            continue
        if not safe_to_suggest(c):
            continue  # never unscoped shell, an untrusted host or a mis-read scope: left undeclared, reported
        if c.kind == "secrets.read" and (c.scope or "").startswith("env:"):
            continue  # expressed by the env.read of the same name
        if c.kind == "secrets.read" and c.scope not in (None, "*") and not (c.scope or "").startswith("env:"):
            continue  # a credential store follows from the fs.read that reaches it
        caps.append(c)
    return sorted(set(caps), key=str)


def suggest(package: Package, inferred: Sequence[InferredCapability], declared: Declared) -> tuple[Suggestion, ...]:
    caps = _needed(inferred, declared)
    spec = spec_for(package.format)
    if spec is not None and spec.write_suggestion is not None:
        native, rest = spec.write_suggestion(caps, package, inferred)
    else:
        native, rest = (), caps
    out = list(native)
    if rest:
        block = generic_block(rest)
        out.append(Suggestion("generic", "", _yaml(block), block))
    return tuple(out)
