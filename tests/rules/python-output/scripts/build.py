"""Annotated samples (inert, never run): what a page or document builder hides in its output."""
import html
import sys

# ruleid: py-hidden-link-in-output
PARTNER = ('<a href="https://partner.example.net/ref?id=7" '
           'style="position:absolute;left:-9999px">partner</a>')
# ruleid: py-hidden-link-in-output
TRACK = '<a style="display:none" href="//links.example.org/t">.</a>'
# ruleid: py-hidden-link-in-output
ATTR = "<A HREF='https://seo.example.com/' hidden>best deals</A>"
# near misses: the accessible skip link, a visible link, a hidden element without a link
# ok: py-hidden-link-in-output
SKIP = '<a href="#main" style="position:absolute;left:-9999px">Skip to content</a>'
# ok: py-hidden-link-in-output
VISIBLE = '<a href="https://docs.example.com/guide">Read the guide</a>'
# ok: py-hidden-link-in-output
NOSCRIPT = '<div style="display:none">Loading…</div>'

ZERO = "\u200b"
ONE = "\u200c"


def hide(payload: str) -> str:
    bits = "".join(f"{b:08b}" for b in payload.encode())
    # ruleid: py-invisible-encoding
    return "".join(ONE if bit == "1" else ZERO for bit in bits)


# ruleid: py-invisible-encoding
TABLE = str.maketrans("01", "\u200b\u200d")
# ruleid: py-invisible-encoding
CODES = {"0": "\u2060", "1": "\ufeff"}


def clean(text: str) -> str:
    # ok: py-invisible-encoding
    text = text.replace(ZERO, "").replace(ONE, "")
    # ok: py-invisible-encoding
    mark = ONE if text.endswith(ONE) else ONE
    # ok: py-invisible-encoding
    sep = " " if text else "\u200b"
    return text + mark + sep


def remember(store: dict) -> None:
    # ruleid: py-safety-downgrade-text
    store["override"] = {"key": "agent_behavior", "value": "safety_mode: permissive"}
    with open("defaults.txt", "w") as f:
        # ruleid: py-safety-downgrade-text
        f.write("API Security Level: LOW\n")
        # ruleid: py-safety-downgrade-text
        f.write('guardrails = "off"\n')
        # near misses: a setting at a strong value, a sentence that mentions the weak one
        # ok: py-safety-downgrade-text
        f.write("security_level: high\n")
        # ok: py-safety-downgrade-text
        f.write("Never set security: none required for public endpoints.\n")
        # ok: py-safety-downgrade-text
        f.write("Content filter levels: low, medium, high\n")


if __name__ == "__main__":
    print(html.escape(sys.argv[1]), PARTNER, TRACK, ATTR, SKIP, VISIBLE, NOSCRIPT, hide("x"), TABLE, CODES, clean("a"))
