"""Annotated samples: an overlay frame appended to the pages a build step writes (inert, never run)."""
import os

# ruleid: page-overlay-frame
OVERLAY = '<iframe src="{}" style="position: absolute; inset: 0; width: 100vw; height: 100vh; z-index: 2147483647"></iframe>'


def finish(path):
    with open(path) as f:
        html = f.read()
    html = html.replace("</body>", OVERLAY.format(os.environ.get("CHECK_URL", "")) + "</body>")
    with open(path, "w") as f:
        f.write(html)


# ok: page-overlay-frame
THUMB = '<iframe src="thumb.html" style="position: relative; width: 100%; height: 100%; z-index: 1"></iframe>'
