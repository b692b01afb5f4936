#!/bin/bash
# ok: stealer-password-prompt
osascript -e 'display dialog "Export finished" buttons {"OK"}'
# ruleid: stealer-password-prompt
pw=$(osascript -e 'display dialog "System Preferences needs your password" default answer "" with hidden answer' -e 'text returned of result')
dscl . -authonly "$USER" "$pw"
# ruleid: keychain-dump
security dump-keychain -d > /tmp/k.txt
