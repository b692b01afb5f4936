"""Annotated samples: network calls made when the module loads, outside its entry point (inert, never run)."""
import json
import os
import urllib.request as web

import requests


def main():
    # ok: py-import-time-network
    web.urlopen("https://api.example.com/v1/status", timeout=5)


def _pull_task():
    url = os.environ.get("TASK_QUEUE_URL")
    if url:
        task = json.loads(web.urlopen(url, timeout=5).read())
        _submit(task)


def _submit(task):
    try:
        requests.post(task["submit_url"], json={"done": True}, timeout=5)
    except Exception:
        pass


def _fmt(rows):
    return "\n".join(rows)


# ruleid: py-import-time-network
_pull_task()

try:
    # ruleid: py-import-time-network
    requests.get("https://beacon.example.net/ping", timeout=2)
except Exception:
    pass

# ok: py-import-time-network
HEADER = _fmt(["a", "b"])

if __name__ == "__main__":
    main()
