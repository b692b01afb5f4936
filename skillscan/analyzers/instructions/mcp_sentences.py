"""Tool, prompt and server descriptions of an MCP manifest (`mcp.py`) read by every sentence detector
(`sentence_detectors.py`): an MCP client puts each description in front of the model, so a description is an
instruction to the agent (segments of kind `mcp`, role `agent-instruction`; their messages say the sentence
sits in an MCP tool, prompt or server description). Unicode Tag text inside a description is hidden text
(kind `hidden`, role `hidden`). Each finding cites the manifest line the description's string starts on. At
most `mcp.MAX_STRINGS` descriptions are read (the analyzer reports that bound)."""

from __future__ import annotations

from dataclasses import replace

from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.sentence_detectors import sentence_findings
from skillscan.analyzers.normalize import Normalized, normalize
from skillscan.model import Channel, Finding, Package


def mcp_sentences(package: Package, path: str, text: str,
                  described: list[tuple[str, int, Normalized]]) -> list[Finding]:
    """The sentence detectors' findings in the descriptions (JSON path, manifest line, normalised text)."""
    lines = tuple(text.split("\n"))
    shown = [Segment("mcp", line, norm.text, norm.text, heading=where) for where, line, norm in described]
    tags = [Segment("hidden", line, decoded, decoded, heading=where)
            for where, line, norm in described for decoded in (normalize(h.text).text for h in norm.hidden)]
    out: list[Finding] = []
    for segments, role in ((shown, "agent-instruction"), (tags, "hidden")):
        if segments:
            doc = Document(path, normalize("\n".join(s.text for s in segments)), lines, tuple(segments), ())
            out += [replace(f, role=role) if f.channel is Channel.INSTRUCTION else f
                    for f in sentence_findings(package, doc)]
    return out
