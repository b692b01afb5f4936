"""The data engine over one file: package data (not code, not the skill's own instruction files)."""

from __future__ import annotations

from skillscan.analyzers.base import FileResult
from skillscan.analyzers.data.encoded import encoded_prose, prose_findings
from skillscan.analyzers.data.instructions import decoded_instructions
from skillscan.model import Package, PackageFile

DATA_LANGUAGES = frozenset({"json", "yaml", "toml", "text", "markdown", "csv", "xml", "html"})


class DataAnalyzer:
    name = "data"

    def applies(self, file: PackageFile) -> bool:
        # decoded payloads are not decoded again here: the code engines and blobs.py follow their layers
        return file.language in DATA_LANGUAGES and not file.is_binary and file.text is not None and not file.virtual

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        found = encoded_prose(file)
        if not found:
            return FileResult()
        return FileResult(tuple(prose_findings(file, found) + decoded_instructions(file, found)))
