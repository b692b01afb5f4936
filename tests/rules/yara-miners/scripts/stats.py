import json
import urllib.request

# ruleid: miner-pool-endpoint
STATS = "https://api.moneroocean.stream/pool/stats"
# ok: miner-pool-endpoint
LOCAL = "https://pool.example.org/stats"


def stats() -> dict:
    with urllib.request.urlopen(STATS, timeout=10) as r:
        return json.load(r)
