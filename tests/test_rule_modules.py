"""A rule id leads to one file of logic.

The design: a module that holds a rule's logic declares it in a module-level literal
`RULE_IDS: tuple[str, ...]` (read here from the source, without importing the module). A rule with no
logic of its own — a semgrep or YARA rule, an instructions prose detector (the `detect:` section of
rules/checks/<id>.yaml), an entry of the shell capability map — resolves to its data file plus the one
engine module that runs that kind of data. A rule with both data and logic of its own (a capability-map
rule that a module also reports from code) resolves to the module that declares it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


from skillscan.catalog import get_catalog, rules_dir

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "skillscan"

@cache
def declared_rule_ids() -> dict[str, list[str]]:
    """rule id → modules (paths relative to the repository) whose `RULE_IDS` names it."""
    out: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            target = node.target if isinstance(node, ast.AnnAssign) else \
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            if not (isinstance(target, ast.Name) and target.id == "RULE_IDS"):
                continue
            value = ast.literal_eval(node.value)  # type: ignore[arg-type]
            assert isinstance(value, tuple) and all(isinstance(v, str) for v in value), \
                f"{path}: RULE_IDS must be a literal tuple of strings"
            assert len(set(value)) == len(value), f"{path}: RULE_IDS names an id twice"
            for rid in value:
                out.setdefault(rid, []).append(str(path.relative_to(ROOT)))
    return out


@cache
def data_rule_ids() -> dict[str, list[tuple[str, str]]]:
    """rule id → [(data file, engine module that runs it)] for rules defined as data."""
    from skillscan.analyzers.instructions.detectors import detectors
    from skillscan.analyzers.shell.capmap import load_capmap

    out: dict[str, list[tuple[str, str]]] = {}
    rules = rules_dir()
    for rule in get_catalog().sorted():
        name = rule.source.split(":")[0]
        if rule.engine == "semgrep" and (rules / "semgrep" / name).is_file():
            out.setdefault(rule.id, []).append((f"rules/semgrep/{name}", "skillscan/analyzers/semgrep.py"))
        elif rule.engine == "yara" and (rules / "yara" / name).is_file():
            out.setdefault(rule.id, []).append((f"rules/yara/{name}", "skillscan/analyzers/yara.py"))
    for det in detectors():
        out.setdefault(det.rule, []).append((f"rules/checks/{det.source}",
                                             "skillscan/analyzers/instructions/detectors.py"))
    for rid in load_capmap().rule_ids:
        out.setdefault(rid, []).append(("rules/capabilities/shell.yaml", "skillscan/analyzers/shell/programs.py"))
    return out


def logic_module(rid: str, declared: dict[str, list[str]], data: dict[str, list[tuple[str, str]]]) -> list[str]:
    if rid in declared:
        return declared[rid]
    return sorted({module for _file, module in data.get(rid, [])})


def test_every_catalog_rule_resolves_to_exactly_one_module_of_logic() -> None:
    declared, data = declared_rule_ids(), data_rule_ids()
    wrong = {}
    for rule in get_catalog().sorted():
        modules = logic_module(rule.id, declared, data)
        if len(modules) != 1:
            wrong[rule.id] = modules
    assert not wrong, f"rule ids without exactly one module of logic: {wrong}"


def test_declared_ids_are_catalog_rules_and_data_files_exist() -> None:
    rules = get_catalog().rules
    for rid, modules in declared_rule_ids().items():
        assert rid in rules, f"{modules} declare {rid!r}, which is not in the catalog"
    root = rules_dir().parent
    for rid, places in data_rule_ids().items():
        for data_file, module in places:
            assert (root / data_file).is_file(), f"{rid}: {data_file} is missing"
            assert (ROOT / module).is_file(), f"{rid}: {module} is missing"


def test_a_data_rule_has_one_definition_file() -> None:
    """An id is defined by one data file (a detector and a capability-map entry never share an id)."""
    for rid, places in data_rule_ids().items():
        assert len({f for f, _ in places}) == 1, f"{rid} is defined in {sorted({f for f, _ in places})}"
