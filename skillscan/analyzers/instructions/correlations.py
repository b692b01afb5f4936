"""Correlations within one document, assembled from the capability matches: credential harvesting
(reads of several credential stores close together) and agent-configuration tampering (a write whose
text weakens safety or speaks to future sessions)."""

from __future__ import annotations

from bisect import bisect_right

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.limits import MAX_PER_RULE, MAX_SECTION
from skillscan.catalog import get_catalog
from skillscan.model import Capability, Channel, Confidence, Finding

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("agent-config-tampering-instruction", "credential-harvest-instruction")

STORE_READ = "secret-store-read-instruction"
HARVEST = "credential-harvest-instruction"
CONFIG_WRITE = ("agent-config-write-instruction", "agent-memory-write-instruction")
TAMPERING = "agent-config-tampering-instruction"
SINGLE_EVIDENCE = (STORE_READ, "agent-config-write-instruction")
HARVEST_WINDOW = 40  # lines: the stores of one harvesting list or procedure sit close together
TAMPER_FENCE_GAP = 4  # lines between a write instruction and the fence holding the written text
TAMPER_TERMS = "<<config_weaken>>|<<agent_directive>>"
MAX_WRITES = MAX_PER_RULE * 4  # lines of one file holding a configuration write read for tampering; past it, said


def harvest(doc: Document, findings: list[Finding]) -> list[Finding]:
    """Reads of two or more distinct credential stores within a few lines of each other: a harvesting
    procedure. Its confidence is that of the second-strongest store read (context discounts carry over)."""
    reads = sorted((f for f in findings if f.rule_id == STORE_READ and f.location.path == doc.path),
                   key=lambda f: f.location.line)
    best: Finding | None = None
    best_conf: Confidence | None = None
    best_kinds: list[str] = []
    for i, first in enumerate(reads):
        by_kind: dict[str, Finding] = {}
        for f in reads[i:]:
            if f.location.line - first.location.line > HARVEST_WINDOW:
                break
            for c in f.capabilities:
                if c.kind == "secrets.read" and (c.scope not in by_kind or f.confidence > by_kind[c.scope].confidence):
                    by_kind[c.scope] = f
        if len(by_kind) < 2:
            continue
        ranked = sorted(by_kind.values(), key=lambda f: f.confidence, reverse=True)
        conf = min(ranked[1].confidence, ctx.raise_(get_catalog().rule(HARVEST).confidence))
        if best_conf is None or conf > best_conf:
            best, best_conf, best_kinds = first, conf, sorted(by_kind)
    if best is None or best_conf is None:
        return []
    caps = [Capability("secrets.read", k) for k in best_kinds]
    lowered = " [lowered: the reads are described, not instructed]" if best_conf < Confidence.MEDIUM else ""
    return [finding(HARVEST, f"{get_catalog().rule(HARVEST).title}: tells the agent to read {len(best_kinds)} "
                    f"distinct credential stores ({', '.join(best_kinds)}){lowered}", doc.path, best.location.line,
                    best.location.column, snippet=best.location.snippet, capabilities=caps,
                    channel=Channel.INSTRUCTION, confidence=best_conf)]


def fence_after(fences: list[Segment], starts: list[int], line: int) -> Segment | None:
    """The fence holding `line`, or the one opening within a few lines after it (fences sorted by line)."""
    i = bisect_right(starts, line) - 1
    if i >= 0 and line < fences[i].line + fences[i].raw.count("\n") + 1:
        return fences[i]
    nxt = fences[i + 1] if i + 1 < len(fences) else None
    return nxt if nxt is not None and line < nxt.line - 1 <= line + TAMPER_FENCE_GAP else None


def tampering(doc: Document, findings: list[Finding]) -> list[Finding]:
    """A write to agent configuration or memory whose written text (the instruction line and the fence
    right after it) weakens the agent's safety or speaks to future agent sessions.

    The bound is on the input: at most MAX_WRITES lines holding a write are read (the findings of one line —
    the same write seen in the prose and in its section — share one reading); past it the lines left
    unread are reported as analysis-incomplete."""
    from skillscan.analyzers.instructions.detectors import term_regex

    writes = [f for f in findings if f.rule_id in CONFIG_WRITE and f.location.path == doc.path]
    if not writes:
        return []
    lines = sorted({f.location.line for f in writes})
    terms = term_regex(TAMPER_TERMS)
    fences = sorted((s for s in doc.segments if s.kind == "fence"), key=lambda s: s.line)
    starts = [s.line for s in fences]
    said: dict[int, str | None] = {}  # line read → what of its written text weakens or speaks on
    for line in lines[:MAX_WRITES]:
        text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
        fence = fence_after(fences, starts, line)
        hit = terms.search(text + "\n" + (fence.raw[:MAX_SECTION] if fence is not None else ""))
        said[line] = " ".join(hit.group(0).split())[:80] if hit is not None else None
    out: list[Finding] = []
    for f in writes:
        what = said.get(f.location.line)
        if what is None:
            continue
        target = ", ".join(str(c) for c in f.capabilities)
        out.append(finding(TAMPERING, f"{get_catalog().rule(TAMPERING).title}: the text written to {target} "
                           f"contains “{what}”", doc.path, f.location.line, f.location.column,
                           snippet=f.location.snippet, capabilities=list(f.capabilities), channel=Channel.INSTRUCTION,
                           confidence=f.confidence))
    if len(lines) > MAX_WRITES:
        out.append(finding("analysis-incomplete", f"{doc.path}: only the first {MAX_WRITES} of its {len(lines)} "
                           f"lines that write to agent configuration or memory were read for {TAMPERING}; the "
                           f"other {len(lines) - MAX_WRITES} (from line {lines[MAX_WRITES]}) were not checked for it",
                           doc.path, 1, channel=Channel.INSTRUCTION))
    return out
