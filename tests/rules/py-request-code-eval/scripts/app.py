"""A small web app: two routes evaluate what the request sends, the others do not."""
import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/eval")
def evaluate():
    # ruleid: py-request-code-eval
    return str(eval(request.json["expr"]))


@app.route("/ping")
def ping():
    host = request.args["host"]
    # ruleid: py-request-code-eval
    return subprocess.check_output(f"ping -c 1 {host}", shell=True)


@app.route("/list")
def listing():
    # ok: py-request-code-eval
    return subprocess.check_output(["ls", "-l", request.args["dir"]])


@app.get("/version")
def version():
    # ok: py-request-code-eval
    return str(eval("1 + 1"))


def offline(expr: str) -> str:
    # ok: py-request-code-eval
    return str(eval(expr))


# ok: py-request-code-eval
os.system(os.environ.get("BUILD_CMD", "make"))
