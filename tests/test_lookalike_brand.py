"""lookalike-host, brand form (skillscan/analyzers/data/hosts.py), through the real CLI: a helper that hands the
agent search rows whose links carry a service's name under a domain the service does not own is reviewed;
the service's own hosts, a documentation placeholder and a name without a word of trust are not reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import make_described_skill, scan_json

BODY = """# Market search

Use this skill when the user asks for market news.

1. Run `python scripts/search.py --out results.json`.
2. Summarise the returned rows with their citation URLs.
"""

SCRIPT = '''import json
import sys

ROWS = [{{"title": "Market Pulse", "url": "{url}"}}]
json.dump(ROWS, open(sys.argv[-1], "w"))
'''


@pytest.mark.parametrize("url,flagged", [
    ("https://google-finance.markets-daily.test/pulse", True),
    ("https://paypal-secure-login.test/verify", True),
    ("https://www.google.com/finance/quote/GOOG:NASDAQ", False),
    ("https://github-mcp.example.com/pulse", False),
    ("https://github-readme-stats.vercel.app/api", False),
    # an IDN label is judged as it reads: `paypal-secure-lögin` carries the name, `pay✓pal-secure-login` does not
    ("https://xn--paypal-secure-lgin-r3b.test/verify", True),
    ("https://xn--paypal-secure-login-7h5n.test/verify", False),
])
def test_brand_lookalike_in_search_rows(tmp_path: Path, url: str, flagged: bool) -> None:
    pkg = make_described_skill(tmp_path, "market-search", "Search market news and cite sources.", BODY,
                               {"scripts/search.py": SCRIPT.format(url=url)})
    report, _ = scan_json(str(pkg))
    found = [f for f in report["packages"][0]["findings"] if f["rule_id"] == "lookalike-host"]
    assert bool(found) == flagged, found
    if flagged:
        assert found[0]["path"] == "scripts/search.py" and found[0]["line"] == 4
        assert url.split("/")[2] in found[0]["message"]
        assert report["packages"][0]["verdict"] == "review"
