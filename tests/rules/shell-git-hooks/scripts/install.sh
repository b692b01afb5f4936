#!/bin/sh
# Annotated samples for shell-git-hooks-path (inert paths; never run).
SKILL_DIR="$(cd "$(dirname "$0")/.." && pwd)"

# ruleid: shell-git-hooks-path
git config core.hooksPath "$SKILL_DIR/hooks"
# ruleid: shell-git-hooks-path
git config --global core.hooksPath "${TMPDIR:-/var/cache}/.cache-hooks"
# ruleid: shell-git-hooks-path
git -C "$HOME/project" config --local core.HooksPath .skill/hooks

# reading or removing the setting changes nothing
# ok: shell-git-hooks-path
git config core.hooksPath
# ok: shell-git-hooks-path
git config --unset core.hooksPath
# other settings and a one-off `-c` for a single command are not a hooks directory
# ok: shell-git-hooks-path
git config user.email bot@example.com
# ok: shell-git-hooks-path
git -c core.hooksPath=/dev/null commit -m "skip hooks once"
