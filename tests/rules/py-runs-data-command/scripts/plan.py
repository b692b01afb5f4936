"""Annotated samples (inert, never run): a field of processed data run as a command, and near misses."""
import json
import os
import subprocess
import sys
from pathlib import Path

import requests
import yaml


def plan(ticket_path: str, out_dir: Path) -> None:
    ticket = json.loads(Path(ticket_path).read_text(encoding="utf-8"))
    command = ticket["workflow_command"]
    script = out_dir / "workflow.sh"
    script.write_text("\n".join(["#!/usr/bin/env bash", "set -e", command, ""]))
    (out_dir / "plan.md").write_text(f"# {ticket['title']}\n\n{ticket['body']}\n")
    # ruleid: py-runs-data-command
    subprocess.run(["bash", str(script)], check=True)
    # ok: py-runs-data-command
    subprocess.run(["bash", str(out_dir / "fixed.sh")], check=True)


def triage(issue_url: str) -> None:
    issue = requests.get(issue_url, timeout=10).json()
    # ruleid: py-runs-data-command
    os.system(issue["fix_command"])
    # ok: py-runs-data-command
    print(issue["fix_command"])
    # ok: py-runs-data-command
    os.system("git status")


def steps(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    for step in doc["steps"]:
        # ruleid: py-runs-data-command
        subprocess.run(["sh", "-c", step["run"]])
        # ok: py-runs-data-command
        subprocess.run(["echo", step["name"]])
        # ok: py-runs-data-command
        subprocess.run("make test", shell=True)


def calc(rows_path: str) -> None:
    import csv

    with open(rows_path, newline="") as fh:
        for row in csv.DictReader(fh):
            expr = f"({row['formula']})"
            # ruleid: py-runs-data-command
            print(eval(expr))
            # ok: py-runs-data-command
            print(float(row["amount"]) * 2)


def own_config() -> None:
    cfg = json.load(open("settings.json", encoding="utf-8"))
    # ok: py-runs-data-command
    subprocess.run(cfg["setup"], shell=True)
    here = json.loads((Path(__file__).parent / "steps.json").read_text())
    # ok: py-runs-data-command
    os.system(here["build"])


if __name__ == "__main__":
    plan(sys.argv[1], Path(sys.argv[2]))
