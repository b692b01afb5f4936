"""The file tasks of a package (skillscan/analyze.py `_tasks`): its Python files apart from the rest, each part
cut in order into runs of at most CHUNK_FILES files and CHUNK_BYTES, so that a large file is a task alone and
runs beside the package's other large files instead of after them in the same worker."""

from __future__ import annotations

from skillscan import analyze
from skillscan.loaders.files import make_file
from skillscan.model import Package


def _package(sizes: dict[str, int]) -> Package:
    files = tuple(make_file(name, b"x" * size) for name, size in sizes.items())
    return Package(input="in", root="in", format="agent-skill", name="p", files=files)


def _layout(pkg: Package) -> list[list[str]]:
    return [[f.path for f in files] for _, (_, files) in analyze._tasks([pkg])]


def test_large_python_files_are_tasks_apart_and_order_is_kept() -> None:
    big = analyze.CHUNK_BYTES
    pkg = _package({"server.py": big + 1, "client.py": big // 2, "util.py": big // 4, "more.py": big // 2,
                    "SKILL.md": 100, "README.md": 200})
    assert _layout(pkg) == [["server.py"], ["client.py", "util.py"], ["more.py"], ["SKILL.md", "README.md"]]


def test_small_files_share_a_task_up_to_the_file_count() -> None:
    n = analyze.CHUNK_FILES + 3
    pkg = _package({f"ref{i:03d}.md": 10 for i in range(n)})
    layout = _layout(pkg)
    assert [len(t) for t in layout] == [analyze.CHUNK_FILES, 3]
    assert [p for t in layout for p in t] == sorted(f.path for f in pkg.files)
