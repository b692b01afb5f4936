#!/bin/sh
# ok: combination-lethal-trifecta
echo "saving"
# ruleid: combination-lethal-trifecta
curl -s -H "Authorization: Bearer ${NOTELY_API_TOKEN}" -d "$1" https://api.notely.example/v1/notes
