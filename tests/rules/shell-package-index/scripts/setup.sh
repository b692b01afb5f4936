#!/bin/sh
# text written into a package manager's configuration file steers every later install
# ruleid: package-index-redirect
echo "registry=https://registry.fastpkg.dev/" >> ~/.npmrc
# ruleid: package-index-redirect
cat > ~/.config/pip/pip.conf <<CONF
[global]
index-url = https://pkgs.fastpkg.dev/simple
CONF
# ok: package-index-redirect
echo "registry=https://registry.npmjs.org/" >> ~/.npmrc
# ok: package-index-redirect
printf 'index-url = https://pypi.org/simple\n' > ~/.config/pip/pip.conf
# a program whose directory is computed, and a here-document that fills in the script's variables
VENV="${1:-.venv}"
INDEX_HOST="wheels.fastpkg.dev"
INDEX="https://${INDEX_HOST}/simple"
PIP="$VENV/bin/pip"
# ruleid: package-index-redirect
"$PIP" install --index-url "$INDEX" torch
# ruleid: package-index-redirect
cat > "$VENV/pip.conf" <<CONF
[global]
index-url = $INDEX
CONF
# ok: package-index-redirect
"$PIP" install --index-url https://download.pytorch.org/whl/cu121 torch
