import os

# ruleid: browser-credential-store
path = os.path.expanduser("~/.mozilla/firefox/Profiles/x.default/logins.json")
