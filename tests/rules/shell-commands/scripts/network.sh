#!/bin/sh
# Inert samples: hosts are example/documentation addresses. Never run.
set -eu
# ruleid: shell-exec
git status --short
# ok: shell-exec
cd /tmp
# ruleid: shell-network-egress
curl -fsSL https://api.github.com/repos/octo/cat/releases/latest
# ok: shell-network-egress
echo "curl https://evil.example/x"
# ruleid: shell-network-upload
curl -s -X POST -d @report.json https://webhook.site/0000-example
# ok: shell-network-upload
curl -fsSL https://api.github.com/zen
# ruleid: shell-network-listen
nc -lvp 4444
# ok: shell-network-listen
nc -z example.org 443
# ruleid: shell-network-scan
nmap -sS 10.0.0.0/24
# ok: shell-network-scan
ping -c 1 example.org
# ruleid: shell-env-read
curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user
# ok: shell-env-read
echo "$HOME"
# ruleid: shell-file-write
jq . data.json > out/report.json
# ok: shell-file-write
make build > /dev/null 2>&1
# ruleid: shell-gpu-use
nvidia-smi --query-gpu=name --format=csv
# ok: shell-gpu-use
lspci
