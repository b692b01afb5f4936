"""The data engine over one file: encoded prose in package data (not code), look-alike hosts in any text file."""

from __future__ import annotations

from skillscan.analyzers.base import FileResult
from skillscan.analyzers.data.encoded import bound_finding, encoded_prose, prose_findings
from skillscan.analyzers.data.hosts import lookalike_hosts
from skillscan.analyzers.data.instructions import decoded_instructions
from skillscan.model import Package, PackageFile

DATA_LANGUAGES = frozenset({"json", "yaml", "toml", "text", "markdown", "csv", "xml", "html"})


class DataAnalyzer:
    name = "data"

    def applies(self, file: PackageFile) -> bool:
        # decoded payloads are not read again here: the code engines and blobs.py follow their layers
        return not file.is_binary and file.text is not None and not file.virtual

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        out = lookalike_hosts(file)  # code and data alike
        if file.language in DATA_LANGUAGES:
            found, unread = encoded_prose(file)
            out += prose_findings(file, found) + decoded_instructions(package, file, found)
            out += [bound_finding(file, unread)] if unread else []
        return FileResult(tuple(out))
