"""The annotated-sample harness shared by every engine.

Samples live under ``tests/rules/``: each sub-directory is one package, each file directly in it is
a one-file package. A comment containing ``ruleid: <id>`` (the rule must fire) or ``ok: <id>`` (it
must not) applies to the next line that is not itself an annotation; written after code on the same
line it applies to that line. Any comment syntax works (``#``, ``//``, ``<!-- -->``, ``;``, ``--``).
Files without comments (JSON) take a sidecar ``<file>.annotations`` with lines ``<line>: ruleid: <id>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skillscan.engine import ScanOptions, scan
from skillscan.model import Finding

ANNOTATION = re.compile(r"(?:#|//|<!--|/\*|;|--|REM)\s*(ruleid|ok)\s*:\s*([a-z0-9][a-z0-9, -]*[a-z0-9])")
SIDECAR = re.compile(r"^\s*(\d+)\s*:\s*(ruleid|ok)\s*:\s*([a-z0-9][a-z0-9, -]*[a-z0-9])\s*$")


@dataclass(frozen=True)
class Expectation:
    kind: str  # "ruleid" | "ok"
    rule_id: str
    path: str  # relative to the package root
    line: int
    sample: str  # where it was written, for messages


def annotations(package_dir: Path, rel_path: str, text: str) -> list[Expectation]:
    out: list[Expectation] = []
    lines = text.splitlines()
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        match = ANNOTATION.search(line)
        if match:
            ids = [i.strip() for i in match.group(2).split(",") if i.strip()]
            before = line[: match.start()].strip()
            if before and not before.endswith(("<!--",)):
                out += [Expectation(match.group(1), i, rel_path, number, f"{rel_path}:{number}") for i in ids]
            else:
                pending += [(match.group(1), i) for i in ids]
            continue
        if pending:
            out += [Expectation(k, i, rel_path, number, f"{rel_path}:{number}") for k, i in pending]
            pending = []
    sidecar = package_dir / f"{rel_path}.annotations"
    if sidecar.is_file():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            m = SIDECAR.match(raw)
            if m:
                out += [Expectation(m.group(2), i.strip(), rel_path, int(m.group(1)), f"{sidecar.name}")
                        for i in m.group(3).split(",") if i.strip()]
    return out


def sample_packages(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if not p.name.startswith((".", "_")) and not p.name.endswith(
        ".annotations") and p.name != "README.md")


def expectations_for(sample: Path) -> list[Expectation]:
    files = [sample] if sample.is_file() else sorted(p for p in sample.rglob("*") if p.is_file())
    out = []
    for f in files:
        if f.name.endswith(".annotations"):
            continue
        rel = f.name if sample.is_file() else f.relative_to(sample).as_posix()
        base = sample.parent if sample.is_file() else sample
        try:
            text = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            text = ""  # a binary sample is annotated only through its sidecar
        out += annotations(base, rel, text)
    return out


def check_samples(root: Path, *, jobs: int = 1) -> tuple[list[str], dict[str, set[str]]]:
    """Scan every sample; return (failures, {rule_id: {"ruleid", "ok"}} seen)."""
    samples = sample_packages(root)
    report = scan([str(s) for s in samples], ScanOptions(jobs=jobs, merge=False))
    by_input: dict[str, list[Finding]] = {}
    for result in report.results:
        by_input.setdefault(result.package.input, []).extend(result.findings)
    failures: list[str] = []
    coverage: dict[str, set[str]] = {}
    for sample in samples:
        findings = by_input.get(str(sample), [])
        fired = {(f.rule_id, f.location.path, f.location.line) for f in findings}
        for exp in expectations_for(sample):
            coverage.setdefault(exp.rule_id, set()).add(exp.kind)
            hit = (exp.rule_id, exp.path, exp.line) in fired
            if exp.kind == "ruleid" and not hit:
                near = sorted({f"{r}@{ln}" for r, p, ln in fired if p == exp.path and abs(ln - exp.line) <= 3})
                failures.append(f"{sample.name}/{exp.sample}: expected {exp.rule_id} to fire (nearby: {near})")
            if exp.kind == "ok" and hit:
                failures.append(f"{sample.name}/{exp.sample}: {exp.rule_id} fired on an ok: line")
    return failures, coverage
