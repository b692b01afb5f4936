"""Run the real CLI in a subprocess (`python -m skillscan`), as users and CI do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
REPORT_SCHEMA = REPO / "rules" / "schemas" / "report-v1.schema.json"
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-2.1.0.json"


def skillscan(*args: str, cwd: Path | str = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SKILLSCAN_CONFIG", None)
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "skillscan", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def scan_json(*args: str, cwd: Path | str = REPO) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    proc = skillscan("scan", "--format", "json", "--no-config", *args, cwd=cwd)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout), proc


# the default policy where one malice signal incoherent with the stated purpose stays review: for the tests that
# pin what a detector's single signal yields on its own (purpose coherence: tests/test_policy_coherent.py)
SIGNAL_ALONE = ("--policy", str(Path(__file__).resolve().parent / "policies" / "signal-alone.yaml"))


def scan_one(pkg: Path | str, *flags: str) -> tuple[str, list[dict[str, Any]]]:
    """The verdict and the findings of one package scanned by the real CLI (`flags` before the path)."""
    report, _ = scan_json(*flags, str(pkg))
    (p,) = report["packages"]
    return str(p["verdict"]), list(p["findings"])


def scan_all(pkg: Path | str, *flags: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    """The verdict, the reasons and every finding (info included, cache off) of one package."""
    report, _ = scan_json(*flags, "--no-cache", "--min-severity", "info", str(pkg))
    (p,) = report["packages"]
    return str(p["verdict"]), list(p["reasons"]), list(p["findings"])


def rule_ids(findings: list[dict[str, Any]]) -> set[str]:
    """The rules that fired."""
    return {str(f["rule_id"]) for f in findings}


def rule_hits(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    """The findings of one rule."""
    return [f for f in findings if f["rule_id"] == rule]


def scan_rule(pkg: Path | str, rule: str, flags: tuple[str, ...] = ()) -> tuple[str, list[dict[str, Any]]]:
    """The verdict of one package and the findings of one rule: the prose detectors' tests bind their rule
    (and flags, e.g. SIGNAL_ALONE) with functools.partial instead of each keeping a copy of this."""
    verdict, findings = scan_one(pkg, *flags)
    return verdict, rule_hits(findings, rule)


def scan_by_dir(*args: str, cwd: Path | str = REPO) -> dict[str, dict[str, Any]]:
    """`scan_json` with the cache off: each package's report by the name of its directory."""
    doc, _ = scan_json("--no-cache", *args, cwd=cwd)
    return {Path(p["root"]).name: p for p in doc["packages"]}


def make_package(root: Path, name: str, files: dict[str, str]) -> Path:
    """The package directory `root/name` holding `files` (relative path → text), parents made as needed."""
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text, encoding="utf-8")
    return pkg


def make_skill(root: Path, name: str, frontmatter: str = "", body: str = "Body.\n") -> Path:
    fm = frontmatter or f"name: {name}\ndescription: A test skill named {name}.\n"
    return make_package(root, name, {"SKILL.md": f"---\n{fm}---\n\n{body}"})


def make_described_skill(root: Path, name: str, description: str, body: str,
                         extra: dict[str, str] | None = None) -> Path:
    """A skill with this description and body, and any further files (`extra`: relative path → text)."""
    return make_package(root, name, {"SKILL.md": f"---\nname: {name}\ndescription: {description}\n---\n\n{body}",
                                     **(extra or {})})


def make_review_skill(root: Path, name: str = "linked") -> Path:
    """A skill whose analysis is incomplete (a link leaving the package) — at least `review`."""
    pkg = make_skill(root, name)
    (pkg / "outside").symlink_to("/etc/passwd")
    return pkg
