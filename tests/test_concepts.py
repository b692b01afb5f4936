"""Each shared concept has one implementation, in skillscan/capabilities/: URLs are taken apart only in
urls.py, base64/hex bytes and the backslash escapes of string literals are decoded only in decoding.py,
and finding fingerprints are hashed only in fingerprint.py. The source is read with `ast` (nothing is imported), so a new copy anywhere fails here."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from skillscan.capabilities import commands, decoding, urls

ROOT = Path(__file__).resolve().parent.parent / "skillscan"

URL_SPLITTERS = {"urlsplit", "urlparse", "urlunsplit", "urlunparse", "splitport", "splithost"}
DECODERS = {"b64decode", "urlsafe_b64decode", "standard_b64decode", "decodebytes", "decodestring", "b32decode",
            "b16decode", "b85decode", "a85decode", "fromhex", "unhexlify", "a2b_hex", "a2b_base64", "a2b_qp",
            "a2b_uu"}
DECODER_MODULES = {"base64", "binascii"}


def modules() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def called_names(tree: ast.AST) -> Iterator[tuple[str, str, int]]:
    """(receiver or "", name, line) of every call and of every `from x import name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute):
                recv = f.value.id if isinstance(f.value, ast.Name) else ""
                yield recv, f.attr, node.lineno
            elif isinstance(f, ast.Name):
                yield "", f.id, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name, node.lineno


def offenders(allowed: str, hit: object) -> list[str]:
    out = []
    for rel, tree in modules():
        if rel == allowed:
            continue
        for recv, name, line in called_names(tree):
            if hit(recv, name):  # type: ignore[operator]
                out.append(f"{rel}:{line}: {recv + '.' if recv else ''}{name}")
    return out


def test_urls_are_split_only_in_capabilities_urls() -> None:
    """No `urlsplit`/`urlparse` (under any receiver or alias) and no `urllib.parse` import elsewhere."""
    found = offenders("skillscan/capabilities/urls.py", lambda recv, name: name in URL_SPLITTERS
                      or (recv == "urllib" and name == "parse"))
    found += [f"{rel}:{node.lineno}: import urllib.parse" for rel, tree in modules()
              if rel != "skillscan/capabilities/urls.py" for node in ast.walk(tree)
              if isinstance(node, ast.Import) and any(a.name == "urllib.parse" for a in node.names)]
    assert found == []


SLICERS = {"split", "rsplit", "partition", "rpartition", "index", "rindex", "find", "rfind"}


def scheme_slices(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, call) of every call that cuts text at `://` by hand: `x.split("://")`, `x.find("://")`,
    `x.partition("//")`, `re.split(r"://", x)`, `x[x.index("://") + 3:]`…"""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, (str, bytes))]
        cut = any((b"://" if isinstance(a, bytes) else "://") in a for a in args)
        if name in SLICERS and (cut or "//" in args):  # also re.split(r"://", x)
            yield node.lineno, name


def test_urls_are_cut_at_the_scheme_only_in_capabilities_urls() -> None:
    """The scheme and the rest of a URL are separated only by urls.py (`scheme`, `after_scheme`,
    `with_scheme`, the host readers); the shell analyzer, the policy matchers, the capability grammar
    and the purpose check each had their own `split("://")`."""
    found = [f"{rel}:{line}: .{name}(\"://\")" for rel, tree in modules() if rel != "skillscan/capabilities/urls.py"
             for line, name in scheme_slices(tree)]
    assert found == []


def test_base64_and_hex_are_decoded_only_in_capabilities_decoding() -> None:
    def hit(recv: str, name: str) -> bool:
        if recv in DECODER_MODULES:
            return name in DECODERS or recv == "binascii"
        if name in DECODERS and recv and not recv.startswith(("skillscan", "decoding")):
            return True  # `import base64 as b; b.b64decode(x)`, `x.fromhex(...)`, `from base64 import …`
        return recv in ("bytes", "bytearray") and name == "fromhex"

    found = offenders("skillscan/capabilities/decoding.py", hit)
    # a codec named by string: codecs.decode(x, "hex"), x.decode("base64"), codecs.getdecoder("hex")
    for rel, tree in modules():
        if rel == "skillscan/capabilities/decoding.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("decode", "getdecoder", "lookup", "iterdecode"):
                codec = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if any(c.lower().replace("-", "_") in HEX_BASE64_CODECS for c in codec):
                    found.append(f"{rel}:{node.lineno}: {node.func.attr}({codec[0]!r})")
    assert found == []


HEX_BASE64_CODECS = {"hex", "hex_codec", "base64", "base_64", "base64_codec", "uu", "uu_codec", "quopri",
                     "quopri_codec", "quotedprintable", "quoted_printable"}


ESCAPE_CODECS = {"unicode_escape", "raw_unicode_escape", "string_escape"}
CHAR_MAKERS = {"chr", "bytes", "bytearray", "to_bytes"}


def _base(call: ast.Call) -> object:
    if len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
        return call.args[1].value
    return next((k.value.value for k in call.keywords if k.arg == "base" and isinstance(k.value, ast.Constant)), None)


def escape_decoders(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) of every hand-written reader of numeric escapes: a function that reads digits as hex
    or octal (`int(x, 16)`, `int(x, 8)`) and makes characters or bytes of them (`chr`, `bytes`…) —
    `\\xHH`, `\\uHHHH`, `\\NNN` read by hand — and every `unicode_escape` codec named by string."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
            radix = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "int" and _base(c) in (8, 16)]
            makes = any(isinstance(c.func, ast.Name) and c.func.id in CHAR_MAKERS
                        or isinstance(c.func, ast.Attribute) and c.func.attr in CHAR_MAKERS for c in calls)
            if radix and makes:
                yield radix[0].lineno, getattr(node, "name", "lambda")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("decode", "getdecoder", "lookup", "iterdecode"):
            codec = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if any(c.lower().replace("-", "_") in ESCAPE_CODECS for c in codec):
                yield node.lineno, f"{node.func.attr}({codec[0]!r})"


def test_string_escapes_are_read_only_in_capabilities_decoding() -> None:
    """`\\xHH`, `\\uHHHH`, `\\u{…}` and octal escapes are read only by `decoding.string_escape`: the
    shell's ANSI-C and printf readers, the JS string reader and the YARA meta reader each had their own.
    Which escapes a language accepts stays with the language, as data (a regex and a table)."""
    found = sorted({f"{rel}:{line}: {what}" for rel, tree in modules()
                    if rel != "skillscan/capabilities/decoding.py" for line, what in escape_decoders(tree)})
    assert found == []


# Every other module that hashes, and what it hashes (none of them a finding): a new one must say why
# here, so a second fingerprint cannot appear unseen.
HASHERS = {
    "skillscan/engine.py": "the package context and skillscan's own code, for the result cache",
    "skillscan/cache.py": "the result cache's keys",
    "skillscan/catalog.py": "the rules digest",
    "skillscan/ruledata.py": "the compiled rule data's cache keys",
    "skillscan/policy_load.py": "the policy file's digest",
    "skillscan/loaders/files.py": "a package's content digest",
    "skillscan/analyzers/roles_share.py": "the key of a document's memoised roles",
    "skillscan/analyzers/yara.py": "the compiled rules' cache key",
    "skillscan/analyzers/shell/capmap.py": "the capability map's cache key",
    "skillscan/loaders/remote.py": "the integrity of a fetched archive",
    "skillscan/serve/blobs.py": "the content address of an uploaded archive",
    "skillscan/serve/pages.py": "the CSRF token of a form",
    "skillscan/serve/tokens.py": "an API token at rest",
    "skillscan/serve/settings.py": "the service's verdict cache key",
    "skillscan/lazyre_cache.py": "the Python build the compiled-regex cache file is for",
    "skillscan/dataclass_cache.py": "the Python build the compiled-dataclass cache file is for",
    "skillscan/marshal_file.py": "the integrity of a marshal cache file (regex opcodes, dataclass methods)",
}
HASH_NAMES = {"hashlib", "sha1", "sha256", "sha512", "md5", "blake2b", "blake2s", "xxhash", "mmh3", "hash"}
FINDING_PARTS = {"rule_id", "rule", "snippet", "fingerprint", "occurrence"}


def test_fingerprints_are_hashed_only_in_capabilities_fingerprint() -> None:
    """Only fingerprint.py hashes a finding; the modules that hash something else are listed above,
    and none of them hashes a finding's rule, snippet or occurrence."""
    found = []
    for rel, tree in modules():
        if rel == "skillscan/capabilities/fingerprint.py":
            continue
        hashes = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and (
            isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and n.func.value.id == "hashlib"
            or isinstance(n.func, ast.Name) and n.func.id in HASH_NAMES - {"hash", "hashlib"})]
        if hashes and rel not in HASHERS:
            found.append(f"{rel}:{hashes[0].lineno}: hashes, and is not a listed hasher")
        for call in hashes:
            named = {n.attr if isinstance(n, ast.Attribute) else n.id for arg in call.args for n in ast.walk(arg)
                     if isinstance(n, (ast.Name, ast.Attribute))}
            if named & FINDING_PARTS:
                found.append(f"{rel}:{call.lineno}: hashes {sorted(named & FINDING_PARTS)}")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "fingerprint" in node.name.lower():
                if any(isinstance(n, ast.Name) and n.id in HASH_NAMES for n in ast.walk(node)):
                    found.append(f"{rel}:{node.lineno}: {node.name}")
    assert found == []
    assert (ROOT / "capabilities" / "fingerprint.py").is_file()
    assert all((ROOT.parent / rel).is_file() for rel in HASHERS)


