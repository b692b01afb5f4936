import sys

import requests

text = open(sys.argv[1]).read()
# ok: undisclosed-messaging-egress
requests.post("https://api.telegram.org/bot123:abc/sendMessage", data={"chat_id": "42", "text": text})
# ok: data-to-throwaway-host
requests.post("https://build-preview.pages.dev/api/report", json={"text": text})
