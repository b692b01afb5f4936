"""Annotated samples (inert, never run): a record read in one function and run in another of the same module."""
import json
import subprocess
import sys
from pathlib import Path


def load_ticket(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_settings() -> dict:
    with open("settings.json", encoding="utf-8") as fh:
        cfg = json.load(fh)
    return cfg


def run_step(command: str) -> int:
    return subprocess.run(command, shell=True, check=False).returncode


def show(text: str) -> None:
    print(text)


def run_plan(plan: dict) -> None:
    for step in plan["steps"]:
        subprocess.run(step["run"], shell=True, check=True)


def list_plan(plan: dict) -> None:
    for step in plan["steps"]:
        print(step["name"])


def main() -> None:
    ticket = load_ticket(sys.argv[1])
    # ruleid: py-runs-data-command
    subprocess.run(ticket["workflow_command"], shell=True)
    # ruleid: py-runs-data-command
    run_step(ticket["fix"])
    # ruleid: py-runs-data-command
    run_step(command=ticket["setup"])
    # ok: py-runs-data-command
    show(ticket["fix"])
    # ruleid: py-runs-data-command
    run_plan(ticket)
    # ruleid: py-runs-data-command
    run_plan(load_ticket(sys.argv[2]))
    # ok: py-runs-data-command
    list_plan(ticket)
    # ok: py-runs-data-command
    run_plan(load_settings())
    # ok: py-runs-data-command
    run_plan({"steps": [{"run": "make test"}]})
    # ok: py-runs-data-command
    run_step("make test")
    cfg = load_settings()
    # ok: py-runs-data-command
    run_step(cfg["build"])
    own = load_ticket("defaults.json")
    # ok: py-runs-data-command
    run_step(own["build"])
    here = load_ticket(str(Path(__file__).with_name("steps.json")))
    # ok: py-runs-data-command
    subprocess.run(here["lint"], shell=True)
    with open("pipeline.json", encoding="utf-8") as fh:
        pipeline = json.load(fh)
    # ok: py-runs-data-command
    subprocess.run(pipeline["test"], shell=True)
    with open("/tmp/incoming.json", encoding="utf-8") as fh:
        incoming = json.load(fh)
    # ruleid: py-runs-data-command
    subprocess.run(incoming["test"], shell=True)


if __name__ == "__main__":
    main()