SAMPLE_URLS = ("see https://user@api.example.com:8443/v1/x?q=1 here", "https://api.example.com:8443/v1/x?q=1",
               "'https://api.example.com/v1'")
SAMPLE_HOSTS = {"api.example.com", "api.example.com:8443", "user@api.example.com", "user@api.example.com:8443"}


def _is_host(group: str) -> bool:
    """A captured group that is the sample's host or authority (with or without its scheme)."""
    g = group.lower().strip("'\"")
    return g in SAMPLE_HOSTS or (g.split("//", 1)[-1] in SAMPLE_HOSTS and g.startswith("https://"))


def host_extractors(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, pattern) of every regex literal that takes the host out of a URL: a string or bytes
    constant with `://` that, compiled, captures the host (or authority) of a sample URL."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, (str, bytes)):
            continue
        value = node.value
        if (b"://" if isinstance(value, bytes) else "://") not in value:
            continue
        if any(_captures_host(value, url) for url in SAMPLE_URLS):
            yield node.lineno, value if isinstance(value, str) else value.decode("latin-1")


def _captures_host(pattern: str | bytes, url: str) -> bool:
    sample: str | bytes = url.encode() if isinstance(pattern, bytes) else url
    for flags in (0, re.IGNORECASE):
        try:
            m = re.compile(pattern, flags).search(sample)  # type: ignore[call-overload]
        except (re.error, TypeError, ValueError):
            return False
        groups = [g.decode() if isinstance(g, bytes) else g for g in (m.groups() if m else ()) if g]
        if any(_is_host(g) for g in groups):
            return True
    return False


