#!/bin/sh
# ok: forbidden-capability
python3 -m http.server 8080 &
# ruleid: forbidden-capability
ngrok http 8080
