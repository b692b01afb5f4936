"""Issue 18, no silent bounds: each bound of the shell analyzer, of its bridge to the code engines and of
the bytecode reader, through the real CLI — a package just under the bound has no analysis-incomplete
finding; just over, the finding names what was left out and why, and the package is not `allow`."""

from __future__ import annotations

import base64
import shlex
from pathlib import Path
from typing import Any

import pytest
from clirun import scan_json

from skillscan.analyzers.bytecode import MAX_COMMANDS
from skillscan.analyzers.bytecode.marshal_strings import MAX_STRINGS
from skillscan.analyzers.shell.bridge import MAX_FILES
from skillscan.analyzers.shell.nested import MAX_INLINE_CODES
from skillscan.analyzers.shell.state import MAX_DEPTH
from skillscan.analyzers.shell.syntax import MAX_TEXT

SKILL = "---\nname: {name}\ndescription: Formats text files with the bundled script.\n---\nRun scripts/run.sh.\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def package(root: Path, name: str, files: dict[str, bytes]) -> Path:
    pkg = root / name
    for rel, data in {"SKILL.md": SKILL.format(name=name).encode(), **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_bytes(data)
    return pkg


def scan(*pkgs: Path) -> dict[str, dict[str, Any]]:
    report, _ = scan_json(*map(str, pkgs), "--no-cache")
    return {Path(p["root"]).name: p for p in report["packages"]}


def incomplete(pkg: dict[str, Any]) -> list[str]:
    return [f["message"] for f in pkg["findings"] if f["rule_id"] == "analysis-incomplete"]


def check(tmp_path: Path, under: dict[str, bytes], over: dict[str, bytes], says: str) -> None:
    got = scan(package(tmp_path, "under", under), package(tmp_path, "over", over))
    assert incomplete(got["under"]) == [], incomplete(got["under"])
    assert any(says in m for m in incomplete(got["over"])), incomplete(got["over"])
    assert got["over"]["verdict"] != "allow"
    assert any(r.startswith("analysis-incomplete:") and says in r for r in got["over"]["reasons"]), got["over"]["reasons"]


def script(body: str) -> dict[str, bytes]:
    return {"scripts/run.sh": f"#!/bin/sh\n{body}\n".encode()}


def nested(levels: int) -> str:
    cmd = "id"
    for _ in range(levels):
        cmd = "sh -c " + shlex.quote(cmd)
    return cmd


def test_command_texts_nested_beyond_the_bound(tmp_path: Path) -> None:
    check(tmp_path, script(nested(MAX_DEPTH)), script(nested(MAX_DEPTH + 1)),
          f"nested more than {MAX_DEPTH} levels deep")


def test_inline_programs_beyond_the_bound(tmp_path: Path) -> None:
    line = "python3 -c 'import os; print(os.getcwd())'\n"
    check(tmp_path, script(line * MAX_INLINE_CODES), script(line * (MAX_INLINE_CODES + 1)),
          f"more than {MAX_INLINE_CODES} interpreter inline programs")


def _exec(code: str) -> str:
    return f"import base64;exec(base64.b64decode('{b64(code)}'))"


def test_payloads_decoded_beyond_the_bridge_depth(tmp_path: Path) -> None:
    once = _exec("import os;os.system('id')")
    twice = _exec(once)
    check(tmp_path, script(f'python3 -c "{once}"'), script(f'python3 -c "{twice}"'),
          "were not read by the code engines, which read at most")


def test_payloads_decoded_beyond_the_bridge_count(tmp_path: Path) -> None:
    per_program = 16  # the Python engine hands on at most 16 decoded payloads per file
    program = ";".join(["import base64", *(f"exec(base64.b64decode('{b64(f'print({i})')}'))" for i in range(per_program))])
    line = f'python3 -c "{program}"\n'
    full = MAX_FILES // per_program
    check(tmp_path, script(line * full), script(line * (full + 1)), f"which read at most {MAX_FILES} per command text")


def test_a_command_text_beyond_the_parser_bound(tmp_path: Path) -> None:
    def comment(n: int) -> dict[str, bytes]:
        return {"scripts/run.sh": ("#" + "x" * (n - 1)).encode()}

    check(tmp_path, comment(MAX_TEXT), comment(MAX_TEXT + 1), "the shell parser stopped early")


def pyc(strings: list[str]) -> bytes:
    """A compiled-Python header and marshal short strings (`z` + length + ASCII): only what the reader
    walks, never loaded or run."""
    body = b"".join(b"z" + bytes([len(s)]) + s.encode("ascii") for s in strings)
    return b"\x6f\x0d\r\n" + b"\x00" * 12 + body


def test_bytecode_strings_beyond_the_bound(tmp_path: Path) -> None:
    names = [f"n{i:06d}" for i in range(MAX_STRINGS + 1)]
    check(tmp_path, {"lib/mod.pyc": pyc(names[:MAX_STRINGS])}, {"lib/mod.pyc": pyc(names)},
          f"bytecode read only the first {MAX_STRINGS:,} distinct strings")


@pytest.mark.parametrize("count", [MAX_COMMANDS, MAX_COMMANDS + 1])
def test_bytecode_commands_beyond_the_bound(tmp_path: Path, count: int) -> None:
    commands = [f"chmod +x /tmp/f{i}" for i in range(count)]
    got = scan(package(tmp_path, "p", {"lib/mod.pyc": pyc(commands)}))["p"]
    says = [m for m in incomplete(got) if "string constants that read as shell commands" in m]
    assert len(says) == (count > MAX_COMMANDS), incomplete(got)


# --- the Python and JavaScript engines ---------------------------------------------------------------

def py_file(body: str) -> dict[str, bytes]:
    return {"scripts/tool.py": body.encode()}


def test_python_findings_beyond_the_bound(tmp_path: Path) -> None:
    from skillscan.analyzers.python.names import MAX_EVENTS

    line = "os.system('id')\n"
    check(tmp_path, py_file("import os\n" + line * 50), py_file("import os\n" + line * (MAX_EVENTS + 1)),
          f"more than {MAX_EVENTS:,} findings in one file")


def test_python_encoded_payloads_beyond_the_bound(tmp_path: Path) -> None:
    from skillscan.analyzers.python.names import MAX_DECODED

    def payloads(n: int) -> str:
        return "import base64\n" + "".join(_exec(f"print('step {i} of the job')") + "\n" for i in range(n))

    check(tmp_path, py_file(payloads(MAX_DECODED)), py_file(payloads(MAX_DECODED + 1)),
          f"more than {MAX_DECODED} encoded payloads in one file")


def test_javascript_encoded_payloads_beyond_the_bound(tmp_path: Path) -> None:
    from skillscan.analyzers.js_decode import MAX_PAYLOADS

    def payloads(n: int) -> dict[str, bytes]:
        code = [b64("console.log(require('os').hostname(), %d)" % i) for i in range(n)]
        calls = "".join("eval(atob('%s'));\n" % c for c in code)
        return {"scripts/tool.js": calls.encode()}

    check(tmp_path, payloads(MAX_PAYLOADS), payloads(MAX_PAYLOADS + 1),
          f"decoding stopped after {MAX_PAYLOADS} payloads")


def test_powershell_parse_beyond_the_bound(tmp_path: Path) -> None:
    from skillscan.analyzers.shell.psfacts import MAX_TEXT

    line = "Write-Output 'formatting the report files now'\n"
    small = line * 100
    big = line * (MAX_TEXT // len(line) + 10)
    check(tmp_path, {"scripts/run.ps1": small.encode()}, {"scripts/run.ps1": big.encode()},
          f"only the first {MAX_TEXT:,} characters of a PowerShell text were parsed")


def test_powershell_facts_beyond_the_bound(tmp_path: Path) -> None:
    from skillscan.analyzers.shell.psfacts import MAX_FACTS

    def listing(n: int) -> dict[str, bytes]:  # one fact per line: the environment drive listed
        return {"scripts/run.ps1": "".join(f"$e{i} = Get-ChildItem env:\n" for i in range(n)).encode()}

    check(tmp_path, listing(MAX_FACTS - 1), listing(MAX_FACTS + 5),
          f"the walk over a PowerShell text stopped at {MAX_FACTS} facts")
