"""Report renderers: text (rich), json (v1 contract), sarif (2.1.0), markdown, github, html."""

from __future__ import annotations

from collections.abc import Callable

from skillscan.model import Report

FORMATS = ("text", "json", "sarif", "markdown", "github", "html")


def renderer(name: str) -> Callable[[Report], str]:
    if name == "json":
        from skillscan.report.json import render
    elif name == "sarif":
        from skillscan.report.sarif import render
    elif name == "markdown":
        from skillscan.report.markdown import render
    elif name == "text":
        from skillscan.report.text import render
    elif name == "github":
        from skillscan.report.github import render
    elif name == "html":
        from skillscan.report.html import render
    else:
        raise ValueError(f"unknown output format {name!r}")
    return render
