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
