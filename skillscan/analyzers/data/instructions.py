"""Prose decoded from package data, read by the instruction detectors. The text is shown to the agent
only after a script decodes it (a tool result), so its findings take the role `hidden`: text the agent
reads and a reviewer does not see, judged as an agent instruction under raised suspicion. Each finding
sits on the line of the data file that holds the encoded run, with the decoded text beside it."""

from __future__ import annotations

from dataclasses import replace

from skillscan.analyzers.base import finding
from skillscan.analyzers.data.encoded import Prose
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.reporting import dedupe, report
from skillscan.analyzers.instructions.sentence_detectors import sentence_findings
from skillscan.analyzers.normalize import normalize
from skillscan.model import Channel, Finding, Package, PackageFile

MAX_TEXT = 20_000  # characters of one decoded text read by the detectors


def decoded_instructions(package: Package, file: PackageFile, found: list[Prose]) -> list[Finding]:
    """The prose detectors' findings in each decoded text, then every sentence detector's
    (`sentence_detectors.py`) over them all, as hidden text (`hidden-data`: their messages say the sentence
    sits in prose encoded in package data); a decoded text longer than MAX_TEXT is read that far, and that is
    reported."""
    return _read(package, file, found, segment="hidden-data", role="hidden", kinds=("hidden", "section"),
                 what="the prose an encoded run decodes to", decoded=True)


def followed_instructions(package: Package, file: PackageFile, found: list[Prose]) -> list[Finding]:
    """The same detectors over the sentences of a data file the instructions tell the agent to follow
    (`followed.py`): plain instructions of the agent, not hidden text."""
    return _read(package, file, found, segment="section", role="agent-instruction", kinds=("section",),
                 what="a string of this file", decoded=False)


def _read(package: Package, file: PackageFile, found: list[Prose], *, segment: str, role: str,
          kinds: tuple[str, ...], what: str, decoded: bool) -> list[Finding]:
    out: list[Finding] = []
    lines = tuple((file.text or "").split("\n"))
    segments: list[Segment] = []
    for p in found:
        # one line, so that every match is placed on the data file's line that holds the text
        flat = " ".join(p.text[:MAX_TEXT].split())
        norm = normalize(flat)
        doc = Document(file.path, norm, lines, (), ())
        seg = Segment(kinds[0], p.line, norm.text, norm.text, column=p.column)
        segments.append(Segment(segment, p.line, norm.text, norm.text, column=p.column))
        for kind in kinds:
            for m in run_detectors(norm.text, kind):
                out += [replace(f, role=role) for f in report(doc, seg, m, ref_file=False,
                                                               decoded=p.text[:2000] if decoded else None)]
        if len(p.text) > MAX_TEXT:
            out.append(finding("analysis-incomplete", f"{file.path} line {p.line}: only the first {MAX_TEXT:,} "
                               f"characters of {what} were read as instructions",
                               file.path, p.line, channel=Channel.INSTRUCTION))
    if segments:
        doc = Document(file.path, normalize("\n".join(s.text for s in segments)), lines, tuple(segments), ())
        out += [replace(f, role=role) if f.channel is Channel.INSTRUCTION else f
                for f in sentence_findings(package, doc)]
    return dedupe(out)
