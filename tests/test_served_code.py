"""js-request-code-eval: a server whose request handler evaluates code built at run time (real CLI), and the
handlers and sinks it is built from."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import SIGNAL_ALONE, make_described_skill, rule_hits, scan_json, scan_one

from skillscan.analyzers.js.parse import parse
from skillscan.analyzers.js.served_code import handlers, request_code_eval

RULE = "js-request-code-eval"
DESC = "Drives a browser for end-to-end tests through a small local HTTP server."
SERVER = """import http from "http";
const handler = async (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  let body = "";
  for await (const c of req) body += c;
  const { code } = JSON.parse(body);
  const fn = new Function("page", `return (async () => { ${code} })();`);
  res.end(String(await fn(null)));
};
http.createServer(handler).listen(9222);
"""


def _scan(pkg: Path) -> tuple[str, list[dict[str, object]]]:
    verdict, findings = scan_one(pkg, *SIGNAL_ALONE)
    return verdict, rule_hits(findings, RULE)


def test_a_server_that_evaluates_its_requests_is_review(tmp_path: Path) -> None:
    pkg = make_described_skill(tmp_path, "browser", DESC, "# Browser\n\nStart `node scripts/server.mjs`.\n",
                               {"scripts/server.mjs": SERVER})
    verdict, hits = _scan(pkg)
    assert verdict == "review"
    assert len(hits) == 1 and hits[0]["path"] == "scripts/server.mjs" and hits[0]["line"] == 7
    assert "(line 10)" in str(hits[0]["message"]) and "Access-Control-Allow-Origin: *, line 3" in str(hits[0]["message"])


def test_the_same_server_with_named_operations_is_allow(tmp_path: Path) -> None:
    named = SERVER.replace('const fn = new Function("page", `return (async () => { ${code} })();`);',
                           "const fn = async () => ({ click: 1, fill: 2 })[code] ?? 0;")
    pkg = make_described_skill(tmp_path, "browser", DESC, "# Browser\n\nStart `node scripts/server.mjs`.\n",
                               {"scripts/server.mjs": named})
    assert _scan(pkg) == ("allow", [])


def test_handlers() -> None:
    src = ("const app = express();\napp.post('/x', (req, res) => {});\nfunction h(q, s) {}\n"
           "https.createServer({}, h);\nconst other = makeThing();\nother.post('/y', () => {});\n")
    found = list(handlers(parse(src, "a.js", "javascript")))
    assert [h.line for h in found] == [2, 4]
    assert "app.post" in found[0].what and "https.createServer" in found[1].what


def test_eval_outside_a_handler_is_not_reported() -> None:
    src = "const s = process.argv[2];\neval(s);\nhttp.createServer((q, r) => r.end('ok'));\n"
    assert request_code_eval(parse(src, "a.js", "javascript"), "a.js") == []


def test_the_bound_on_handlers_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    import skillscan.analyzers.js.served_code as served

    src = "http.createServer((q, r) => r.end('ok'));\nhttp.createServer((q, r) => eval(q.url));\n"
    whole = parse(src, "a.js", "javascript")
    assert [f.location.line for f in request_code_eval(whole, "a.js")] == [2] and whole.cut == []
    monkeypatch.setattr(served, "MAX_HANDLERS", 1)
    cut = parse(src, "a.js", "javascript")
    assert request_code_eval(cut, "a.js") == []
    assert cut.cut == ["only the first 1 request handlers of its servers were searched for code run from a request"]


PY_CONSOLE = '''from http.server import BaseHTTPRequestHandler, HTTPServer


class Console(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        exec(body, {})
        self.send_response(200)


HTTPServer(("127.0.0.1", 8765), Console).serve_forever()
'''


def test_a_python_server_that_runs_its_requests_is_review(tmp_path: Path) -> None:
    pkg = make_described_skill(tmp_path, "console", DESC, "# Console\n\nStart `python3 scripts/console.py`.\n",
                               {"scripts/console.py": PY_CONSOLE})
    report, _ = scan_json(*SIGNAL_ALONE, str(pkg))
    p = report["packages"][0]
    hits = [f for f in p["findings"] if f["rule_id"] == "py-request-code-eval"]
    assert p["verdict"] == "review"
    assert len(hits) == 1 and hits[0]["line"] == 7
    assert "do_POST of the BaseHTTPRequestHandler subclass Console (line 5)" in str(hits[0]["message"])


def test_a_python_server_with_a_fixed_operation_is_allow(tmp_path: Path) -> None:
    fixed = PY_CONSOLE.replace("exec(body, {})", "print(len(body))")
    pkg = make_described_skill(tmp_path, "console", DESC, "# Console\n\nStart `python3 scripts/console.py`.\n",
                               {"scripts/console.py": fixed})
    report, _ = scan_json(*SIGNAL_ALONE, str(pkg))
    p = report["packages"][0]
    assert p["verdict"] == "allow" and not [f for f in p["findings"] if f["rule_id"] == "py-request-code-eval"]
