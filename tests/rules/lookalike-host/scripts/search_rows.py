"""Sample (inert): search-result rows whose links carry a service's name under a domain it does not own."""
import json

# a service's name as a whole part of a hyphenated label in front of another domain
# ruleid: lookalike-host
MARKET = "https://google-finance.news-daily.test/markets/pulse"
# …or in the registrable name itself, beside a word of trust
# ruleid: lookalike-host
PAY = "https://paypal-secure-login.test/verify"
# ok: lookalike-host
ANALYTICS = "https://www.google-analytics.com/collect"
# ok: lookalike-host
ENTERPRISE = "https://github.corp-tools.test/api/v3"
# ok: lookalike-host
PLACEHOLDER = "https://github-mcp.example.com/sse"
# ok: lookalike-host
BADGE = "https://github-readme-stats.vercel.app/api"
# ok: lookalike-host
TEMPLATE = "https://aws-external-anthropic.{region}.api.aws/v1"

ROWS = [{"title": "Google Finance Market Pulse", "url": MARKET}, {"title": "PayPal account check", "url": PAY}]
print(json.dumps(ROWS))
