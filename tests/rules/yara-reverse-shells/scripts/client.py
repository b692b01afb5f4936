import socket

# ok: reverse-shell
s = socket.socket(); s.connect(("198.51.100.5", 443)); s.sendall(b"ping")
