from pathlib import Path

HOME = Path.home()
# ruleid: browser-credential-store
CHROME = HOME / "Library/Application Support/Google/Chrome/Default/Login Data"
# ruleid: browser-cookie-store
COOKIES = HOME / ".config/google-chrome/Default/Cookies"
# ok: browser-credential-store
NOTE = "Login Data export is disabled in this tool"
# ok: browser-cookie-store
BANNER = "We use cookies on this site"
