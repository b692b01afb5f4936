"""A version's verdict on the moderation page, rendered through the HTML report's own package
template (`skillscan/report/templates/package.html.j2`, via `skillscan.report.html.package_view`):
the same sanitiser, the same evidence layout, and source context — the lines around each finding —
read again from the archive the service stored for the version. Once the archive is gone (deleted,
or a rejected version past its retention), each finding shows its recorded snippet and a note."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skillscan.report.source import Context, SourceReader


class StoredArchive(SourceReader):
    """Source context from the stored archive: the record names it by its content (`<sha256><suffix>`,
    the worker's display name); the reader reads the blob file behind that name."""

    def __init__(self, display: str, blob: Path | None) -> None:
        super().__init__()
        self.display = display
        self.blob = blob if blob is not None and blob.is_file() else None

    def context(self, input_arg: str, root: str, path: str, line: int) -> Context:
        if input_arg != self.display:
            return Context((), "the finding is not in this version's archive")
        if self.blob is None:
            return Context((), "the archive is no longer stored (deleted, or past the retention of rejected "
                               "versions): the recorded snippet is shown")
        return super().context(str(self.blob), root.replace(self.display, str(self.blob), 1), path, line)


def sections(record: Mapping[str, Any], display: str, blob: Path | None) -> list[Any]:
    """One rendered package section (Markup) per package of a verdict record, open."""
    from markupsafe import Markup

    from skillscan.report.html import environment, package_view

    macro = environment().get_template("package.html.j2").module.package
    reader = StoredArchive(display, blob)
    out = []
    for i, p in enumerate(record.get("packages") or []):
        view = package_view(dict(p, verdict=p.get("decision", "error")), i, reader, context_from="low")
        out.append(Markup(str(macro(view, open=True))))
    return out
