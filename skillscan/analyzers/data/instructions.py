"""Prose decoded from package data, read by the instruction detectors. The text is shown to the agent
only after a script decodes it (a tool result), so its findings take the role `hidden`: text the agent
reads and a reviewer does not see, judged as an agent instruction under raised suspicion. Each finding
sits on the line of the data file that holds the encoded run, with the decoded text beside it."""

from __future__ import annotations

from dataclasses import replace

from skillscan.analyzers.data.encoded import Prose
from skillscan.analyzers.instructions.detectors import run_detectors
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.reporting import dedupe, report
from skillscan.analyzers.normalize import normalize
from skillscan.model import Finding, PackageFile

MAX_TEXT = 20_000  # characters of one decoded text read by the detectors


def decoded_instructions(file: PackageFile, found: list[Prose]) -> list[Finding]:
    out: list[Finding] = []
    lines = tuple((file.text or "").split("\n"))
    for p in found:
        # one line, so that every match is placed on the data file's line that holds the encoded run
        flat = " ".join(p.text[:MAX_TEXT].split())
        norm = normalize(flat)
        doc = Document(file.path, norm, lines, (), ())
        seg = Segment("hidden", p.line, norm.text, norm.text, column=p.column)
        for kind in ("hidden", "section"):
            for m in run_detectors(norm.text, kind):
                out += [replace(f, role="hidden") for f in report(doc, seg, m, ref_file=False, decoded=p.text[:2000])]
    return dedupe(out)
