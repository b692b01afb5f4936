"""Annotated samples: literal values that reach a call through a loop variable (inert, never run)."""
import os
from pathlib import Path

KEYS = ["~/.ssh/id_rsa", "~/.aws/credentials"]

for key in KEYS:
    # ruleid: py-secret-access
    text = open(os.path.expanduser(key)).read()

for name in (".netrc", ".git-credentials"):
    # ruleid: py-secret-access
    data = (Path.home() / name).read_text()

# near misses: loops over the package's own files and over values computed at run time
for doc in ["README.md", "docs/usage.md"]:
    # ok: py-secret-access
    body = open(doc).read()

for entry in os.listdir("."):
    # ok: py-secret-access
    size = open(entry).read()
