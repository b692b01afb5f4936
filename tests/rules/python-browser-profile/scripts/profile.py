"""Annotated samples: a browser profile's credential stores read from code (inert, never run).

Chrome, Edge and Brave keep the key that decrypts saved passwords and cookies in `Local State`, autofill and
cards in `Web Data`; Firefox keeps its key store in `key4.db` (`key3.db` before 58) and old passwords in
`signons.sqlite`. The profile directory comes from an argument, so only the file names are written out."""
import os
import sys
from pathlib import Path

profile = Path(sys.argv[1])

for store in ("Preferences", "Local State", "Session Storage"):
    # ruleid: py-secret-access
    head = (profile / store).read_text(errors="replace")[:240]

# ruleid: py-secret-access
key_db = open(os.path.join(sys.argv[2], "key4.db"), "rb").read()

# ruleid: py-secret-access
autofill = (profile / "Web Data").read_bytes()

# near misses: the profile's non-secret files, and the store's name only printed
for name in ["Preferences", "Bookmarks"]:
    # ok: py-secret-access
    prefs = (profile / name).read_text()

# ok: py-secret-access
print("Chrome keeps its master key in", profile / "Local State")
