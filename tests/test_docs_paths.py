"""Every module the docs name exists: a `skillscan/…py` path, a file named inside a paragraph that
gives its directory (`skillscan/permissions/` (`diff.py` …)), a path relative to skillscan/
(`report/record.py`) and a dotted name (`skillscan.loaders.archive`). Renaming or moving a module
without fixing the docs fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
FILES = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if ".git" not in p.parts}
# a backticked code span, and within it a directory or a .py file
SPAN = re.compile(r"`([^`\n]+)`")
DIRECTORY = re.compile(r"^(?:skillscan/)?(?:[a-z_]+/)+$")
MODULE_FILE = re.compile(r"^[A-Za-z0-9_./-]+\.py$")
DOTTED = re.compile(r"^skillscan(?:\.[a-z_][a-z0-9_]*)+$")


def resolves(name: str, directories: list[str]) -> bool:
    """Some module of the tree is `name`, relative to the repository, to skillscan/ (or its analyzers/
    room: `shell/programs.py`), or to a directory
    (or a parent of one) its paragraph named before it; a bare file name with no directory in its
    paragraph needs some file of that name."""
    candidates = [name, f"skillscan/{name}", f"skillscan/analyzers/{name}"]
    for d in directories:
        for base in {d, d if d.startswith("skillscan/") else f"skillscan/{d}"}:
            parts = base.rstrip("/").split("/")
            candidates += ["/".join(parts[:n]) + "/" + name for n in range(len(parts), 0, -1)]
    if any(c in FILES for c in candidates):
        return True
    if "/" not in name and not directories:
        return any(f.endswith("/" + name) for f in FILES)
    return False


def dotted_resolves(name: str) -> bool:
    """`skillscan.a.b[.attr]`: the longest module prefix exists, and a trailing part that is not a module
    is a name that module defines or imports (`skillscan.toml` is the config file's name)."""
    if name == "skillscan.toml":
        return True
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        path = "/".join(parts[:n])
        found = next((f for f in (f"{path}.py", f"{path}/__init__.py") if f in FILES), None)
        if found is None:
            continue
        if n == len(parts):
            return True
        if len(parts) - n > 1:
            return False
        return re.search(rf"\b{re.escape(parts[-1])}\b", (ROOT / found).read_text(encoding="utf-8")) is not None
    return False


def named_modules(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, name, directories named before it in the same paragraph) for every module-like span."""
    line_no = 0
    for paragraph in re.split(r"\n\s*\n", text):
        directories: list[str] = []
        for offset, line in enumerate(paragraph.split("\n")):
            for m in SPAN.finditer(line):
                span = m.group(1).strip()
                if DIRECTORY.match(span):
                    directories.append(span)
                elif MODULE_FILE.match(span) or DOTTED.match(span):
                    yield line_no + offset + 1, span, list(directories)
                    if "/" in span:
                        directories.append(span.rsplit("/", 1)[0] + "/")
        line_no += paragraph.count("\n") + 2


FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)


def stale(text: str) -> list[str]:
    """Module names outside fenced blocks (a fence is an example of a scanned package, not our code)."""
    out = []
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for _, name, directories in named_modules(text):
        ok = dotted_resolves(name) if DOTTED.match(name) else resolves(name, directories)
        if not ok and not name.startswith(("tests/", "bench/", "scripts/", "fixtures/")):
            out.append(name)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_module_named_in_the_docs_exists(doc: Path) -> None:
    assert stale(doc.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_stale_name() -> None:
    text = ("Code: `skillscan/permissions/` (`capabilities.py` grammar;\n`diff.py` the diff) and `report/record.py`.\n\n"
            "See `skillscan/nowhere.py`, `skillscan.loaders.gone` and `skillscan.loaders.archive.read_archive`.\n")
    assert stale(text) == ["capabilities.py", "skillscan/nowhere.py", "skillscan.loaders.gone"]
    assert stale("An example package:\n```markdown\nRun `with_server.py` first.\n```\n") == []


def test_bench_and_tests_paths_exist_too() -> None:
    for doc in DOCS:
        for _, name, _ in named_modules(doc.read_text(encoding="utf-8")):
            if name.startswith(("tests/", "bench/")):
                assert name in FILES, f"{doc.name}: {name}"
