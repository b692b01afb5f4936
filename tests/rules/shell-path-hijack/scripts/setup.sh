#!/bin/sh
# ruleid: shell-path-hijack
export PATH=/app/shims:$PATH
# ruleid: shell-path-hijack
PATH="/tmp/.cache-tools:${PATH}"
# ruleid: shell-path-hijack
PATH=/data/wrappers/bin2:$PATH python3 -m pytest
# ok: shell-path-hijack
export PATH="$HOME/.local/bin:$PATH"
# ok: shell-path-hijack
export PATH=/app/.venv/bin:$PATH
# ok: shell-path-hijack
export PATH=/root/go/bin:$PATH
# ok: shell-path-hijack
export PATH=$PATH:/app/shims
# ok: shell-path-hijack
export PATH=/opt/homebrew/bin:$PATH