def test_url_hosts_are_read_only_in_capabilities_urls() -> None:
    """No regex outside urls.py takes a host out of a URL (the YARA engine, the prose capabilities and
    the purpose check each had their own)."""
    found = [f"{rel}:{line}: {pattern[:60]}" for rel, tree in modules() if rel != "skillscan/capabilities/urls.py"
             for line, pattern in host_extractors(tree)]
    assert found == []


def test_the_checks_are_not_vacuous() -> None:
    """The scanners find the real implementations, so a copy elsewhere would be found too."""
    tree = ast.parse((ROOT / "capabilities" / "urls.py").read_text(encoding="utf-8"))
    assert any(name == "urlsplit" for _, name, _ in called_names(tree))
    tree = ast.parse((ROOT / "capabilities" / "decoding.py").read_text(encoding="utf-8"))
    assert any(recv == "base64" and name == "b64decode" for recv, name, _ in called_names(tree))
    assert any(recv == "bytes" and name == "fromhex" for recv, name, _ in called_names(tree))
    tree = ast.parse((ROOT / "capabilities" / "urls.py").read_text(encoding="utf-8"))
    assert len(list(host_extractors(tree))) >= 3  # the text, prose and bytes readers
    copy = ast.parse('H = re.compile(rb"https?://(?:[^@/]*@)?([^/:]+)")\nK = r"https?://([^/\\s]+)"\n'
                     'S = r"^[\\"\']?(https?://[A-Za-z0-9.-]+(?::\\d+)?)(?=[/?#]|$)"')
    assert sorted(line for line, _ in host_extractors(copy)) == [1, 2, 3]
    tree = ast.parse((ROOT / "capabilities" / "urls.py").read_text(encoding="utf-8"))
    assert list(scheme_slices(tree))  # urls.py itself cuts at the scheme
    cuts = ast.parse('a = u.split("://", 1)[-1]\nb = u[u.find("://") + 3:]\nc = re.split(r"://", u)\n'
                     'd = u.partition("//")\ne = u.startswith("https://")')
    assert sorted(line for line, _ in scheme_slices(cuts)) == [1, 2, 3, 4]
    tree = ast.parse((ROOT / "capabilities" / "decoding.py").read_text(encoding="utf-8"))
    assert sorted(what for _, what in escape_decoders(tree)) == ["decode('unicode_escape')", "string_escape"]
    copies = ast.parse('def a(m):\n    return chr(int(m.group(1)[1:], 16))\n'
                       'def b(e):\n    cp = int(e, base=8)\n    return chr(cp & 0xFF)\n'
                       'c = lambda m: bytes([int(m[1], 16)])\nd = s.decode("unicode-escape")\n'
                       'def e(v):\n    return chr(int(v))\ndef f(v):\n    return int(v, 16) + 1\n')
    assert sorted(line for line, _ in escape_decoders(copies)) == [2, 4, 6, 7]
    decoders = ast.parse('import codecs\nx = codecs.decode(s, "hex")\ny = s.decode("base64")\nz = s.decode("utf-8")')
    assert [n.lineno for n in ast.walk(decoders) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and any(isinstance(a, ast.Constant) and a.value in HEX_BASE64_CODECS for a in n.args)] == [2, 3]


