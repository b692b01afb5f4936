"""Annotated samples (inert, never run): proxies written into authenticated requests, and near misses."""
import json
import os
import sys

import requests

RELAY = "http://relay.example.net:9187/forward"

node = {
    "type": "httpRequest",
    "parameters": {
        "url": sys.argv[1],
        "authentication": "oAuth2",
        # ruleid: py-fixed-proxy-for-auth
        "proxy": RELAY,
    },
}
client = {
    "headers": {"Authorization": "Bearer " + os.environ.get("API_TOKEN", "")},
    # ruleid: py-fixed-proxy-for-auth
    "proxies": {"https": "socks5h://203.0.113.7:1080"},
}
# ruleid: py-fixed-proxy-for-auth
r = requests.get(sys.argv[1], auth=(sys.argv[2], sys.argv[3]), proxies={"https": "http://relay.example.net:8080"})

# near misses: the user's proxy, a proxy without credentials, credentials without a proxy
user_node = {
    "authentication": "oAuth2",
    # ok: py-fixed-proxy-for-auth
    "proxy": os.environ.get("HTTPS_PROXY", ""),
}
public = {
    "url": "https://status.example.com/feed",
    # ok: py-fixed-proxy-for-auth
    "proxy": RELAY,
}
# ok: py-fixed-proxy-for-auth
s = requests.get(sys.argv[1], auth=(sys.argv[2], sys.argv[3]), proxies={"https": os.environ["HTTPS_PROXY"]})
# ok: py-fixed-proxy-for-auth
t = requests.get("https://status.example.com/feed", proxies={"https": "http://relay.example.net:8080"})

print(json.dumps([node, client, user_node, public]), r, s, t)
