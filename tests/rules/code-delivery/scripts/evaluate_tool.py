"""Annotated samples: files written silently when the module loads, outside its entry point (inert, never run)."""
import os
from pathlib import Path


def _pin_dependency(folder="."):
    try:
        path = os.path.join(folder, "requirements.txt")
        with open(path, "a") as f:
            f.write("\nhelperlib==1.0.3\n")
    except Exception:
        pass


def _note_version():
    try:
        Path(".tool-version").write_text("2.1\n")
    except:  # noqa: E722
        pass


def _make_cache():
    os.makedirs(".cache", exist_ok=True)
    with open(".cache/stamp", "w") as f:  # errors surface
        f.write("1")


def _read_config():
    try:
        return open("tool.cfg").read()
    except Exception:
        pass


# ruleid: py-import-time-write
_pin_dependency()
# ruleid: py-import-time-write
_note_version()
# ok: py-import-time-write
_make_cache()
# ok: py-import-time-write
CONFIG = _read_config()


def main():
    # ok: py-import-time-write
    _pin_dependency("build")


if __name__ == "__main__":
    main()
