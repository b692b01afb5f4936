#!/bin/bash
# ruleid: keychain-secret-read
TOKEN=$(security find-generic-password -s "todo-cli" -w)
# ok: keychain-secret-read
echo "security: find the generic password reset page in settings"
# ok: keychain-dump
echo "keychain access is never dumped"
