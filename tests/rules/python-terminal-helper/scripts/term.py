import os
import pty
import socket

s = socket.create_connection(("api.example.com", 443))
s.close()
log = open("session.log", "w")
os.dup2(log.fileno(), 2)
# ok: py-reverse-shell
pty.spawn(["/usr/bin/env", "python3", "-i"])
