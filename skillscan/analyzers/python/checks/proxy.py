"""py-fixed-proxy-for-auth: a script routes an authenticated request through a proxy whose URL is written in the
code — a `proxy`/`proxies` entry of the same request description (an HTTP node of a generated workflow, a client
configuration) or of the same call (`requests.get(url, auth=…, proxies={"https": URL})`) that carries
authentication (`authentication: oAuth2`, `auth=`, an `Authorization` header, a token or credentials).

Whoever runs the proxy sees every token and response of those requests; a workflow or client configuration the
skill generates keeps sending them there long after the skill ran. A proxy taken from the user (an option, the
environment, `HTTPS_PROXY`) is the user's network setting and is not reported."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.python.checks.deferred import DeferredReports
from skillscan.analyzers.python.triggers import Triggers, finite_language
from skillscan.model import Location

RULE_IDS: tuple[str, ...] = ("py-fixed-proxy-for-auth",)

PROXY_KEY = pattern("proxy_key")
AUTH_KEY = pattern("auth_key")
URL = pattern("proxy_url")
PROXY_KEYS = finite_language(PROXY_KEY)  # every text PROXY_KEY matches, lower-cased
MAX_REPORTS = 4


class ProxyChecks(DeferredReports):
    # a proxy keyword argument or dict key (PROXY_KEYS: every text PROXY_KEY matches, lower-cased)
    TRIGGERS = Triggers(words=PROXY_KEYS, keys=PROXY_KEYS)

    def _fixed_proxy(self, node: cst.BaseExpression) -> str | None:
        """The URL a proxy value is, when the code writes it (a literal, a constant, a dict of them)."""
        if isinstance(node, cst.Dict):
            for e in node.elements:
                if isinstance(e, cst.DictElement) and (url := self._fixed_proxy(e.value)):
                    return url
            return None
        v = self.value_of(node)
        if v is None or not v.exact or not isinstance(v.data, str) or not URL.match(v.text.strip()):
            return None
        return v.text.strip()

    def _keys(self, node: cst.Dict) -> dict[str, cst.BaseExpression]:
        out: dict[str, cst.BaseExpression] = {}
        for e in node.elements:
            if isinstance(e, cst.DictElement):
                k = self.value_of(e.key)
                if k is not None and k.exact and isinstance(k.data, str):
                    out[k.data] = e.value
        return out

    def _authenticated(self, keys: dict[str, cst.BaseExpression]) -> str | None:
        for k, value in keys.items():
            if AUTH_KEY.match(k):
                v = self.value_of(value)
                return f"{k}: {v.text}" if v is not None and v.exact and len(v.text) <= 40 else k
            if k.lower() == "headers" and isinstance(value, cst.Dict) and any(
                    h.lower() in ("authorization", "proxy-authorization", "x-api-key") for h in self._keys(value)):
                return "an Authorization header"
        return None

    def check_proxy_dict(self, node: cst.Dict) -> None:
        """`{"authentication": "oAuth2", "proxy": "http://…"}` in a request description."""
        if len(node.elements) < 2:
            return
        keys = self._keys(node)
        proxy = next(((k, v) for k, v in keys.items() if PROXY_KEY.match(k)), None)
        if proxy is None:
            return
        url = self._fixed_proxy(proxy[1])
        auth = self._authenticated(keys) if url else None
        if url and auth:
            element = next(e for e in node.elements if isinstance(e, cst.DictElement) and e.value is proxy[1])
            self.defer(element, lambda loc: self._report_proxy(loc, url, auth))

    def check_proxy_call(self, node: cst.Call) -> None:
        """`requests.get(url, auth=…, proxies={"https": URL})`, `httpx.Client(proxy=URL, headers={"Authorization": …})`."""
        kw = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        proxy = next(((k, v) for k, v in kw.items() if PROXY_KEY.match(k)), None)
        if proxy is None:
            return
        url = self._fixed_proxy(proxy[1])
        if not url:
            return
        auth = None
        for k, value in kw.items():
            if AUTH_KEY.match(k):
                auth = f"{k}="
            elif k == "headers" and isinstance(value, cst.Dict) and any(
                    h.lower() in ("authorization", "x-api-key") for h in self._keys(value)):
                auth = "an Authorization header"
        if auth:
            self._report_proxy(self.loc.location(self.path, node), url, auth)  # the call: where the walk is

    def _report_proxy(self, loc: Location, url: str, auth: str) -> None:
        count = self.__dict__.get("_proxy_reports", 0)
        if count >= MAX_REPORTS:
            self.over_cap("py-fixed-proxy-for-auth", MAX_REPORTS)
            return
        self.__dict__["_proxy_reports"] = count + 1
        self.emit("py-fixed-proxy-for-auth",
                  f"routes a request authenticated with {auth} through the proxy {url}, a URL written in the code: "
                  f"whoever runs that proxy sees the request's credentials and responses", loc)
