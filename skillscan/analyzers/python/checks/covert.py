"""Data encoded into a side channel of a request, not its body.

* py-data-in-dns-name: a script builds a host name (`f"{label}.collector.example.net"`, `enc + ".example.net"`)
  one of whose labels is the base32/base64/hex encoding of data computed at run time. A resolver asked for that
  name carries the data to whoever runs the domain's name server — DNS exfiltration, which passes proxies and
  firewalls that stop HTTP. Passed to a resolver in the same file (`socket.gethostbyname`, `socket.getaddrinfo`,
  `dns.resolver.resolve`) it is graded high; only built, for review.
* py-encoded-data-in-header: a script puts the base64/base32/hex encoding of data computed at run time into a
  custom header of an HTTP request (`headers={"X-Preview": b64encode(text)}`, a `"headers"` entry of a request
  description). Headers are not shown where bodies are, and many logs and reviews skip them; encoding hides the
  content from a reader. Authentication, signature and checksum headers (`Authorization`, `X-Signature`,
  `Content-MD5` …) carry encoded credentials or digests by design and are not reported, nor are encodings of a
  digest, random bytes or a literal.
"""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.python.checks.deferred import DeferredReports
from skillscan.analyzers.python.literals import call_kwarg
from skillscan.analyzers.python.triggers import Triggers
from skillscan.lazyre import lazy
from skillscan.model import Confidence, Location

RULE_IDS: tuple[str, ...] = ("py-data-in-dns-name", "py-encoded-data-in-header")

ENCODERS = {
    "base64.b64encode": "base64", "base64.standard_b64encode": "base64", "base64.urlsafe_b64encode": "base64",
    "base64.encodebytes": "base64", "base64.b32encode": "base32", "base64.b32hexencode": "base32",
    "base64.b16encode": "hex", "base64.b85encode": "base85", "base64.a85encode": "ascii85",
    "binascii.hexlify": "hex", "binascii.b2a_hex": "hex", "binascii.b2a_base64": "base64",
}
# methods a value passes through unchanged in what it carries
PASS_METHODS = {"decode", "encode", "lower", "upper", "strip", "rstrip", "lstrip", "replace", "translate", "casefold"}
RESOLVERS = {"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo", "dns.resolver.resolve",
             "dns.resolver.query", "dns.resolver.Resolver.resolve", "dns.resolver.Resolver.query",
             "aiodns.DNSResolver.query"}
# what an encoder may encode without carrying data: a digest, random bytes, a fresh id
NOT_DATA = lazy(r"(?:\bhashlib\.|\bhmac\.|\.digest\(|\.hexdigest\(|\burandom\(|\btoken_bytes\(|\btoken_hex\(|"
                r"\buuid\d?\(|\brandom\.|\bsecrets\.)")
# the literal tail of a host name after an encoded label: `.label.tld`, nothing that is not a host character
HOST_TAIL = pattern("host_tail")
HOST_PART = pattern("host_part")
HEADER_NAME = pattern("header_name")
# headers that carry encoded credentials, signatures or digests by design
HEADER_BY_DESIGN = pattern("header_by_design")
HEADERS_NAME = pattern("headers_name")
MAX_DEPTH = 6
MAX_CANDIDATES = 32


