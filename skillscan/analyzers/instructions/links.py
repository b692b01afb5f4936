"""Links between documents: a document telling the agent to follow another file of the package makes
that (reference) file's instructions count in full."""

from __future__ import annotations

from dataclasses import replace

from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer, with_roles
from skillscan.analyzers.instructions.document import parse_document
from skillscan.analyzers.instructions.follows import FOLLOW, resolve
from skillscan.analyzers.instructions.limits import MAX_TEXT
from skillscan.model import Finding, Location, Package, PackageFile


class InstructionLinksAnalyzer:
    """A document that tells the agent to follow another file of the package carries that file's
    instructions with it: a reference file that is *followed* is analysed as instructions, without the
    reference-file discount, and its findings point back (related location) at the sentence that sends
    the agent there. Runs on the whole package (main process); only followed reference files are read."""

    name = "instructions-links"

    def analyze_package(self, package: Package) -> list[Finding]:
        import posixpath

        analyzer = InstructionsAnalyzer()
        out: list[Finding] = []
        done: set[str] = set()
        # a match counts only when it names a reference file of the package: the last part of its target
        # is that file's name, so a document naming none of them has nothing to follow
        names = {posixpath.basename(g.path) for g in package.files if ctx.reference_file(g.path) and analyzer.applies(g)}
        if not names:
            return out
        for f in package.files:
            if f.is_binary or f.text is None or f.language != "markdown" or ctx.reference_file(f.path):
                continue
            low = f.text[:MAX_TEXT].lower()
            if ".md" not in low and ".txt" not in low:  # every FOLLOW match names a .md/.mdc/.txt file
                continue
            if not any(name in f.text[:MAX_TEXT] for name in names):
                continue
            for m in FOLLOW.finditer(f.text[:MAX_TEXT]):
                target = resolve(f.path, m.group("target") or m.group("targetzh") or m.group("target2") or "")
                if not target or target in done or not ctx.reference_file(target):
                    continue
                tf = package.file(target)
                if tf is None or tf.text is None or not analyzer.applies(tf):
                    continue
                done.add(target)
                line = f.text.count("\n", 0, m.start()) + 1
                via = Location(f.path, line, 1, snippet=" ".join(m.group(0).split())[:200])
                out += stronger_when_followed(analyzer, package, tf, via)
        return out


def stronger_when_followed(analyzer: InstructionsAnalyzer, package: Package, f: PackageFile,
                            via: Location) -> list[Finding]:
    """Findings the followed file gets when read as instructions that the per-file pass reported weaker."""
    text = (f.text or "")[:MAX_TEXT]
    doc = parse_document(f.path, text, markdown=f.language == "markdown" and not f.truncated)
    before = {(x.rule_id, x.location.line, tuple(map(str, x.capabilities))): (x.confidence, x.role)
              for x in with_roles(f.path, text, analyzer._document(package, f, doc))}
    out: list[Finding] = []
    # the per-file pass (in a worker, without the package's other files) could not know the file is
    # followed: a finding it gave at a weaker confidence, or with another role than an instruction's, is
    # given again as the followed file's instruction
    for x in with_roles(f.path, text, analyzer._document(package, f, doc, followed=True), "follow"):
        key = (x.rule_id, x.location.line, tuple(map(str, x.capabilities)))
        if key in before and x.confidence <= before[key][0] and x.role == before[key][1]:
            continue
        out.append(replace(x, message=f"{x.message} (followed from {via.path}:{via.line})",
                           related=x.related + (via,)))
    return out