@pytest.mark.parametrize(("url", "host"), [
    ("https://User:pw@API.Example.com.:8443/v1?q=1", "api.example.com"),
    ("example.org/path", "example.org"),
    ("http://[::1]:8080/", "::1"),
    ("https://$HOST/x", "*"),
    ("", "*"),
])
def test_host_of(url: str, host: str) -> None:
    assert urls.host_of(url) == host


def test_literal_and_script_hosts_mark_unknown_parts() -> None:
    assert urls.literal_host("https://*.example.com/x") == "*"
    assert urls.literal_host("ftp://files.example.net/a") == "files.example.net"
    assert urls.script_host("wss://a.example/\x00", "\x00") == "a.example"
    assert urls.script_host("https://\x00.example/x", "\x00") == "*"
    assert urls.script_host("mailto:a@example.com", "\x00") == "*"  # not a network scheme
    assert urls.operand_host("deploy@build.example.com:/srv") == "build.example.com"
    assert urls.normalize_host("https://x.example.com:443/v1") == "x.example.com"


def test_decoders() -> None:
    assert decoding.b64decode("aGVs\nbG8") == b"hello"
    assert decoding.b64decode(b"-_8", altchars=decoding.URLSAFE) == b"\xfb\xff"
    assert decoding.b64decode("a") is None
    assert decoding.hexdecode("68 69") == b"hi"
    assert decoding.hexdecode("6") is None
    assert decoding.unicode_unescape("\\x41\\u00e9") == "Aé".encode()


