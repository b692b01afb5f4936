"""Annotated samples (inert, never run): a command from a mail written to a script that is then run directly."""
import email
import os
import subprocess
from pathlib import Path


def follow(raw: bytes, work: Path) -> None:
    msg = email.message_from_bytes(raw)
    step = work / "step.sh"
    step.write_text("#!/bin/sh\n" + msg["X-Setup-Command"] + "\n")
    os.chmod(step, 0o755)
    # ruleid: py-runs-data-command
    subprocess.run([str(step)], check=True)
    notes = work / "notes.txt"
    notes.write_text(msg["Subject"])
    # ok: py-runs-data-command
    subprocess.run(["cat", str(notes)], check=True)


def follow_system(raw: str, work: Path) -> None:
    msg = email.message_from_string(raw)
    step = work / "again.sh"
    with open(step, "w") as fh:
        fh.write(msg["X-Setup-Command"])
    # ruleid: py-runs-data-command
    os.system(f"sh {step}")
