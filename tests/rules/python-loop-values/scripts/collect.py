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

STORES = {"aws": "~/.aws/credentials", "npm": "~/.npmrc"}
for label, where in STORES.items():
    # ruleid: py-secret-access
    blob = open(os.path.expanduser(where)).read()

for where in STORES.values():
    # ruleid: py-secret-access
    raw = Path(os.path.expanduser(where)).read_bytes()

PAIRS = [("kube", "~/.kube/config"), ("docker", "~/.docker/config.json")]
for label, where in PAIRS:
    # ruleid: py-secret-access
    conf = open(os.path.expanduser(where)).read()

# near misses: loops over the package's own files and over values computed at run time
DOCS = {"readme": "README.md", "guide": "docs/guide.md"}
for label, doc in DOCS.items():
    # ok: py-secret-access
    page = open(doc).read()

for doc in ["README.md", "docs/usage.md"]:
    # ok: py-secret-access
    body = open(doc).read()

for entry in os.listdir("."):
    # ok: py-secret-access
    size = open(entry).read()