class CovertChecks(DeferredReports):
    # both rules need an encoder call (or `.encode().hex()`)
    TRIGGERS = Triggers(calls=frozenset(ENCODERS), words=frozenset({"hex"}))

    # ------------------------------------------------------------------ the encoding a value carries

    def encoding_in(self, node: cst.BaseExpression | None,
                    depth: int = 0) -> tuple[str, cst.Call, cst.BaseExpression] | None:
        """The encoding of run-time data that `node` is (through pass-through methods, slices and the value last
        assigned to a name): (`base32`, the encoder call, the data encoded), or None."""
        if node is None or depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            q = self.qualname(node.func)
            if q in ENCODERS and node.args:
                arg = node.args[0].value
                v = self.value_of(arg)
                if v is not None and v.exact:
                    return None  # a literal encoded: no data of the run
                if NOT_DATA.search(self.module.code_for_node(arg)):
                    return None
                return ENCODERS[q], node, arg
            if isinstance(node.func, cst.Attribute):
                name = node.func.attr.value
                if name == "hex" and not node.args:
                    inner = node.func.value
                    if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) and \
                            inner.func.attr.value == "encode" and not NOT_DATA.search(self.module.code_for_node(inner)):
                        v = self.value_of(inner.func.value)
                        return None if v is not None and v.exact else ("hex", node, inner.func.value)
                    return None
                if name in PASS_METHODS:
                    return self.encoding_in(node.func.value, depth + 1)
            return None
        if isinstance(node, cst.Subscript):
            return self.encoding_in(node.value, depth + 1)
        if isinstance(node, cst.Name):
            b = self.lookup(node.value)
            if b is not None and isinstance(b.node, cst.BaseExpression) and b.node is not node:
                return self.encoding_in(b.node, depth + 1)
        return None

    # ------------------------------------------------------------------ py-data-in-dns-name

    def note_host_name(self, node: cst.FormattedString) -> None:
        """`f"{a}.{enc}.collector.example.net"`: a host name whose label is encoded data."""
        parts = node.parts
        if not parts or not isinstance(parts[-1], cst.FormattedStringText):
            return
        tail = parts[-1].value
        if not HOST_TAIL.match(tail):
            return
        if not all(HOST_PART.match(p.value) for p in parts if isinstance(p, cst.FormattedStringText)):
            return
        for i, p in enumerate(parts):
            if not isinstance(p, cst.FormattedStringExpression) or p.conversion or p.format_spec:
                continue
            after = parts[i + 1] if i + 1 < len(parts) else None
            if not (isinstance(after, cst.FormattedStringText) and after.value.startswith(".")):
                continue
            enc = self.encoding_in(p.expression)
            if enc is not None:
                self._candidate(node, tail.lstrip(".").rstrip("."), self.module.code_for_node(p.expression), enc)
                return

    def note_host_concat(self, node: cst.BinaryOperation) -> None:
        """`enc + ".collector.example.net"`."""
        if not isinstance(node.operator, cst.Add) or not isinstance(node.right, cst.SimpleString):
            return
        tail = self.value_of(node.right)
        if tail is None or not tail.exact or not isinstance(tail.data, str) or not HOST_TAIL.match(tail.data):
            return
        enc = self.encoding_in(node.left)
        if enc is not None:
            self._candidate(node, tail.data.lstrip(".").rstrip("."), self.module.code_for_node(node.left), enc)

    def note_host_format(self, node: cst.Call) -> None:
        """`"{}.{}.collector.example.net".format(a, enc)`, `".".join([enc, "collector.example.net"])`."""
        if not isinstance(node.func, cst.Attribute) or node.func.attr.value not in ("format", "join"):
            return
        fmt = self.value_of(node.func.value)
        if fmt is None or not fmt.exact or not isinstance(fmt.data, str):
            return
        if node.func.attr.value == "join":
            if fmt.data != "." or len(node.args) != 1 or not isinstance(node.args[0].value, (cst.List, cst.Tuple)):
                return
            items = [e.value for e in node.args[0].value.elements]
            last = self.value_of(items[-1]) if items else None
            if last is None or not last.exact or not HOST_TAIL.match("." + last.text):
                return
            for item in items[:-1]:
                enc = self.encoding_in(item)
                if enc is not None:
                    self._candidate(node, last.text.rstrip("."), self.module.code_for_node(item), enc)
                    return
            return
        pieces = fmt.data.split("{}")
        if len(pieces) < 2 or not HOST_TAIL.match(pieces[-1]) or not all(HOST_PART.match(p) for p in pieces):
            return
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        for i, arg in enumerate(positional[:len(pieces) - 1]):
            if not pieces[i + 1].startswith("."):
                continue
            enc = self.encoding_in(arg)
            if enc is not None:
                self._candidate(node, pieces[-1].strip("."), self.module.code_for_node(arg), enc)
                return

    def note_host_percent(self, node: cst.BinaryOperation) -> None:
        """`"%s.collector.example.net" % enc`."""
        if not isinstance(node.operator, cst.Modulo):
            return
        fmt = self.value_of(node.left)
        if fmt is None or not fmt.exact or not isinstance(fmt.data, str) or "%s" not in fmt.data:
            return
        pieces = fmt.data.split("%s")
        if not HOST_TAIL.match(pieces[-1]) or not all(HOST_PART.match(p) for p in pieces):
            return
        args = [e.value for e in node.right.elements] if isinstance(node.right, cst.Tuple) else [node.right]
        for i, arg in enumerate(args[:len(pieces) - 1]):
            if pieces[i + 1].startswith(".") and (enc := self.encoding_in(arg)) is not None:
                self._candidate(node, pieces[-1].strip("."), self.module.code_for_node(arg), enc)
                return

    def _candidate(self, node: cst.CSTNode, domain: str, label: str,
                   enc: tuple[str, cst.Call, cst.BaseExpression]) -> None:
        found = self.__dict__.setdefault("_dns_names", {})
        if id(node) in found or len(found) >= MAX_CANDIDATES:
            return
        # the encoder is not located: it may sit on an earlier line the in-order locator has passed
        found[id(node)] = (self.loc.location(self.path, node), domain, label, enc[0])

    def note_resolver_call(self, node: cst.Call, q: str | None) -> None:
        """A resolver asked for a name built above (directly or through a variable)."""
        if q not in RESOLVERS or not node.args:
            return
        arg = node.args[0].value
        if isinstance(arg, cst.Name):
            b = self.lookup(arg.value)
            arg = b.node if b is not None and isinstance(b.node, cst.BaseExpression) else arg
        self.__dict__.setdefault("_dns_resolved", {})[id(arg)] = (q, self.loc.location(self.path, node))

    def finish_dns_names(self) -> None:
        found: dict[int, tuple[Location, str, str, str]] = self.__dict__.get("_dns_names", {})
        resolved: dict[int, tuple[str, Location]] = self.__dict__.get("_dns_resolved", {})
        for key, (loc, domain, label, encoding) in found.items():
            what = (f"a host name under {domain} one of whose labels is `{label}`, the {encoding} encoding of data "
                    f"computed at run time")
            if key in resolved:
                q, where = resolved[key]
                self.emit("py-data-in-dns-name",
                          f"looks up, with {q}{_elsewhere(where, loc)}, {what}: the lookup carries that data to the "
                          f"domain's name server", loc, related=(where,), confidence=Confidence.MEDIUM)
            else:
                self.emit("py-data-in-dns-name",
                          f"builds {what}: a lookup of that name carries the data to the domain's name server", loc,
                          confidence=Confidence.LOW)

    # ------------------------------------------------------------------ py-encoded-data-in-header

    def check_header_dicts(self, node: cst.Dict) -> None:
        """A `"headers": {…}` entry of a request description."""
        for e in node.elements:
            if not isinstance(e, cst.DictElement) or not isinstance(e.value, cst.Dict):
                continue
            key = self.value_of(e.key)
            if key is not None and key.exact and isinstance(key.data, str) and HEADERS_NAME.match(key.data):
                self._check_headers(e.value)

    def check_header_kwarg(self, node: cst.Call) -> None:
        """`requests.post(url, headers={…})`, `Request(url, headers=h)`."""
        value = call_kwarg(node, "headers")
        ahead = True
        if isinstance(value, cst.Name):  # a dict assigned above: the walk has passed it
            b = self.lookup(value.value)
            value, ahead = (b.node, False) if b is not None and isinstance(b.node, cst.BaseExpression) else (value, True)
        if isinstance(value, cst.Dict):
            self._check_headers(value, ahead=ahead)

    def check_header_assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`headers = {…}`, `self.headers = {…}`, `session.headers["X-A"] = enc`."""
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and \
                isinstance(target.slice[0].slice, cst.Index) and HEADERS_NAME.search(_tail_name(target.value)):
            key = self.value_of(target.slice[0].slice.value)
            if key is not None and key.exact and isinstance(key.data, str):  # after the walk passed it
                self._check_header(target.slice[0].slice.value, key.data, value, ahead=False)
            return
        if isinstance(value, cst.Dict) and HEADERS_NAME.search(_tail_name(target)):
            self._check_headers(value, ahead=False)

    def check_header_call(self, node: cst.Call) -> None:
        """`req.add_header("X-A", enc)`, `session.headers.update({…})`, `headers.update({…})`."""
        if not isinstance(node.func, cst.Attribute):
            return
        name = node.func.attr.value
        if name in ("add_header", "putheader") and len(node.args) >= 2:
            key = self.value_of(node.args[0].value)
            if key is not None and key.exact and isinstance(key.data, str):
                self._check_header(node.args[0].value, key.data, node.args[1].value)
        elif name == "update" and node.args and isinstance(node.args[0].value, cst.Dict) and \
                HEADERS_NAME.search(_tail_name(node.func.value)):
            self._check_headers(node.args[0].value)

    def _check_headers(self, headers: cst.Dict, *, ahead: bool = True) -> None:
        seen: set[int] = self.__dict__.setdefault("_header_dicts", set())
        if id(headers) in seen:
            return
        seen.add(id(headers))
        for e in headers.elements:
            if not isinstance(e, cst.DictElement):
                continue
            key = self.value_of(e.key)
            if key is not None and key.exact and isinstance(key.data, str):
                self._check_header(e.key, key.data, e.value, ahead=ahead)

    def _check_header(self, at: cst.BaseExpression, header: str, value: cst.BaseExpression, *,
                      ahead: bool = True) -> None:
        """`ahead`: the header's name is further down than the walk (checked from its dict or call); it is
        reported when the walk reaches it (a value may be a bare name, so the name is what is located)."""
        if not HEADER_NAME.match(header) or HEADER_BY_DESIGN.search(header):
            return
        enc = self.encoding_in(value)
        if enc is None:
            return
        data = " ".join(self.module.code_for_node(enc[2]).split())

        def report(loc: Location) -> None:
            self.emit("py-encoded-data-in-header",
                      f"puts the {enc[0]} encoding of `{data[:80]}`, data computed at run time, into the custom HTTP "
                      f"header {header}", loc, confidence=Confidence.LOW)

        if ahead:
            self.defer(at, report)
        else:
            report(self.loc.location(self.path, at))


def _elsewhere(at: Location, cited: Location) -> str:
    """` (line N)` when a part of the finding is on another line than the one cited."""
    return f" (line {at.line})" if at.line != cited.line else ""


def _tail_name(node: cst.BaseExpression) -> str:
    """`headers` of `headers`, `self.headers`, `session.headers`; '' otherwise."""
    return node.value if isinstance(node, cst.Name) else node.attr.value if isinstance(node, cst.Attribute) else ""
