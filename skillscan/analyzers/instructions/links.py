"""Links between documents: a document telling the agent to follow another file of the package makes
that (reference) file's instructions count in full. Which files are followed is a fact of the package
(`follows.followed`, found once by the analyze stage); the per-file pass leaves those files' findings to
this engine, so each is reported once, as the followed file's instruction."""

from __future__ import annotations

from dataclasses import replace

from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer, with_roles
from skillscan.analyzers.instructions.document import parse_document
from skillscan.analyzers.instructions.follows import followed
from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.analyzers.instructions.reporting import dedupe
from skillscan.model import Finding, Location, Package, PackageFile


class InstructionLinksAnalyzer:
    """A document that tells the agent to follow another file of the package carries that file's
    instructions with it: a reference file that is *followed* is analysed as instructions, without the
    reference-file discount, and its findings point back (related location) at the sentence that sends
    the agent there. Runs on the whole package (main process); only followed reference files are read."""

    name = "instructions-links"

    def analyze_package(self, package: Package) -> list[Finding]:
        analyzer = InstructionsAnalyzer()
        out: list[Finding] = []
        for target, via in followed(package).items():
            tf = package.file(target)
            if tf is not None:
                out += followed_findings(analyzer, package, tf, via)
        return out


def followed_findings(analyzer: InstructionsAnalyzer, package: Package, f: PackageFile,
                      via: Location) -> list[Finding]:
    """The followed file's findings, read as instructions, each naming the sentence that sends the agent
    there."""
    text = (f.text or "")[:MAX_TEXT]
    doc = parse_document(f.path, text, markdown=f.language == "markdown", oversized=f.truncated)
    found = with_roles(f.path, text, dedupe(analyzer._document(package, f, doc, followed=True)), "follow")
    return [replace(x, message=f"{x.message} (followed from {via.path}:{via.line})", related=x.related + (via,))
            for x in found]
