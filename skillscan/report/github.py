"""GitHub Actions workflow-command annotations, for repositories without code scanning. Every value is
encoded by the sanitiser (`%0A`, `%25`; `%3A`, `%2C` in properties; other controls shown visibly), so
package text cannot end a command or forge another one."""

from __future__ import annotations

from urllib.parse import unquote

from skillscan.model import Report, Severity
from skillscan.report.sanitize import workflow_data as escape_data
from skillscan.report.sanitize import workflow_property as escape_property
from skillscan.report.sarif import artifact_uri

__all__ = ["render", "escape_data", "escape_property"]

COMMAND = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice",
           Severity.INFO: "notice"}


def render(report: Report) -> str:
    lines: list[str] = []
    for r in report.results:
        for f in r.findings:
            encoded, in_archive, _relative = artifact_uri(r.package.root, f.location.path)
            uri = unquote(encoded.removeprefix("file://"))
            line = 1 if in_archive else f.location.line
            where = f" ({f.location.path}:{f.location.line})" if in_archive else ""
            props = f"file={escape_property(uri)},line={line}"
            if not in_archive:
                props += f",col={f.location.column}"
            props += f",title={escape_property(f'skillscan {f.rule_id}')}"
            lines.append(f"::{COMMAND[f.severity]} {props}::{escape_data(f.message + where)}")
        for err in r.errors:
            lines.append(f"::error title={escape_property('skillscan error')}::{escape_data(r.package.input + ': ' + err)}")
        verdict = r.verdict.decision.value
        level = {"block": "error", "review": "warning", "error": "error"}.get(verdict, "notice")
        lines.append(f"::{level} title={escape_property('skillscan verdict')}::"
                     f"{escape_data(f'{r.package.root}: {verdict}' + ('; ' + r.verdict.reasons[0] if r.verdict.reasons else ''))}")
    return "\n".join(lines) + ("\n" if lines else "")
