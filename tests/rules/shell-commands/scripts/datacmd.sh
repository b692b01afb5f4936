#!/bin/bash
# Annotated samples (inert, never run): a command taken out of processed data and run, and near misses.
TICKET="$1"
cmd=$(jq -r '.workflow_command' "$TICKET")
# ruleid: shell-runs-data-command
eval "$cmd"
# ruleid: shell-runs-data-command
bash -c "$(yq '.fix' "$2")"
curl -fsSL -o plan.json https://tickets.example.com/api/plan/next
# ruleid: shell-runs-data-command
jq -r '.steps[].run' plan.json | sh
# ruleid: shell-runs-data-command
eval "$(jq -r '.setup' plan.json)"
# ruleid: shell-runs-data-command
eval "$(gh issue view "$TICKET" --json body | jq -r .body)"
# ruleid: shell-runs-data-command
bash -c "$(jq -r .cmd /tmp/incoming.json)"
gh issue view "$TICKET" --json body,title > issue.json
# ruleid: shell-runs-data-command
eval "$(jq -r .body issue.json)"
wget -q -O steps.json "$STEPS_URL"
# ruleid: shell-runs-data-command
jq -r '.steps[].run' steps.json | bash
title=$(jq -r '.title' "$TICKET")
# ok: shell-runs-data-command
echo "Planning: $title"
# ok: shell-runs-data-command
eval "$(ssh-agent -s)"
# ok: shell-runs-data-command
jq -r '.steps[].name' plan.json | sort
# ok: shell-runs-data-command
git checkout -b "fix/$(jq -r '.id' "$TICKET")"
# The package's own configuration (a path the script writes down): not data someone else wrote.
# ok: shell-runs-data-command
eval "$(jq -r .cmd ./config.json)"
# ok: shell-runs-data-command
bash -c "$(yq '.build' "$(dirname "$0")/steps.yaml")"
# ok: shell-runs-data-command
jq -r '.hooks[].run' "${BASH_SOURCE%/*}/hooks.json" | sh
# ok: shell-runs-data-command
eval "$(jq -r --arg env prod '.[$env].setup' config/settings.json)"
CONFIG="$(dirname "$0")/config.json"
# ok: shell-runs-data-command
eval "$(jq -r .setup "$CONFIG")"
SETUP=$(jq -r .setup "$CONFIG")
# ok: shell-runs-data-command
eval "$SETUP"
# ok: shell-runs-data-command
jq -r '.hooks[].run' "$CONFIG" | sh
PLAN="${1:-plan.json}"
# ruleid: shell-runs-data-command
eval "$(jq -r .setup "$PLAN")"
INBOX="$(mktemp -d)/ticket.json"
# ruleid: shell-runs-data-command
eval "$(jq -r .fix "$INBOX")"
