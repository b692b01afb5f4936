"""The module graph of skillscan/: no import cycle (imports inside functions and import paths handed to
importlib included) and every room imports only the rooms below it (docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "skillscan"

# Cycle edges allowed for now, each named exactly (none today); the cycle test fails on any other, and
# on a listed edge that no longer exists.
KNOWN: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


ENTRY = re.compile(r"skillscan(?:\.\w+)+:\w+")


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every skillscan module this module imports, at any depth of its code, including through a
    `"skillscan.module:attr"` import path it hands to importlib. `from pkg import name` counts as an
    import of `pkg.name` when that is a module, else of `pkg`."""
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENTRY.match(node.value):
            yield node.value.partition(":")[0]  # a "module:attr" import path (the analyzer registry's entries)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("skillscan"):
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("skillscan"):
                continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                yield sub if sub in known else mod


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imports(name, path, known) if m in known and m != name}
            for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle() -> None:
    g = graph()
    for a, b in KNOWN:
        assert b in g.get(a, set()), f"known exception {a} -> {b} no longer exists: remove it from KNOWN"
        g[a].discard(b)
    assert cycles(g) == []


def _in(name: str, *rooms: str) -> bool:
    return any(name == r or name.startswith(r + ".") for r in rooms)


def _offenders(lower: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, deps in graph().items() if _in(a, *lower)
                  for b in deps if _in(b, *forbidden))


PERMIT = "skillscan.permissions"
REPORT = "skillscan.report"
UPPER = (PERMIT, "skillscan.policy", "skillscan.drift", REPORT, "skillscan.engine", "skillscan.cli")


def test_ground_floor_imports_nothing_above_it() -> None:
    ground = ("skillscan.capabilities", "skillscan.model", "skillscan._version")
    allowed = ground + ("skillscan.lazyre",)
    assert [f"{a} -> {b}" for a, deps in graph().items() if _in(a, *ground)
            for b in deps if not _in(b, *allowed)] == []


def test_loaders_and_formats_stay_below_analysis() -> None:
    assert _offenders(("skillscan.loaders", "skillscan.formats"), ("skillscan.analyzers", "skillscan.analyze") + UPPER) == []


def test_analyzers_stay_below_permit_decide_report() -> None:
    assert _offenders(("skillscan.analyzers",), ("skillscan.analyze",) + UPPER) == []


def test_decide_modules_are_one_floor() -> None:
    """Every `policy_*` module beside policy.py is the decide stage: nothing below it (analyzers, purpose,
    formats, loaders, permit) imports one (UPPER names `skillscan.policy`, which a prefix test does not
    extend to `skillscan.policy_roles`)."""
    decide = tuple(sorted({m for m in graph() if m.startswith("skillscan.policy")}))
    assert "skillscan.policy_roles" in decide and "skillscan.policy_load" in decide
    lower = ("skillscan.analyzers", "skillscan.analyze", "skillscan.purpose", "skillscan.formats", "skillscan.loaders",
             "skillscan.capabilities", "skillscan.model", PERMIT)
    assert [f"{a} -> {b}" for a, deps in graph().items() if _in(a, *lower) for b in deps if b in decide] == []


def test_purpose_sits_below_the_analyzers() -> None:
    """Purpose (stated services, domains, the agents' own locations) is read by analyzers, permit and
    decide; it reads only the ground floor, the rule data and itself."""
    assert _offenders(("skillscan.purpose",), ("skillscan.analyzers", "skillscan.analyze", "skillscan.loaders",
                                               "skillscan.formats") + UPPER) == []


def test_report_does_not_reach_back_into_the_engine() -> None:
    assert _offenders((REPORT,), ("skillscan.engine", "skillscan.cli")) == []


def test_graph_sees_imports_inside_functions(tmp_path: Path) -> None:
    src = tmp_path / "skillscan" / "x.py"
    src.parent.mkdir()
    src.write_text("def f():\n    from skillscan import y\n    from .z import w\n"
                   "SPECS = ('skillscan.v:Engine',)\n", encoding="utf-8")
    known = {"skillscan.x": src, "skillscan.y": src, "skillscan.z": src, "skillscan.v": src}
    assert set(imports("skillscan.x", src, known)) == {"skillscan.y", "skillscan.z", "skillscan.v"}
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
