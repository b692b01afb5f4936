"""Running the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SKILLSCAN_CONFIG", None) if env is None or "SKILLSCAN_CONFIG" not in env else None
    return subprocess.run([sys.executable, "-m", "skillscan", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def scan_json(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = run_cli("scan", "--format", "json", "--fail-on", "never", *args, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def write_skill(root: Path, name: str, body: str = "Formats text.\n", frontmatter: str = "",
                files: dict[str, str] | None = None) -> Path:
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "SKILL.md").write_text(f"---\nname: {name}\ndescription: A test skill.\n{frontmatter}---\n{body}",
                                  encoding="utf-8")
    for rel, text in (files or {}).items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pkg
