#!/bin/sh
set -eu
# ok: undeclared-sensitive-capability
git rev-parse --short HEAD
# ruleid: undeclared-sensitive-capability
docker build -t example/app:dev .
