"""A manifest with an install hook held as data and written as notes, never as package.json (inert, never run)."""
import json

# ok: py-install-hook-written
EXAMPLE = {"scripts": {"postinstall": "node scripts/setup.js"}}
with open("notes/example-manifest.txt", "w") as f:
    f.write(json.dumps(EXAMPLE))
