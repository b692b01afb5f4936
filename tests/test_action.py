"""The GitHub Action's script, run locally as a runner would: fake GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY and RUNNER_TEMP, a locally built wheel, and hostile input paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clihelp import REPO, write_skill

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = tmp_path_factory.mktemp("src") / "skillscan"
    # build from a copy so that no build artefacts land in the work tree
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".ci", "__pycache__", "*.egg-info", "build",
                                                             "dist", ".pytest_cache", ".venv"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w",
                    str(out), str(src)], check=True, timeout=300)
    wheels = list(out.glob("skillscan-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner")  # shared so the venv is built once


def run_action(workspace: Path, runner_temp: Path, wheel: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    output = workspace / "github_output"
    summary = workspace / "step_summary"
    output.write_text("")
    summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GHA_", "VIRTUAL_ENV"))}
    env.update({"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(runner_temp),
                "GITHUB_ACTION_PATH": str(REPO), "GHA_SKILLSCAN_VERSION": str(wheel),
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])})
    for key, value in inputs.items():
        env[f"GHA_SKILLSCAN_{key.upper()}"] = value
    proc = subprocess.run(["bash", str(REPO / "action.sh")], cwd=workspace, env=env, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs, summary.read_text() + proc.stdout + proc.stderr


def test_benign_skill_passes_and_writes_outputs(tmp_path: Path, runner_temp: Path, wheel: Path) -> None:
    write_skill(tmp_path, "hello")
    rc, outputs, text = run_action(tmp_path, runner_temp, wheel, paths="hello", fail_on="block")
    assert rc == 0, text
    assert outputs["exit-code"] == "0", text
    assert outputs["verdict"] == "allow"
    assert outputs["sarif-file"] and Path(outputs["sarif-file"]).is_file()
    assert "skillscan report" in (tmp_path / "step_summary").read_text()


def test_hostile_paths_are_never_evaluated(tmp_path: Path, runner_temp: Path, wheel: Path) -> None:
    write_skill(tmp_path, "hello")
    hostile = "hello $(touch pwned) `touch pwned2` ;touch pwned3 $(touch${IFS}pwned4) *"
    rc, outputs, text = run_action(tmp_path, runner_temp, wheel, paths=hostile)
    for name in ("pwned", "pwned2", "pwned3", "pwned4"):
        assert not (tmp_path / name).exists(), f"{name} was created: {text}"
    assert rc == 0, text  # SARIF was written; the verdict is enforced by the action's last step
    assert outputs["exit-code"] == "2"  # the odd words are missing paths, reported as errors
    assert outputs["verdict"] == "error"


def test_bad_fail_on_is_rejected(tmp_path: Path, runner_temp: Path, wheel: Path) -> None:
    rc, _, text = run_action(tmp_path, runner_temp, wheel, fail_on="$(touch pwned)")
    assert rc == 2
    assert not (tmp_path / "pwned").exists()
    assert "fail-on must be" in text


def test_action_metadata_is_safe() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash"
            assert "${{" not in step["run"], "inputs must reach the shell only through env"
        if "uses" in step:
            ref = step["uses"].split("@", 1)[1]
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]
    upload = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert upload and steps[-1]["name"] == "Enforce verdict"
    assert "# v" in (REPO / "action.yml").read_text().split("upload-sarif@", 1)[1].splitlines()[0]


def test_zizmor_finds_nothing_in_action_and_workflows() -> None:
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    proc = subprocess.run([zizmor, "--offline", "--min-severity", "medium", "--format", "plain", "action.yml",
                           ".github/workflows"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
