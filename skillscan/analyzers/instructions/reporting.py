"""From a detector match to a finding: where it sits (`Place`), the context that lowers or raises its
confidence (examples, negation, tables, quotes, reference sections, hidden text), its message; and
one finding per rule and line."""

from __future__ import annotations

from dataclasses import dataclass

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.capabilities import match_capabilities, payload_name, secret_name
from skillscan.analyzers.instructions.detectors import Match
from skillscan.analyzers.instructions.document import Document, Segment
from skillscan.analyzers.instructions.fences import fence_at, fence_lang
from skillscan.analyzers.instructions.limits import MAX_PER_RULE
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.analyzers.instructions.unicode import obfuscated
from skillscan.catalog import get_catalog
from skillscan.model import Channel, Confidence, Finding, RuleClass


@dataclass(frozen=True)
class Place:
    """Where a match sits, for context decisions."""

    path: str
    kind: str
    line: int
    column: int
    sentence_before: str
    sentence: str
    heading: str
    line_text: str
    hidden: str = ""  # "" | "comment" | "html" | "tag" | "latex" | "mcp"
    section_title: str = ""  # innermost heading below the document title (level 2+)
    intro: str = ""  # for fences: the lines that introduce it


# where hidden text sits (Place.hidden), as the note of a finding on it: each raises the confidence
HIDDEN_NOTES = {"comment": "hidden in an HTML comment", "html": "hidden from the rendered page",
                "tag": "hidden in invisible Unicode Tag characters", "latex": "hidden from the typeset page by LaTeX markup"}


def place_of(doc: Document, seg: Segment, m: Match, src: Segment | None = None) -> Place:
    line = seg.line_at(m.start)
    start_of_line = seg.text.rfind("\n", 0, m.start) + 1
    column = (m.start - start_of_line + 1) if seg.kind not in ("frontmatter", "hidden", "hidden-html", "hidden-latex") \
        else seg.column
    before, sentence = ctx.sentence_around(seg.text, m.start, m.end)
    if len(m.parts) > 1:  # a combo: the whole stretch its parts cover, in full lines
        lo = seg.text.rfind("\n", 0, m.span[0]) + 1
        hi = seg.text.find("\n", m.span[1])
        sentence = seg.text[lo : hi if hi >= 0 else len(seg.text)][:4000]
    if src is not None:
        seg = Segment(src.kind, src.line, "", "", src.info, src.heading, src.column)
    line_text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    hidden = {"comment": "comment", "hidden": "tag", "hidden-html": "html", "hidden-latex": "latex"}.get(seg.kind, "")
    section = doc.heading_at(line) if seg.kind != "frontmatter" else None
    title = section.heading if section is not None and (section.level > 1 or ctx.reference_file(doc.path)) else ""
    intro = doc.previous_text(seg.line - 1) if seg.kind == "fence" else ""
    return Place(doc.path, seg.kind, line, column, before, sentence, seg.heading or doc.heading_path(line),
                 line_text, hidden, title, intro)

def report(doc: Document, seg: Segment, m: Match, *, ref_file: bool,
            decoded: str | None = None, src: Segment | None = None) -> list[Finding]:
    rule = get_catalog().rule(m.detector.rule)
    place = place_of(doc, seg, m, src)
    if src is not None:  # kind, fence info and heading of the block the match sits in
        seg = Segment(src.kind, src.line, "", "", src.info, src.heading, src.column)
    confidence = m.pattern.confidence if m.pattern.confidence is not None else rule.confidence
    severity = m.pattern.severity if m.pattern.severity is not None else rule.severity
    reasons = description_reasons(doc, place, m, seg)
    if "negated" in reasons and rule.rule_class is RuleClass.CAPABILITY:
        return []  # "never read ~/.ssh": no evidence of the capability at all
    notes: list[str] = []
    if reasons:
        confidence = Confidence.LOW
        notes.append("lowered: " + ", ".join(reasons))
    else:
        if ref_file and not place.hidden:
            confidence = ctx.lower(confidence)
            notes.append("lowered: reference file")
    if place.hidden in HIDDEN_NOTES:
        confidence = ctx.raise_(confidence)
        notes.append(HIDDEN_NOTES[place.hidden])
    if place.line in doc.normalized.changed_lines and not place.hidden and obfuscated(doc, place.line):
        confidence = ctx.raise_(confidence) if not reasons else confidence
        notes.append("obfuscated with invisible or look-alike characters")
    quote = " ".join(m.text.split())[:160]
    file = m.groups.get("file") or m.groups.get("file2") or "the file"  # the configuration file a pattern names
    detail = m.pattern.message.format(secret=secret_name(m, place.sentence), payload=payload_name(m), file=file) \
        if m.pattern.message else ""
    message = f"{rule.title}: {detail or '“' + quote + '”'}"
    if place.heading and seg.kind == "section":
        message += f" (section “{place.heading[:60]}”)"
    if notes:
        message += f" [{'; '.join(notes)}]"
    return [finding(
        rule.id, message, doc.path, place.line, place.column, snippet=place.line_text.strip() or quote,
        capabilities=match_capabilities(m, place.sentence), channel=Channel.INSTRUCTION, confidence=confidence,
        severity=severity, decoded=decoded,
    )]