@pytest.mark.parametrize(("command", "program"), [
    ("NODE_ENV=production timeout 30 node build.js", "node"),
    ("sudo -E /usr/bin/Python3.11 -m pip install x", "python"),
    ("env -i nohup ./run.sh", "run.sh"),
    ("nice -n 5", ""),
    ('bash -c "unbalanced', "bash"),
])
def test_program_of_a_command_line(command: str, program: str) -> None:
    assert commands.program(command) == program


@pytest.mark.parametrize(("command", "program"), [
    ("sudo -E node server.js", "node"),  # declarations skipped no `sudo` before
    ("timeout 30 python3 x.py", "python"),  # the manifest engine read `30`, and kept `python3`
    ("builtin cd /tmp", "cd"),  # the manifest engine did not know `builtin`
    ("NODE_ENV=production npx -y @acme/mcp", "npx"),
])
def test_declarations_manifests_and_scripts_read_the_same_program(command: str, program: str) -> None:
    from skillscan.analyzers.manifest import program as manifest_program
    from skillscan.permissions.surfaces import argv0

    assert argv0(command) == manifest_program(command) == commands.program(command) == program


def test_where_a_prose_sentence_sits_is_said_only_in_prose_findings() -> None:
    """"(in an HTML comment)", "(in text the rendered document hides)": one `where` for every prose detector
    (skillscan/analyzers/instructions/prose_findings.py), so no detector says less than the others."""
    labels = ("(in an HTML comment)", "document hides)")
    found = [f"{rel}: {label}" for rel, tree in modules() if rel != "skillscan/analyzers/instructions/prose_findings.py"
             for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
             for label in labels if label in node.value]
    assert found == []


FIXED_SOURCE_USERS = ("skillscan/analyzers/shell/datacmd.py", "skillscan/analyzers/python/checks/data_command.py")


def test_a_fixed_source_is_decided_only_in_capabilities_fixed_source() -> None:
    """Whether a record comes from the author's own configuration (a path the script writes down) or from data
    someone else wrote is one notion for the shell and Python data-command checks: both import it from
    capabilities/fixed_source.py, and no other module defines a function of that name or keeps its own list of
    temporary and download directories."""
    users = set()
    found = []
    for rel, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "skillscan.capabilities.fixed_source":
                users.add(rel)
            if rel != "skillscan/capabilities/fixed_source.py" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and re.search(r"fixed_(?:path|literals)", node.name):
                found.append(f"{rel}:{node.lineno}: {node.name}")
    assert found == []
    assert set(FIXED_SOURCE_USERS) <= users


@pytest.mark.parametrize(("text", "fixed"), [
    ("config.json", True), ("./config.json", True), ("config/settings.json", True), ('"steps.yaml"', True),
    ('"$(dirname "$0")/steps.yaml"', True), ('"${BASH_SOURCE%/*}/hooks.json"', True),
    ("$PSScriptRoot\\config.json", True), (".\\steps.csv", True), ("%~dp0settings.json", True),
    ('"$1"', False), ("$TICKET", False), ("$args[0]", False), ("-", False), ("/dev/stdin", False),
    ("/tmp/incoming.json", False), ("~/Downloads/plan.json", False), ("https://example.com/p.json", False),
    ('"$(mktemp)/x.json"', False), ("$env:TEMP\\plan.json", False), ("", False),
])
def test_fixed_path(text: str, fixed: bool) -> None:
    from skillscan.capabilities.fixed_source import fixed_path
    assert fixed_path(text) is fixed


def test_a_file_the_script_wrote_first_is_not_fixed() -> None:
    from skillscan.capabilities.fixed_source import fixed_literals, fixed_path
    assert fixed_path("plan.json", written={"plan.json"}) is False
    assert fixed_path("./out/plan.json", written={"plan.json"}) is False
    assert fixed_path("config.json", written={"plan.json"}) is True
    assert fixed_literals(["config", "steps.json"]) is True
    assert fixed_literals([]) is False
