"""js-fixed-proxy-for-auth: a JavaScript/TypeScript script routes an authenticated request through a proxy whose
address is written in the code — a `proxy` entry (a URL, or axios's `{host, port}` written out) or an `agent` made
by a proxy agent (`new HttpsProxyAgent("http://…")`) of the same request description that carries authentication
(`auth`, `authentication`, an `Authorization` header, a token or credentials). Whoever runs the proxy sees every
token and response of those requests (the Python rule is `python/checks/proxy.py`; the keys are shared,
`rules/capabilities/code.yaml`). A proxy taken from the user (`process.env.HTTPS_PROXY`, an option) is not
reported."""

from __future__ import annotations

from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.js.context import Context
from skillscan.analyzers.js.values import string_value, unwrap

RULE_IDS: tuple[str, ...] = ("js-fixed-proxy-for-auth",)

PROXY_KEY = pattern("proxy_key")
AUTH_KEY = pattern("auth_key")
URL = pattern("proxy_url")
AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key"})
MAX_REPORTS = 4


def check(ctx: Context) -> None:
    reported = 0
    for obj in ctx.of_kind("object"):
        if reported >= MAX_REPORTS:
            return
        pairs = _pairs(ctx, obj)
        if len(pairs) < 2:
            continue
        proxy = next(((k, p) for k, p in pairs if PROXY_KEY.match(k) or k == "agent"), None)
        if proxy is None:
            continue
        url = _fixed_proxy(ctx, proxy[1].child_by_field_name("value"), agent=proxy[0] == "agent")
        auth = _authenticated(ctx, pairs) if url else None
        if url and auth:
            ctx.emit("js-fixed-proxy-for-auth", f"routes a request authenticated with {auth} through the proxy {url}, "
                     f"an address written in the code: whoever runs that proxy sees the request's credentials and "
                     f"responses", proxy[1])
            reported += 1


def _pairs(ctx: Context, obj: Any) -> list[tuple[str, Any]]:
    out = []
    for c in obj.named_children:
        if c.type == "pair" and (k := c.child_by_field_name("key")) is not None:
            out.append((string_value(ctx.parsed, k) if k.type == "string" else ctx.text(k), c))
    return out


def _fixed_proxy(ctx: Context, node: Any, agent: bool = False) -> str | None:
    """The proxy address the code writes: a URL constant, `{host: "…", port: …}`, `new …ProxyAgent("URL")`."""
    node = unwrap(node)
    if node is None:
        return None
    if agent:
        if node.type != "new_expression" or not ctx.text(node.child_by_field_name("constructor")).endswith("ProxyAgent"):
            return None
        args = node.child_by_field_name("arguments")
        node = args.named_children[0] if args is not None and args.named_children else None
        return _fixed_proxy(ctx, node) if node is not None else None
    obj = ctx.values._container(node, 0)
    if obj is not None and obj.type == "object":
        pairs = dict(_pairs(ctx, obj))
        if "host" in pairs:
            host = ctx.values.constant(pairs["host"].child_by_field_name("value"))
            port = ctx.values.constant(pairs["port"].child_by_field_name("value")) if "port" in pairs else None
            if host and "/" not in host and host.strip():
                return f"{host}:{port}" if port else host
        for p in pairs.values():
            if url := _fixed_proxy(ctx, p.child_by_field_name("value")):
                return url
        return None
    v = ctx.values.constant(node)
    return v.strip() if v and URL.match(v.strip()) else None


def _authenticated(ctx: Context, pairs: list[tuple[str, Any]]) -> str | None:
    for k, p in pairs:
        value = p.child_by_field_name("value")
        if AUTH_KEY.match(k):
            v = ctx.values.constant(value)
            return f"{k}: {v}" if v is not None and len(v) <= 40 else k
        if k.lower() == "headers":
            obj = ctx.values._container(value, 0)
            if obj is not None and obj.type == "object" and any(h.lower() in AUTH_HEADERS for h, _ in _pairs(ctx, obj)):
                return "an Authorization header"
    return None