def report_mcp(doc: Document, seg: Segment, m: Match, where: str, decoded: str | None = None) -> Finding:
    rule = get_catalog().rule(m.detector.rule)
    confidence = m.pattern.confidence if m.pattern.confidence is not None else rule.confidence
    severity = m.pattern.severity if m.pattern.severity is not None else rule.severity
    if decoded is not None:
        confidence = ctx.raise_(confidence)
    quote = " ".join(m.text.split())[:160]
    return finding(rule.id, f"{rule.title}: “{quote}” in {where}", doc.path, seg.line, snippet=quote,
                   capabilities=match_capabilities(m), channel=Channel.INSTRUCTION, confidence=confidence,
                   severity=severity, decoded=decoded)



def description_reasons(doc: Document, place: Place, m: Match, seg: Segment) -> list[str]:
    w = ctx.words()
    reasons: list[str] = []
    if place.section_title and w.reference_heading.search(place.section_title):
        reasons.append(f"section “{place.section_title[:60]}”")
    if w.describe_sentence.search(place.sentence):
        reasons.append("described as an example or indicator")
    if m.detector.negatable and w.negation.search(place.sentence_before):
        reasons.append("negated")
    if seg.kind == "table":
        reasons.append("in a table")
    if seg.kind == "fence" and place.intro and w.describe_sentence.search(place.intro):
        reasons.append("fence introduced as an example or indicator list")
    if seg.kind == "section":
        if place.line_text.lstrip().startswith("|"):
            reasons.append("in a table")
        fence = fence_at(doc, place.line)
        if fence is not None:
            lang = fence_lang(fence.info)
            intro = doc.previous_text(fence.line - 1)
            if lang in w.output_fence and lang not in w.shell_fence:
                reasons.append(f"in a `{lang}` fence")
            elif intro and (w.describe_sentence.search(intro) or w.negation.search(intro)):
                reasons.append("fence introduced as an example or something to avoid")
    if seg.kind in ("prose", "html") and place.line_text:
        first = m.text.split("\n", 1)[0].strip()
        col = place.line_text.find(first[:40]) if first else -1
        if col >= 0 and ctx.quoted(place.line_text, col, col + len(first)):
            reasons.append("quoted")
    if place.hidden:
        return [r for r in reasons if r != "quoted"]
    return reasons


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, path, line) of this engine's rules: the strongest, at most MAX_PER_RULE per rule
    and file (the last saying how many more there were). Findings of other engines (shell, for commands) pass
    through untouched."""
    best: dict[tuple[str, str, int], Finding] = {}
    order: list[tuple[str, str, int]] = []
    passthrough: list[Finding] = []
    for f in findings:
        if f.engine != "instructions":
            passthrough.append(f)
            continue
        key = (f.rule_id, f.location.path, f.location.line)
        if key not in best:
            best[key] = f
            order.append(key)
        elif (f.confidence, f.severity, f.decoded is not None) > (best[key].confidence, best[key].severity,
                                                                    best[key].decoded is not None):
            best[key] = f
    kept: list[Finding] = []
    per_rule: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}  # index in `kept` of the last finding kept per (rule, path)
    for k in order:
        f = best[k]
        n = per_rule.get((f.rule_id, f.location.path), 0)
        if n < MAX_PER_RULE:
            last[(f.rule_id, f.location.path)] = len(kept)
            kept.append(f)
        per_rule[(f.rule_id, f.location.path)] = n + 1
    for key, n in per_rule.items():  # the cap's last finding says how many more it left out
        if n > MAX_PER_RULE:
            kept[last[key]:last[key] + 1] = capped(kept[last[key]:last[key] + 1], n - MAX_PER_RULE, MAX_PER_RULE)
    return kept + passthrough
