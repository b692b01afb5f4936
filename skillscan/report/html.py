"""The HTML report: one self-contained page (inline CSS, no scripts, no external assets) rendered
with Jinja2 templates from ``skillscan/report/templates/``.

``render_document(doc)`` takes a report dict of the JSON contract (``skillscan.report/v1``) — the
service's moderation page reuses it and the ``package.html.j2`` macro. Every package-derived string
goes through :func:`clean` before the template sees it, and autoescape is on: package text is shown
as text, never as markup, a link or an image.

Size: a finding of medium severity or above shows ``2 * RADIUS + 1`` lines of context (a low one
its own line), lines are cut at 240 characters, a package shows at most
``MAX_FINDINGS`` findings (the rest are counted), and the summary index lists at most
``MAX_INDEX`` packages. Should the package sections still pass ``PAGE_BUDGET``, packages are shown
in a compact form (findings without source lines), then if need be in a short form (verdict and
reasons), `allow` ones first, and the page says how many — so a 10,000-package sweep stays under
50 MB (bench/html_size.py measures it)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from itertools import groupby
from pathlib import Path
from typing import Any

from skillscan.model import Report
from skillscan.report.source import SourceReader

MAX_FINDINGS = 60
CONTEXT_FROM = "medium"  # findings from this severity up show the lines around them; below, their line
MAX_INDEX = 500
MAX_TEXT = 2000
PAGE_BUDGET = 45_000_000  # bytes of the page; past it, packages are shown in compact, then short form
NOTICE_ALLOWANCE = 1_000  # the notice that says how many packages are shown in a smaller form
OPEN_UP_TO = 25  # with this many packages or fewer, those that are not `allow` start expanded
VERDICT_ORDER = {"error": 0, "block": 1, "review": 2, "allow": 3}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
TEMPLATES = Path(__file__).with_name("templates")


def clean(value: object, limit: int = MAX_TEXT) -> str:
    """A package-derived string made safe to show as text: the project's one sanitiser makes control,
    bidi and invisible characters visible, the length is capped; HTML escaping is the template's
    autoescape (so `html_text`, which escapes too, is not used here)."""
    from skillscan.report.sanitize import clip, visible

    return clip(visible("" if value is None else value), limit)


def clean_lines(value: object, limit: int = MAX_TEXT * 10) -> str:
    """A multi-line package-derived text (a suggested declaration) sanitised line by line."""
    from skillscan.report.sanitize import clip

    return "\n".join(clean(line, MAX_TEXT) for line in clip(str(value or ""), limit).splitlines())


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment over the package templates (autoescape always on)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def package_view(p: Mapping[str, Any], index: int, reader: SourceReader | None = None,
                 context_from: str = CONTEXT_FROM) -> dict[str, Any]:
    """What the package template shows, from one package of the JSON report; findings from
    `context_from` severity up get source lines (the moderation page, one version, asks for all)."""
    findings = list(p.get("findings") or [])
    shown = findings[:MAX_FINDINGS]
    files = []
    ordered = sorted(shown, key=lambda f: (f.get("path", ""), int(f.get("line") or 0),
                                           SEVERITY_ORDER.get(str(f.get("severity")), 9)))
    for path, in_file in groupby(ordered, key=lambda f: f.get("path", "")):
        spots = []
        for line, group in groupby(in_file, key=lambda f: int(f.get("line") or 0)):
            at_line = list(group)
            worst = min(SEVERITY_ORDER.get(str(f.get("severity")), 9) for f in at_line)
            ctx = reader.context(p.get("input", ""), p.get("root", ""), path, line) \
                if reader and worst <= SEVERITY_ORDER[context_from] else None
            spots.append({
                "line": line,
                "findings": [{
                    "rule_id": clean(f.get("rule_id"), 120), "severity": clean(f.get("severity"), 20),
                    "confidence": clean(f.get("confidence"), 20), "message": clean(f.get("message")),
                    "column": int(f.get("column") or 0),
                    "capability": clean(f.get("capability"), 200) if f.get("capability") else "",
                    "snippet": clean(f.get("snippet"), 400)} for f in at_line],
                "context": [(n, clean(text, 400)) for n, text in ctx.lines] if ctx else [],
                "note": clean(ctx.note) if ctx and ctx.note else "",
            })
        files.append({"path": clean(path, 400), "spots": spots})
    caps = p.get("capabilities") or {}
    inferred = [str(ic.get("capability", "")) for ic in caps.get("inferred") or []]
    undeclared = set(caps.get("undeclared") or [])
    surfaces = [{"kind": clean(s.get("kind"), 40),
                 "where": clean(f"{s.get('path', '')}:{s.get('line', '')}" if s.get("line") else s.get("path", ""), 400),
                 "command": clean(s.get("command") or s.get("url") or "", 400)} for s in (p.get("surfaces") or [])]
    verdict = str(p.get("verdict", "error"))
    return {
        "anchor": f"pkg-{index}",
        "verdict": verdict if verdict in VERDICT_ORDER else "error",
        "name": clean(p.get("name"), 200), "version": clean(p.get("version"), 100),
        "format": clean(p.get("format"), 60), "root": clean(p.get("root"), 600),
        "risk_level": clean(p.get("risk_level"), 20),
        "reasons": [clean(r) for r in p.get("reasons") or []],
        "errors": [clean(e) for e in p.get("errors") or []],
        "skipped": [clean(s) for s in p.get("skipped") or []],
        "finding_count": len(findings), "hidden_findings": len(findings) - len(shown), "files": files,
        "declared": [clean(c, 300) for c in caps.get("declared") or []],
        "inferred": [(clean(c, 300), c in undeclared) for c in inferred],
        "undeclared": [clean(c, 300) for c in caps.get("undeclared") or []],
        "undeclared_only": [clean(c, 300) for c in caps.get("undeclared") or [] if c not in set(inferred)],
        "unused": [clean(c, 300) for c in caps.get("unused") or []],
        "combinations": [clean(c, 300) for c in caps.get("combinations") or []],
        "drift": [clean(c, 300) for c in caps.get("new_since_previous") or []],
        "suggestions": [{"format": clean(s.get("format"), 60), "path": clean(s.get("path"), 400),
                         "text": clean_lines(s.get("text"))} for s in p.get("suggested_declarations") or []],
        "surfaces": surfaces, "nested": [clean(n, 400) for n in p.get("nested") or []],
    }


def render_document(doc: Mapping[str, Any], *, reader: SourceReader | None = None,
                    title: str = "skillscan report", budget: int = PAGE_BUDGET) -> str:
    """The page for a report dict of the JSON contract; `reader` supplies source context. Packages
    are shown in full; if the page would pass `budget` bytes, `allow` packages (then the others),
    from the last up, are shown in compact form (findings without source lines), then if need be in
    short form (verdict and reasons), and the page says how many."""
    packages = [package_view(p, i, reader) for i, p in enumerate(doc.get("packages") or [])]
    few = len(packages) <= OPEN_UP_TO
    macros = environment().get_template("package.html.j2").module
    sections = [str(macros.package(v, open=few and v["verdict"] != "allow")) for v in packages]
    attention = sorted((v for v in packages if v["verdict"] != "allow"), key=lambda v: VERDICT_ORDER[v["verdict"]])
    tool = doc.get("tool") or {}
    summary = doc.get("summary") or {}
    from markupsafe import Markup

    def page(sections: list[str], compact: int, short: int) -> str:
        return str(environment().get_template("report.html.j2").render(
            title=title, packages=packages, sections=[Markup(x) for x in sections], compact_count=compact,
            short_count=short, budget_label=f"{budget / 1e6:g} MB" if budget >= 1_000_000 else f"{budget / 1e3:g} KB",
            index=attention[:MAX_INDEX], index_hidden=max(0, len(attention) - MAX_INDEX),
            tool={"version": clean(tool.get("version"), 40), "rules_digest": clean(tool.get("rules_digest"), 80)},
            summary={k: summary.get(k, 0) for k in ("packages", "allow", "review", "block", "errors", "seconds")}))

    frame = len(page([], 0, 0).encode("utf-8")) + NOTICE_ALLOWANCE + len(sections)  # + a newline each
    total = sum(len(x.encode("utf-8")) for x in sections) + frame
    order = [i for i in reversed(range(len(packages))) if packages[i]["verdict"] == "allow"] + \
            [i for i in reversed(range(len(packages))) if packages[i]["verdict"] != "allow"]
    demoted: dict[str, set[int]] = {"package_compact": set(), "package_short": set()}
    for form in ("package_compact", "package_short"):  # each pass only while the page is over budget
        for i in order:
            if total <= budget:
                break
            smaller = str(getattr(macros, form)(packages[i]))
            saved = len(sections[i].encode("utf-8")) - len(smaller.encode("utf-8"))
            if saved > 0:
                total -= saved
                sections[i] = smaller
                demoted["package_compact"].discard(i)
                demoted[form].add(i)
    return page(sections, len(demoted["package_compact"]), len(demoted["package_short"]))


def render(report: Report) -> str:
    from skillscan.report.json import report_dict

    return render_document(report_dict(report), reader=SourceReader())


