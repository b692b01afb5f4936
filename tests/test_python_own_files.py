"""The Python engine names what a script deletes when the script made it itself: a temporary file or
directory (`tempfile.mkstemp`, `NamedTemporaryFile(delete=False)`, `mkdtemp`, with or without `dir=`), the
path possibly held in a variable or returned by a local helper, or a cache file under a directory the script
built. Deleting what it made is not `fs.delete[*]`; deleting a path it was handed still is."""

from __future__ import annotations

import textwrap

import pytest

from skillscan.analyzers.python import PythonAnalyzer
from skillscan.capabilities.tiers import tier
from skillscan.loaders.files import make_file
from skillscan.model import Capability, Package

PKG = Package(input="x", root="x", format="agent-skill", name="x")


def deletes(src: str) -> set[str]:
    f = make_file("scripts/a.py", textwrap.dedent(src).encode())
    result = PythonAnalyzer().analyze_file(PKG, f)
    return {str(c) for x in result.findings for c in x.capabilities if c.kind == "fs.delete"}


OWN = {
    "mkstemp returned by a helper": ("""
        import os, tempfile
        def save(rows):
            fd, path = tempfile.mkstemp(suffix='.json', prefix='raw_')
            with os.fdopen(fd, 'w') as f:
                f.write(rows)
            return path
        def main():
            temp_path = save('x')
            try:
                print(temp_path)
            finally:
                if os.path.exists(temp_path): os.remove(temp_path)
        """, "fs.delete[$TMP/raw_*.json]"),
    "mkstemp beside a file, cleaned up on failure": ("""
        import os, tempfile
        def write(path, payload):
            fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=path.name + '.', suffix='.tmp')
            try:
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        """, "fs.delete[*/*.*.tmp]"),
    "NamedTemporaryFile(delete=False)": ("""
        import os, tempfile
        with tempfile.NamedTemporaryFile(suffix='.csv', delete=False) as tmp:
            tmp.write(b'a,b')
        os.unlink(tmp.name)
        """, "fs.delete[$TMP/*.csv]"),
    "mkdtemp in a chosen directory": ("""
        import shutil, tempfile
        work = tempfile.mkdtemp(prefix='build-', dir='/var/tmp')
        shutil.rmtree(work)
        """, "fs.delete[/var/tmp/build-*]"),
    "cache file from a helper under the temp directory": ("""
        import os, tempfile
        CACHE_DIR = os.path.join(tempfile.gettempdir(), '.my-cache')
        def db_path(key):
            return os.path.join(CACHE_DIR, f'{key}.db')
        p = db_path('k')
        if os.path.exists(p):
            os.remove(p)
        """, "fs.delete[$TMP/.my-cache/*.db]"),
}


@pytest.mark.parametrize("name", sorted(OWN))
def test_deleting_what_the_script_made_names_that_file(name: str) -> None:
    src, expected = OWN[name]
    found = deletes(src)
    assert found == {expected}, found
    assert tier(Capability.parse(expected)) < 3


HANDED = {
    "a path from the command line": """
        import os, sys
        os.remove(sys.argv[1])
        """,
    "a helper returning its argument": """
        import shutil
        def target(p):
            return p
        shutil.rmtree(target(input()))
        """,
    "a helper with two different answers": """
        import os, tempfile
        def pick(flag):
            if flag:
                return tempfile.gettempdir()
            return os.path.expanduser(input())
        os.remove(pick(True))
        """,
    "a tuple that is not a temp file": """
        import os
        fd, path = os.pipe(), input()
        os.remove(path)
        """,
}


@pytest.mark.parametrize("name", sorted(HANDED))
def test_deleting_a_path_the_script_was_handed_stays_dangerous(name: str) -> None:
    found = deletes(HANDED[name])
    assert found == {"fs.delete[*]"}, found
    assert tier(Capability.parse("fs.delete[*]")) == 3


def test_deleting_a_home_path_from_a_helper_is_named() -> None:
    found = deletes("""
        import os, shutil
        def home_cache():
            return os.path.expanduser('~')
        shutil.rmtree(home_cache())
        """)
    assert found == {"fs.delete[~]"} and tier(Capability.parse("fs.delete[~]")) == 3
