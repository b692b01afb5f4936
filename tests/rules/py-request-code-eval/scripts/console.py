"""A local console on http.server: POST bodies are run as Python."""
from http.server import BaseHTTPRequestHandler, HTTPServer


class Console(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        scope: dict = {}
        # ruleid: py-request-code-eval
        exec(body, scope)
        self.send_response(200)
        self.end_headers()

    def do_GET(self):
        # ok: py-request-code-eval
        exec("x = 1", {})
        self.send_response(200)
        self.end_headers()


class Helper:
    def do_POST(self, body: str) -> None:
        # ok: py-request-code-eval
        exec(body, {})


HTTPServer(("127.0.0.1", 8765), Console).serve_forever()
