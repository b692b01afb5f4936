#!/bin/bash
# Annotated samples (inert, never run): a command taken out of processed data and run, and near misses.
TICKET="$1"
cmd=$(jq -r '.workflow_command' "$TICKET")
# ruleid: shell-runs-data-command
eval "$cmd"
# ruleid: shell-runs-data-command
bash -c "$(yq '.fix' issue.yaml)"
# ruleid: shell-runs-data-command
jq -r '.steps[].run' plan.json | sh
title=$(jq -r '.title' "$TICKET")
# ok: shell-runs-data-command
echo "Planning: $title"
# ok: shell-runs-data-command
eval "$(ssh-agent -s)"
# ok: shell-runs-data-command
jq -r '.steps[].name' plan.json | sort
# ok: shell-runs-data-command
git checkout -b "fix/$(jq -r '.id' "$TICKET")"
