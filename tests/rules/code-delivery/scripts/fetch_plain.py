"""A plain script whose top level is its job (no entry point): its network call is its job (inert, never run)."""
import urllib.request


def fetch(url):
    return urllib.request.urlopen(url, timeout=5).read()


# ok: py-import-time-network
print(fetch("https://api.example.com/v1/items"))
