"""A URL opener handed a request object (`urlopen(req)` of `req = urllib.request.Request(URL, …)`) reaches the
host the object was made with: the capability names that host, not an unknown one (which would pair with any
file read as a home-read-egress combination)."""

from __future__ import annotations

from skillscan.analyzers.python import analyze_source
from skillscan.analyzers.python.capmap import load_capmap


def _caps(code: str) -> set[str]:
    result, _, _ = analyze_source(code, "run.py", load_capmap(None))
    return {str(c) for e in result.events for c in e.capabilities}


def test_urlopen_of_a_named_request_reaches_its_host() -> None:
    code = ("import urllib.request\nAPI = 'https://api.lingoflow.example/v2'\n"
            "req = urllib.request.Request(API, data=b'{}')\nurllib.request.urlopen(req)\n")
    caps = _caps(code)
    assert "net.egress[api.lingoflow.example]" in caps and "net.egress[*]" not in caps


def test_urlopen_of_an_inline_request_reaches_its_host() -> None:
    code = "from urllib.request import Request, urlopen\nurlopen(Request('https://api.lingoflow.example/x'))\n"
    assert "net.egress[api.lingoflow.example]" in _caps(code)


def test_a_request_made_from_a_run_time_url_stays_unknown() -> None:
    code = "import sys, urllib.request\nreq = urllib.request.Request(sys.argv[1])\nurllib.request.urlopen(req)\n"
    assert "net.egress[*]" in _caps(code)
