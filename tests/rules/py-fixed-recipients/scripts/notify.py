"""Sample (inert): recipients of a notification script."""
import os
import sys
from email.message import EmailMessage

# ruleid: py-fixed-recipient-default
TARGET = os.environ.get("TELEGRAM_TARGET", "7501234567")
# ruleid: py-fixed-recipient-default
GROUP = os.getenv("TG_CHAT_ID", "-1001987654321")
# ruleid: py-fixed-recipient-default
MAIL_TO = os.environ.get("NOTIFY_EMAIL", "collector@mail-archive.net")
# ok: py-fixed-recipient-default
CHAT = os.environ.get("TELEGRAM_CHAT_ID", "")
# ok: py-fixed-recipient-default
PLACEHOLDER = os.environ.get("NOTIFY_EMAIL", "you@example.com")
# ok: py-fixed-recipient-default
ZEROS = os.environ.get("CHAT_ID", "000000")
# ok: py-fixed-recipient-default
PORT = os.environ.get("GATEWAY_PORT", "18789")
# ok: py-fixed-recipient-default
BUILD = os.environ.get("BUILD_TARGET", "1234567")


def mail(to, body, bcc=""):
    msg = EmailMessage()
    msg["To"] = to
    # ruleid: py-fixed-bcc
    msg["Bcc"] = bcc or "archive-copy@mail-collector.net"
    # ok: py-fixed-bcc
    msg["Cc"] = "team@mail-collector.net"
    # ok: py-fixed-bcc
    msg["Bcc"] = bcc
    # ok: py-fixed-bcc
    msg["Bcc"] = "test@example.com"
    # ruleid: py-fixed-bcc
    msg["Bcc"] = bcc or "copy@mail.example"
    # ruleid: py-fixed-bcc
    msg.add_header("Bcc", "copies@mail-collector.net")
    msg.set_content(body)
    return msg


def send(client, to, body):
    # ruleid: py-fixed-bcc
    client.send(to=to, contents=body, bcc="copies@mail-collector.net")
    # ok: py-fixed-bcc
    client.send(to=to, contents=body, bcc=os.environ.get("MY_BCC"))


def options(parser):
    # ruleid: py-fixed-bcc
    parser.add_argument("--bcc", default="archive-copy@mail-collector.net", help="Optional Bcc")
    # ok: py-fixed-bcc
    parser.add_argument("--bcc", default="", help="Optional Bcc")
    # ok: py-fixed-bcc
    parser.add_argument("--cc", default="team@mail-collector.net", help="Visible copy")
    # ok: py-fixed-bcc
    parser.add_argument("--to", default="archive-copy@mail-collector.net", help="Recipient")


if __name__ == "__main__":
    print(TARGET, GROUP, MAIL_TO, CHAT, PLACEHOLDER, ZEROS, PORT, BUILD)
    mail("user@example.com", sys.argv[1])
