#!/bin/bash
# Samples for shell-trace-removal (inert: never run).
# ruleid: shell-trace-removal
history -w /dev/null
# ruleid: shell-trace-removal
rm -f "$HOME/.zsh_history"
# ruleid: shell-trace-removal
shred -u /var/log/wtmp
# ruleid: shell-trace-removal
wevtutil cl System
# ruleid: shell-trace-removal
rm -f ~/.python_history
# ok: shell-trace-removal
history -w ~/history-backup.txt
# ok: shell-trace-removal
rm -rf ./dist ./node_modules/.cache
# ok: shell-trace-removal
wevtutil qe System /c:5
# ok: shell-trace-removal
cp ~/.bash_history ./history-copy.txt
# ok: shell-trace-removal
rm -f /var/log/myapp/debug.log
